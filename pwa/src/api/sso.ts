// Owns signing in through WeChat and the street's single sign-on: which buttons to show, the
// round trip to the provider (the `state` kept in sessionStorage until the callback page checks
// it), binding WeChat to a phone, and the bindings listed under 我的. Calls go through the same
// transport as every other call (tokens, refresh, ApiError).
import { transport } from './client';
import { toApiError } from './errors';
import type { TokenPair } from './tokens';

export interface Providers {
  wechat_in_app: boolean;
  wechat_qr: boolean;
  oidc: boolean;
  oidc_label: string | null;
}

export interface WechatSignIn {
  tokens: TokenPair | null;
  bind_ticket: string | null;
  nickname: string | null;
  avatar_url: string | null;
}

export interface Identity {
  id: number;
  provider: 'wechat' | 'oidc';
  display_name: string | null;
  avatar_url: string | null;
  created_at: string;
}

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

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await transport(new Request(new URL(path, location.origin), {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

export function fetchProviders(): Promise<Providers> {
  return call('GET', '/api/v1/auth/providers');
}

/** Inside WeChat's own browser the 公众号 flow works; elsewhere only the QR code does. */
export function inWechat(): boolean {
  return /MicroMessenger/i.test(navigator.userAgent);
}

/** Starts a round trip and leaves the page for the provider's. */
export async function goToProvider(kind: SsoKind, purpose: SsoPurpose, next = '/'): Promise<void> {
  const wechat = { mode: inWechat() ? 'in_app' : 'qr', scope: 'snsapi_userinfo' };
  const path = kind === 'oidc'
    ? '/api/v1/auth/oidc/start'
    : purpose === 'bind' ? '/api/v1/me/identities/wechat/start' : '/api/v1/auth/wechat/start';
  const started = await call<{ authorize_url: string; state: string }>('POST', path, kind === 'oidc' ? undefined : wechat);
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
  return call('POST', '/api/v1/auth/wechat/callback', { code: query.code, state: query.state });
}

export function bindWechatToPhone(bind_ticket: string, phone: string, code: string): Promise<TokenPair> {
  return call('POST', '/api/v1/auth/wechat/bind', { bind_ticket, phone, code });
}

export function bindMyWechat(query: Record<string, string>): Promise<Identity> {
  return call('POST', '/api/v1/me/identities/wechat', { code: query.code, state: query.state });
}

export async function finishOidc(query: Record<string, string>): Promise<TokenPair> {
  const body: Record<string, string> = { code: query.code, state: query.state };
  if (query.iss) body.iss = query.iss;
  const answer = await call<TokenPair & { id_token: string }>('POST', '/api/v1/auth/oidc/callback', body);
  localStorage.setItem(ID_TOKEN_KEY, answer.id_token);
  return answer;
}

export function listIdentities(): Promise<Identity[]> {
  return call('GET', '/api/v1/me/identities');
}

export function unbindIdentity(id: number): Promise<null> {
  return call('DELETE', `/api/v1/me/identities/${id}`);
}

/** After a single sign-on, also sign out at the provider: answers where to send the browser. */
export async function ssoSignOut(refreshToken: string | null): Promise<string | null> {
  const idToken = localStorage.getItem(ID_TOKEN_KEY);
  if (!idToken) return null;
  localStorage.removeItem(ID_TOKEN_KEY);
  try {
    const out = await call<{ end_session_url: string | null }>('POST', '/api/v1/auth/oidc/logout', {
      refresh_token: refreshToken, id_token: idToken,
    });
    return out.end_session_url;
  } catch {
    return null; // offline or provider gone: the local sign-out still stands
  }
}
