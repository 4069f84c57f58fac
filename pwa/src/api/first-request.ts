// Owns the landing view's first API request, sent before the app's code has arrived. A cold start
// on a slow phone otherwise asks for the orders only after the entry script has downloaded and
// run (HTML → entry JS → run → GET /api/v1/orders → draw): one round trip plus the server's
// answer added to the first screen. The tiny module that build/route-preload.ts puts in
// index.html calls `startFirstRequest` (serialized into it, so that function uses nothing from
// outside its own body); the API transport asks `takeFirstRequest` for the answer.
//
// The rules, each for a reason:
// - only with a stored access token that has not expired: a refresh is the app's job (a 401
//   still reaches the transport, which refreshes and retries as for any request);
// - used at most once, and only by a GET of the same URL made with the same token: a view with
//   other filters, or a user who signed in anew, gets a fresh answer;
// - not when it was started more than MAX_AGE_MS before the view asks: live events that arrived
//   in between would be missing from an older answer;
// - the app closes the door at its first request: if the module arrives late, after the app
//   has started, it does nothing, so the same list is never requested twice.

export const FIRST_REQUEST_GLOBAL = '__linliFirstRequest';
export const MAX_AGE_MS = 10_000;

/** Landing path → its view's first request. Keep in step with the views (OrderList's query);
 * test/first-request.test.ts mounts each view and compares. */
export const FIRST_REQUESTS: Record<string, string> = {
  '/board': '/api/v1/orders?view=community&limit=20&status=submitted&sort=deadline',
  '/hall': '/api/v1/orders?view=pool&limit=20&sort=deadline',
  '/tasks': '/api/v1/orders?view=assigned&limit=20',
};

export interface FirstRequest {
  url: string;
  token: string;
  at: number;
  /** null when the network failed: the transport then sends the request itself. */
  response: Promise<Response | null>;
}

/** Starts the current path's first request, if it has one and a live token is stored. */
export function startFirstRequest(requests: Record<string, string>, authKey: string, globalName: string): void {
  const slots = window as unknown as Record<string, unknown>;
  if (globalName in slots) return; // the app is already running
  const path = requests[location.pathname.replace(/\/+$/, '')];
  if (!path) return;
  let token: unknown;
  let expires = 0;
  try {
    token = JSON.parse(localStorage.getItem(authKey) ?? 'null')?.access_token;
    if (typeof token !== 'string') return;
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    expires = Number(JSON.parse(atob(payload)).exp) * 1000;
  } catch {
    return; // no pair, or not a token we can read: the app signs in or refreshes as usual
  }
  if (!(expires > Date.now() + 5_000)) return;
  const url = location.origin + path;
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  const response = fetch(url, { headers }).catch(() => null);
  slots[globalName] = { url, token, at: Date.now(), response } satisfies FirstRequest;
}

let early: FirstRequest | null | undefined; // undefined: the app has not looked yet

function sameUrl(a: string, b: string): boolean {
  const x = new URL(a);
  const y = new URL(b);
  x.searchParams.sort();
  y.searchParams.sort();
  return x.href === y.href;
}

/** The early answer for `request` sent with `token`, once; null when the caller must fetch. */
export function takeFirstRequest(request: Request, token: string | null, now = Date.now()): Promise<Response | null> | null {
  if (early === undefined) {
    const slots = globalThis as unknown as Record<string, unknown>;
    early = (slots[FIRST_REQUEST_GLOBAL] as FirstRequest | undefined) ?? null;
    slots[FIRST_REQUEST_GLOBAL] = null; // closes the door for a module that arrives late
  }
  if (!early || request.method !== 'GET' || !sameUrl(early.url, request.url)) return null;
  const found = early;
  early = null;
  if (found.token !== token || now - found.at > MAX_AGE_MS) return null;
  return found.response;
}
