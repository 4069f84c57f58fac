// Owns signing in through WeChat and the street's single sign-on: which buttons to show, the
// round trip to the provider (the `state` kept in sessionStorage until the callback page checks
// it), binding WeChat to a phone, and the bindings listed under 我的. Typed by the generated
// schema and sent through the same client as every other call (tokens, refresh, ApiError).
import { client, unwrap } from './client';
import type { paths } from './schema';
import type { TokenPair } from './tokens';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
export type Providers = JsonOf<paths['/api/v1/auth/providers']['get']['responses'][200]>;
export type WechatSignIn = JsonOf<paths['/api/v1/auth/wechat/callback']['post']['responses'][200]>;
export type Identity = JsonOf<paths['/api/v1/me/identities']['get']['responses'][200]>[number];
type Callback = { code?: string; state?: string; iss?: string };

export type SsoKind = 'wechat' | 'oidc';
export type SsoPurpose = 'sign_in' | 'bind';
interface Pending {
  kind: SsoKind;
  purpose: SsoPurpose;
  state: string;
  next: string;
}

const PENDING_KEY = 'linli.sso.pending';
const ID_TOKEN_KEY = 'linli.sso.id_token';

export function fetchProviders(): Promise<Providers> {
  return unwrap(client.GET('/api/v1/auth/providers'));
}

/** Inside WeChat's own browser the 公众号 flow works; elsewhere only the QR code does. */
export function inWechat(): boolean {
  return /MicroMessenger/i.test(navigator.userAgent);
}

export type WechatScope = 'snsapi_base' | 'snsapi_userinfo';

/** Starts a round trip and leaves the page for the provider's. Inside WeChat `snsapi_base` is
 * silent; `snsapi_userinfo` asks the person to share nickname and avatar. */
export async function goToProvider(kind: SsoKind, purpose: SsoPurpose, next = '/', scope: WechatScope = 'snsapi_base'): Promise<void> {
  const wechat = { mode: inWechat() ? 'in_app' : 'qr', scope } as const;
  const started = await unwrap(kind === 'oidc'
    ? client.POST('/api/v1/auth/oidc/start')
    : purpose === 'bind'
      ? client.POST('/api/v1/me/identities/wechat/start', { body: wechat })
      : client.POST('/api/v1/auth/wechat/start', { body: wechat }));
  const pending: Pending = { kind, purpose, state: started.state, next };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(started.authorize_url);
}

/** The round trip this browser started, if the provider came back with its `state`. */
export function takePending(kind: SsoKind, state: string | null): Pending | null {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  return pending && pending.kind === kind && pending.state === state ? pending : null;
}

export function finishWechat(query: Record<string, string>): Promise<WechatSignIn> {
  return unwrap(client.POST('/api/v1/auth/wechat/callback', { body: { code: query.code, state: query.state } }));
}

export async function bindWechatToPhone(bind_ticket: string, phone: string, code: string): Promise<TokenPair> {
  return unwrap(client.POST('/api/v1/auth/wechat/bind', { body: { bind_ticket, phone, code } })) as Promise<TokenPair>;
}

export function bindMyWechat(query: Record<string, string>): Promise<Identity> {
  return unwrap(client.POST('/api/v1/me/identities/wechat', { body: { code: query.code, state: query.state } }));
}

export async function finishOidc(query: Record<string, string>): Promise<TokenPair> {
  const body: Callback = { code: query.code, state: query.state };
  if (query.iss) body.iss = query.iss;
  const answer = await unwrap(client.POST('/api/v1/auth/oidc/callback', { body }));
  localStorage.setItem(ID_TOKEN_KEY, answer.id_token);
  return answer;
}

export function listIdentities(): Promise<Identity[]> {
  return unwrap(client.GET('/api/v1/me/identities'));
}

export async function unbindIdentity(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/me/identities/{identity_id}', { params: { path: { identity_id: id } } }));
}

/** After a single sign-on, also sign out at the provider: answers where to send the browser. */
export async function ssoSignOut(refreshToken: string | null): Promise<string | null> {
  const idToken = localStorage.getItem(ID_TOKEN_KEY);
  if (!idToken) return null;
  localStorage.removeItem(ID_TOKEN_KEY);
  try {
    const out = await unwrap(client.POST('/api/v1/auth/oidc/logout', {
      body: { refresh_token: refreshToken, id_token: idToken },
    }));
    return out.end_session_url;
  } catch {
    return null; // offline or provider gone: the local sign-out still stands
  }
}
