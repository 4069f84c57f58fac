// Owns the HTTP transport: the only place `fetch` is called. Attaches the Bearer access token,
// on a 401 refreshes once (rotating refresh token, one refresh in flight shared by all callers)
// and retries, turns network failures and problem+json answers into ApiError.
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { tokens, type TokenPair } from './tokens';
import { networkError, toApiError } from './errors';
import { takeFirstRequest } from './first-request';

const REFRESH_PATH = '/api/v1/auth/refresh';
const NO_REFRESH = ['/api/v1/auth/otp', '/api/v1/auth/token', REFRESH_PATH];

type Listener = () => void;
const expiredListeners = new Set<Listener>();

/** Called when the refresh token is refused: the session is over and the user must sign in again. */
export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

let refreshing: Promise<boolean> | null = null;

async function send(request: Request): Promise<Response> {
  try {
    return await globalThis.fetch(request);
  } catch {
    throw networkError();
  }
}

function withToken(request: Request, token: string | null): Request {
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

async function doRefresh(origin: string): Promise<boolean> {
  const refresh_token = tokens.refresh();
  if (!refresh_token) return false;
  const res = await send(new Request(new URL(REFRESH_PATH, origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ refresh_token }),
  }));
  if (!res.ok) {
    tokens.clear();
    expiredListeners.forEach((l) => l());
    return false;
  }
  tokens.set((await res.json()) as TokenPair);
  return true;
}

/** Refreshes at most once at a time; concurrent 401s wait for the same rotation. */
export function refreshSession(origin: string = location.origin): Promise<boolean> {
  refreshing ??= doRefresh(origin).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function transport(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const retry = request.clone();
  const used = tokens.access();
  // The landing view's first list may already be on its way (first-request.ts).
  const res = (await takeFirstRequest(request, used)) ?? (await send(withToken(request, used)));
  if (res.status !== 401 || NO_REFRESH.includes(path) || !tokens.refresh()) return res;
  // Another call may already have rotated the pair while this one was in flight.
  const renewed = tokens.access() !== used || (await refreshSession(new URL(request.url).origin));
  if (!renewed) return res;
  return send(withToken(retry, tokens.access()));
}

export const client = createClient<paths>({
  baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
  fetch: transport,
  headers: { Accept: 'application/json' },
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its data, or throws the ApiError it stands for. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw toApiError(response.status, error);
}
