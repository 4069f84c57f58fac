// The stores: preferences applied to <html>, session roles per community, catalogue ranking,
// and the outbox placing an order online, offline, and sending it once on reconnect.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { clear, createStore } from 'idb-keyval';
import { usePrefs } from '@/stores/prefs';
import { useSession } from '@/stores/session';
import { useCatalogue } from '@/stores/catalogue';
import { useOutbox } from '@/stores/outbox';
import { tokens } from '@/api/tokens';
import type { Category, Me, OrderCreate } from '@/api/types';
import { json, scriptFetch } from './helpers';

const ME: Me = {
  id: 1, name: '张阿姨', phone: '13800000001', provider_ids: [],
  memberships: [
    { community_id: 1, community_slug: 'demo', community_name: '幸福社区', roles: ['resident'] },
    { community_id: 2, community_slug: 'second', community_name: '和谐社区', roles: ['worker', 'volunteer'] },
  ],
};
const cat = (id: number, code: string): Category => ({ id, code, name: code, description: '', icon: code, respond_minutes: 30, complete_minutes: 120, taker_kinds: [] });
const ORDER: OrderCreate = { community_id: 1, category_id: 1, description: '修水管', urgency: 'normal' };

function setOnline(on: boolean): void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => on });
}

beforeEach(async () => {
  setActivePinia(createPinia());
  await clear(createStore('linli-outbox', 'orders'));
  setOnline(true);
});
afterEach(() => vi.unstubAllGlobals());

describe('prefs', () => {
  it('applies elder mode and language to <html> and remembers them', async () => {
    const prefs = usePrefs();
    prefs.setElder(true);
    prefs.setLocale('en');
    await nextTick();
    expect(document.documentElement.classList.contains('elder')).toBe(true);
    expect(document.documentElement.lang).toBe('en');
    expect(JSON.parse(localStorage.getItem('linli.prefs')!)).toEqual({ locale: 'en', elder: true });
  });
});

describe('session', () => {
  it('signs in, loads /me and takes roles from the chosen community', async () => {
    scriptFetch((req) => (req.path === '/api/v1/auth/token'
      ? json(200, { access_token: 'A', refresh_token: 'R', token_type: 'Bearer', expires_in: 900 })
      : json(200, ME)));
    const session = useSession();
    await session.signIn({ phone: '13800000001', password: 'demo1234' });
    expect(session.signedIn).toBe(true);
    expect(session.membership?.community_name).toBe('幸福社区');
    expect(session.roles).toEqual(['resident']);
    session.setCommunity(2);
    expect(session.hasRole('worker')).toBe(true);
    expect(session.hasRole('resident')).toBe(false);
  });

  it('opens offline with the cached profile', async () => {
    tokens.set({ access_token: 'A', refresh_token: 'R' });
    localStorage.setItem('linli.me', JSON.stringify(ME));
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('offline');
    }));
    const session = useSession();
    await session.loadMe();
    expect(session.me?.name).toBe('张阿姨');
  });

  it('signs out: tokens and cached profile are gone', () => {
    tokens.set({ access_token: 'A', refresh_token: 'R' });
    localStorage.setItem('linli.me', JSON.stringify(ME));
    const session = useSession();
    session.signOut();
    expect(tokens.refresh()).toBeNull();
    expect(localStorage.getItem('linli.me')).toBeNull();
    expect(session.signedIn).toBe(false);
  });
});

describe('catalogue', () => {
  it('ranks the most used services first and keeps catalogue order for ties', async () => {
    scriptFetch(() => json(200, ['meal', 'bath', 'hospital', 'appliance', 'plumbing', 'light', 'errand'].map((c, i) => cat(i + 1, c))));
    const catalogue = useCatalogue();
    await catalogue.load('1');
    catalogue.recordUse('errand');
    catalogue.recordUse('errand');
    catalogue.recordUse('light');
    expect(catalogue.mostUsed('1').map((c) => c.code)).toEqual(['errand', 'light', 'meal', 'bath', 'hospital', 'appliance']);
  });

  it('falls back to the cached catalogue offline', async () => {
    scriptFetch(() => json(200, [cat(1, 'meal')]));
    await useCatalogue().load('1');
    setActivePinia(createPinia());
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('offline');
    }));
    expect((await useCatalogue().load('1')).map((c) => c.code)).toEqual(['meal']);
  });
});

describe('outbox', () => {
  function signedIn() {
    const session = useSession();
    session.me = ME;
    session.signedIn = true;
    tokens.set({ access_token: 'A', refresh_token: 'R' });
    return session;
  }

  it('sends at once when online, with the Idempotency-Key', async () => {
    signedIn();
    const seen = scriptFetch(() => json(201, { id: 'o1', number: '20261122-0001' }));
    const result = await useOutbox().place(ORDER, 'key-1');
    expect(result.kind).toBe('sent');
    expect(seen[0].headers.get('Idempotency-Key')).toBe('key-1');
  });

  it('queues offline as "waiting" and sends it exactly once when back online', async () => {
    signedIn();
    setOnline(false);
    const seen = scriptFetch(() => json(201, { id: 'o1' }));
    const outbox = useOutbox();
    const result = await outbox.place(ORDER, 'key-2');
    expect(result.kind).toBe('queued');
    expect(seen).toHaveLength(0);
    expect(outbox.items.map((e) => [e.key, e.state])).toEqual([['key-2', 'waiting']]);

    setOnline(true);
    await Promise.all([outbox.send(), outbox.send()]);
    await outbox.send();
    expect(seen.filter((s) => s.path === '/api/v1/orders')).toHaveLength(1);
    expect(seen[0].headers.get('Idempotency-Key')).toBe('key-2');
    expect(outbox.items).toEqual([]);
  });

  it('queues when the network drops during the send, under the same key', async () => {
    signedIn();
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }));
    const outbox = useOutbox();
    const result = await outbox.place(ORDER, 'key-3');
    expect(result).toMatchObject({ kind: 'queued', entry: { key: 'key-3' } });
  });

  it('carries offline photos in the outbox and, after a drop mid-upload, sends only the rest', async () => {
    signedIn();
    setOnline(false);
    const photos = [new Blob(['one'], { type: 'image/jpeg' }), new Blob(['two'], { type: 'image/jpeg' })];
    const outbox = useOutbox();
    expect((await outbox.place(ORDER, 'key-4', photos)).kind).toBe('queued');

    setOnline(true);
    let uploads = 0;
    const seen = scriptFetch((req) => {
      if (req.path === '/api/v1/files') {
        uploads += 1;
        if (uploads === 2) throw new TypeError('Failed to fetch'); // the connection drops
        return json(201, { id: 10 + uploads });
      }
      return json(201, { id: 'o4' });
    });
    await outbox.send();
    expect(outbox.items).toHaveLength(1);
    expect(outbox.items[0].photos).toHaveLength(1);
    expect(outbox.items[0].body.photo_ids).toEqual([11]);

    await outbox.send();
    const created = seen.filter((s) => s.path === '/api/v1/orders');
    expect(created).toHaveLength(1);
    expect(created[0].body).toMatchObject({ photo_ids: [11, 13] });
    expect(uploads).toBe(3);
    expect(outbox.items).toEqual([]);
  });
});
