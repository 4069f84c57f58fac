// WeChat and single sign-on in the PWA: the round trip's `state` is checked on the way back,
// the OIDC ID token is kept only as the logout hint, and problems arrive as ApiError codes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { finishOidc, goToProvider, ssoSignOut, takePending } from '@/api/sso';
import { ApiError } from '@/api/errors';
import { json, problem, scriptFetch } from './helpers';

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
  localStorage.clear();
});

describe('sso', () => {
  it('goes to the provider and accepts only its own state back', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { origin: 'http://localhost', assign });
    const seen = scriptFetch(() => json(200, { authorize_url: 'https://open.weixin.qq.com/x', state: 'S1' }));
    await goToProvider('wechat', 'sign_in', '/orders');
    expect(seen[0].path).toBe('/api/v1/auth/wechat/start');
    expect(seen[0].body).toEqual({ mode: 'qr', scope: 'snsapi_base' }); // not in WeChat: the QR code
    expect(assign).toHaveBeenCalledWith('https://open.weixin.qq.com/x');
    expect(takePending('wechat', 'forged')).toBeNull();
    expect(takePending('wechat', 'S1')).toBeNull(); // one use: the first look spent it

    await goToProvider('wechat', 'bind', '/me', 'snsapi_userinfo');
    expect(seen[1].path).toBe('/api/v1/me/identities/wechat/start');
    expect(seen[1].body).toMatchObject({ scope: 'snsapi_userinfo' });
    expect(takePending('wechat', 'S1')).toMatchObject({ purpose: 'bind', next: '/me' });
  });

  it('keeps the ID token for RP-initiated logout, once', async () => {
    const seen = scriptFetch((req) => req.path.endsWith('/callback')
      ? json(200, { access_token: 'A', refresh_token: 'R', id_token: 'ID' })
      : json(200, { end_session_url: 'https://idp/logout?x' }));
    await finishOidc({ code: 'c', state: 's', iss: 'https://idp' });
    expect(seen[0].body).toEqual({ code: 'c', state: 's', iss: 'https://idp' });
    await expect(ssoSignOut('R')).resolves.toBe('https://idp/logout?x');
    expect(seen[1].body).toEqual({ refresh_token: 'R', id_token: 'ID' });
    await expect(ssoSignOut('R')).resolves.toBeNull();
  });

  it('turns an unreachable provider into its problem code', async () => {
    scriptFetch(() => problem(502, 'auth.provider_unreachable'));
    const failed = await finishOidc({ code: 'c', state: 's' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).code).toBe('auth.provider_unreachable');
  });
});
