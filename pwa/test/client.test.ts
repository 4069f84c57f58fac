// The API client: Bearer token, one rotating refresh on 401 shared by concurrent calls, retry,
// problem+json → ApiError, network failure → status 0.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { client, onSessionExpired, unwrap } from '@/api/client';
import { fetchMe, listOrders, listTakers } from '@/api/endpoints';
import { ApiError } from '@/api/errors';
import { tokens } from '@/api/tokens';
import { json, problem, scriptFetch } from './helpers';

const ME = { id: 1, name: '张阿姨', phone: '13800000001', memberships: [], provider_ids: [] };

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('attaches the access token', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    const seen = scriptFetch(() => json(200, ME));
    await expect(fetchMe()).resolves.toEqual(ME);
    expect(seen[0].auth).toBe('Bearer A1');
  });

  it('refreshes once on 401 with the rotating refresh token and retries', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    const seen = scriptFetch((req) => {
      if (req.path === '/api/v1/auth/refresh') {
        return json(200, { access_token: 'A2', refresh_token: 'R2', token_type: 'Bearer', expires_in: 900 });
      }
      return req.auth === 'Bearer A2' ? json(200, ME) : problem(401, 'auth.expired');
    });
    await expect(fetchMe()).resolves.toEqual(ME);
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/me', '/api/v1/auth/refresh', '/api/v1/me']);
    expect(seen[1].body).toEqual({ refresh_token: 'R1' });
    expect(tokens.refresh()).toBe('R2');
  });

  it('shares one refresh between concurrent 401s (a spent token is never re-used)', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    let refreshes = 0;
    const seen = scriptFetch(async (req) => {
      if (req.path === '/api/v1/auth/refresh') {
        refreshes += 1;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { access_token: 'A2', refresh_token: 'R2', token_type: 'Bearer', expires_in: 900 });
      }
      return req.auth === 'Bearer A2' ? json(200, { items: [], next_cursor: null }) : problem(401, 'auth.expired');
    });
    await Promise.all([listOrders({ view: 'mine' }), listOrders({ view: 'pool' }), fetchMe().catch(() => null)]);
    expect(refreshes).toBe(1);
    expect(seen.filter((s) => s.path === '/api/v1/auth/refresh').map((s) => s.body)).toEqual([{ refresh_token: 'R1' }]);
  });

  it('ends the session when the refresh token is refused', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    const expired = vi.fn();
    const off = onSessionExpired(expired);
    scriptFetch(() => problem(401, 'auth.invalid_token'));
    const err = await fetchMe().catch((e: unknown) => e);
    off();
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(expired).toHaveBeenCalledOnce();
    expect(tokens.refresh()).toBeNull();
  });

  it('does not try to refresh when signing in fails', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    const seen = scriptFetch(() => problem(401, 'auth.invalid_credentials'));
    const err = (await unwrap(client.POST('/api/v1/auth/token', { body: { phone: '13800000001', password: 'x' } })).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('auth.invalid_credentials');
    expect(seen).toHaveLength(1);
  });

  it('turns problem+json into an ApiError with status, code and field', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    scriptFetch(() => json(422, { status: 422, code: 'request.invalid', extra: [{ key: 'description', message: 'too long' }] }, 'application/problem+json'));
    const err = (await listOrders({ view: 'mine' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ status: 422, code: 'request.invalid', field: 'description' });
  });

  it('reports a network failure as status 0, offline', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }));
    const err = (await fetchMe().catch((e: unknown) => e)) as ApiError;
    expect(err.offline).toBe(true);
    expect(err.code).toBe('network.offline');
  });

  it('lists takers for the order\'s category, following the cursor to the end', async () => {
    tokens.set({ access_token: 'A1', refresh_token: 'R1' });
    const seen = scriptFetch((req) => req.query.get('cursor')
      ? json(200, { items: [{ kind: 'user', id: 7, name: '小李', roles: ['volunteer'] }], next_cursor: null })
      : json(200, { items: [{ kind: 'provider', id: 3, name: '物业公司', roles: [] }], next_cursor: 'cHJvdmlkZXI6Mw' }));
    const takers = await listTakers(1, 5);
    expect(takers.map((t) => `${t.kind}:${t.id}`)).toEqual(['provider:3', 'user:7']);
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/communities/1/takers', '/api/v1/communities/1/takers']);
    expect(seen.map((s) => s.query.get('category_id'))).toEqual(['5', '5']);
    expect(seen[1].query.get('cursor')).toBe('cHJvdmlkZXI6Mw');
  });
});
