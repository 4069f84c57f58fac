// The offline outbox: entries keep their Idempotency-Key, are sent oldest first exactly once
// (even when flushes overlap), stay on network failure, and park on a definitive refusal.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { clear, createStore } from 'idb-keyval';
import { enqueue, flush, list, newKey, type QueuedOrder } from '@/offline/queue';
import { ApiError, networkError } from '@/api/errors';
import type { OrderCreate } from '@/api/types';

const body = (description: string): OrderCreate => ({ community_id: 1, category_id: 1, description, urgency: 'normal' });

beforeEach(async () => {
  await clear(createStore('linli-outbox', 'orders'));
});

describe('offline queue', () => {
  it('makes RFC 4122 v4 keys', () => {
    expect(newKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps an entry under its key and does not duplicate a re-enqueue', async () => {
    const a = await enqueue(body('one'), 'u1', 'key-1');
    await enqueue(body('one'), 'u1', 'key-1');
    expect(await list('u1')).toEqual([a]);
    expect(a.state).toBe('waiting');
  });

  it('sends oldest first with each key once, then forgets them', async () => {
    await enqueue(body('one'), 'u1', 'k1');
    await new Promise((r) => setTimeout(r, 2));
    await enqueue(body('two'), 'u1', 'k2');
    const send = vi.fn(async (_e: QueuedOrder) => ({}));
    const result = await flush('u1', send);
    expect(send.mock.calls.map(([e]) => [e.key, e.body.description])).toEqual([['k1', 'one'], ['k2', 'two']]);
    expect(result).toEqual({ sent: ['k1', 'k2'], failed: [], remaining: 0 });
    expect(await list('u1')).toEqual([]);
  });

  it('sends each entry once when flushes overlap (online event + app start)', async () => {
    await enqueue(body('one'), 'u1', 'k1');
    const send = vi.fn(() => new Promise((r) => setTimeout(r, 10)));
    await Promise.all([flush('u1', send), flush('u1', send), flush('u1', send)]);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('keeps entries when the network is still down and stops trying', async () => {
    await enqueue(body('one'), 'u1', 'k1');
    await enqueue(body('two'), 'u1', 'k2');
    const send = vi.fn(async () => {
      throw networkError();
    });
    const result = await flush('u1', send);
    expect(send).toHaveBeenCalledTimes(1);
    expect(result.remaining).toBe(2);
    expect((await list('u1')).every((e) => e.state === 'waiting')).toBe(true);
  });

  it('parks an entry the server refused and goes on with the rest', async () => {
    await enqueue(body('bad'), 'u1', 'k1');
    await new Promise((r) => setTimeout(r, 2));
    await enqueue(body('good'), 'u1', 'k2');
    const send = vi.fn(async (e: { key: string }) => {
      if (e.key === 'k1') throw new ApiError(422, 'request.invalid');
      return {};
    });
    const result = await flush('u1', send);
    expect(result).toEqual({ sent: ['k2'], failed: ['k1'], remaining: 1 });
    const [parked] = await list('u1');
    expect(parked).toMatchObject({ key: 'k1', state: 'failed', error: { status: 422, code: 'request.invalid' } });
  });

  it('only sends the signed-in owner\'s orders', async () => {
    await enqueue(body('mine'), 'u1', 'k1');
    await enqueue(body('theirs'), 'u2', 'k2');
    const send = vi.fn(async () => ({}));
    await flush('u1', send);
    expect(send).toHaveBeenCalledOnce();
    expect((await list()).map((e) => e.key)).toEqual(['k2']);
  });
});
