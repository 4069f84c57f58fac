// The landing view's first request, sent before the app has started: it goes out only with a live
// token, the app uses it once for the same URL and token while it is fresh, a 401 or a network
// failure takes the normal path, and the URLs match what the views really ask for (else the
// same list would be requested twice).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { Component } from 'vue';
import { AUTH_KEY } from '@/api/tokens';
import { FIRST_REQUEST_GLOBAL, FIRST_REQUESTS, MAX_AGE_MS } from '@/api/first-request';
import { json, problem, scriptFetch } from './helpers';

const PAGE = { items: [{ id: 1 }], next_cursor: null };
const slots = globalThis as unknown as Record<string, unknown>;

/** A token shaped like the API's (a JWT) that expires in `seconds`. */
function jwt(seconds: number, who = 'worker'): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'HS256' })}.${part({ sub: who, exp: Math.floor(Date.now() / 1000) + seconds })}.sig`;
}

function signIn(access: string): void {
  localStorage.setItem(AUTH_KEY, JSON.stringify({ access_token: access, refresh_token: 'R1' }));
}

/** Fresh copies of the modules: the handover is once per page load. */
async function load() {
  vi.resetModules();
  delete slots[FIRST_REQUEST_GLOBAL]; // a new page
  const early = await import('@/api/first-request');
  const endpoints = await import('@/api/endpoints');
  const start = () => early.startFirstRequest(FIRST_REQUESTS, AUTH_KEY, FIRST_REQUEST_GLOBAL);
  return { ...early, ...endpoints, start };
}

beforeEach(() => {
  history.replaceState(null, '', '/board');
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('the first request, started before the app', () => {
  it('asks for the board with the stored token, and the board uses that answer instead of asking again', async () => {
    const token = jwt(600);
    signIn(token);
    const seen = scriptFetch(() => json(200, PAGE));
    const { start, listOrders } = await load();
    start();
    await flushPromises();
    expect(seen).toHaveLength(1);
    expect(seen[0].auth).toBe(`Bearer ${token}`);
    expect(`${seen[0].path}?${seen[0].query}`).toBe(FIRST_REQUESTS['/board']);
    // The view builds its query in its own order; the same parameters are the same request.
    await expect(listOrders({ view: 'community', limit: 20, status: 'submitted', sort: 'deadline' })).resolves.toEqual(PAGE);
    expect(seen).toHaveLength(1);
    // Once only: the next reload asks the server.
    await listOrders({ view: 'community', limit: 20, status: 'submitted', sort: 'deadline' });
    expect(seen).toHaveLength(2);
  });

  it('sends nothing without a token, with an expired one, or on a page without a first request', async () => {
    const seen = scriptFetch(() => json(200, PAGE));
    let { start } = await load();
    start(); // signed out
    signIn(jwt(-60));
    ({ start } = await load());
    start(); // expired: refreshing is the app's job
    signIn('not-a-jwt');
    ({ start } = await load());
    start();
    signIn(jwt(600));
    history.replaceState(null, '', '/me');
    ({ start } = await load());
    start();
    await flushPromises();
    expect(seen).toHaveLength(0);
    expect(slots[FIRST_REQUEST_GLOBAL]).toBeUndefined();
  });

  it('sends nothing when it arrives after the app has made its first request', async () => {
    signIn(jwt(600));
    const seen = scriptFetch(() => json(200, PAGE));
    const { start, fetchMe } = await load();
    await fetchMe(); // the app starts by asking for the profile
    start();
    await flushPromises();
    expect(seen.map((r) => r.path)).toEqual(['/api/v1/me']);
  });

  it('is not used for other filters, by another token, or when older than MAX_AGE_MS', async () => {
    signIn(jwt(600));
    const seen = scriptFetch(() => json(200, PAGE));
    let { start, listOrders } = await load();
    start();
    await listOrders({ view: 'community', limit: 20, status: 'closed' });
    expect(seen.map((r) => r.query.get('status'))).toEqual(['submitted', 'closed']);

    ({ start, listOrders } = await load());
    start();
    signIn(jwt(600, 'someone else')); // signed in anew in between
    await listOrders({ view: 'community', limit: 20, status: 'submitted', sort: 'deadline' });
    expect(seen).toHaveLength(4);

    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    ({ start, listOrders } = await load());
    start();
    vi.setSystemTime(Date.now() + MAX_AGE_MS + 1);
    await listOrders({ view: 'community', limit: 20, status: 'submitted', sort: 'deadline' });
    expect(seen).toHaveLength(6);
  });

  it('takes the normal path on a 401 (refresh, retry) and when the network failed', async () => {
    signIn(jwt(600));
    let early = true;
    const seen = scriptFetch((req) => {
      if (req.path === '/api/v1/auth/refresh') return json(200, { access_token: 'A2', refresh_token: 'R2' });
      if (early) {
        early = false;
        return problem(401, 'auth.invalid_token'); // say the server restarted with another key
      }
      return json(200, PAGE);
    });
    let { start, listOrders } = await load();
    start();
    await expect(listOrders({ view: 'community', limit: 20, status: 'submitted', sort: 'deadline' })).resolves.toEqual(PAGE);
    expect(seen.map((r) => [r.path, r.auth])).toEqual([
      ['/api/v1/orders', expect.stringMatching(/^Bearer ey/)],
      ['/api/v1/auth/refresh', null],
      ['/api/v1/orders', 'Bearer A2'],
    ]);

    signIn(jwt(600));
    let calls = 0;
    vi.stubGlobal('fetch', vi.fn(async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return json(200, PAGE);
    }));
    ({ start, listOrders } = await load());
    start();
    await expect(listOrders({ view: 'community', limit: 20, status: 'submitted', sort: 'deadline' })).resolves.toEqual(PAGE);
    expect(calls).toBe(2);
  });
});

describe('FIRST_REQUESTS', () => {
  const views: Record<string, () => Promise<{ default: Component }>> = {
    '/board': () => import('@/views/BoardView.vue'),
    '/hall': () => import('@/views/HallView.vue'),
    '/tasks': () => import('@/views/TasksView.vue'),
  };

  it.each(Object.keys(FIRST_REQUESTS))('is what %s asks for first', async (path) => {
    signIn(jwt(600));
    // The live stream is refused (it would reopen at once after an answer that ends).
    const seen = scriptFetch((req) => (req.path === '/api/v1/events' ? problem(503, 'x')
      : json(200, req.path === '/api/v1/orders' ? { items: [], next_cursor: null } : [])));
    vi.resetModules();
    const [{ default: View }, { i18n }, { router }] = await Promise.all([views[path](), import('@/i18n'), import('@/router')]);
    setActivePinia(createPinia());
    const wrapper = mount(View, { global: { plugins: [i18n, router] } });
    await flushPromises();
    wrapper.unmount();
    const first = seen.find((r) => r.path === '/api/v1/orders');
    expect(first).toBeDefined();
    const asked = new URLSearchParams(first!.query);
    const configured = new URL(FIRST_REQUESTS[path], 'http://x').searchParams;
    asked.sort();
    configured.sort();
    expect(asked.toString()).toBe(configured.toString());
  });
});
