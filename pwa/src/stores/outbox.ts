// Owns placing orders: sends at once when online, otherwise (or when the network drops mid-way)
// queues the order with its Idempotency-Key in the IndexedDB outbox and sends it when the
// connection returns. Views show `items` as "waiting to send".
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { createOrder } from '@/api/endpoints';
import { isApiError } from '@/api/errors';
import type { OrderCreate, OrderDetail } from '@/api/types';
import { enqueue, flush, list, newKey, remove, retry, type FlushResult, type QueuedOrder } from '@/offline/queue';
import { useSession } from './session';

export type PlaceResult = { kind: 'sent'; order: OrderDetail } | { kind: 'queued'; entry: QueuedOrder };

export const useOutbox = defineStore('outbox', () => {
  const items = ref<QueuedOrder[]>([]);
  const lastSent = ref<string[]>([]);
  const session = useSession();

  async function refresh(): Promise<void> {
    items.value = session.userId ? await list(session.userId) : [];
  }

  async function place(body: OrderCreate, key: string = newKey()): Promise<PlaceResult> {
    const online = typeof navigator === 'undefined' || navigator.onLine;
    if (online) {
      try {
        return { kind: 'sent', order: await createOrder(body, key) };
      } catch (e) {
        if (!(isApiError(e) && e.offline)) throw e;
      }
    }
    const entry = await enqueue(body, session.userId, key);
    await refresh();
    return { kind: 'queued', entry };
  }

  async function send(): Promise<FlushResult | null> {
    if (!session.signedIn || !session.userId) return null;
    const result = await flush(session.userId, (e) => createOrder(e.body, e.key));
    lastSent.value = result.sent;
    await refresh();
    return result;
  }

  async function discard(key: string): Promise<void> {
    await remove(key);
    await refresh();
  }

  async function retryOne(key: string): Promise<void> {
    await retry(key);
    await send();
  }

  return { items, lastSent, refresh, place, send, discard, retryOne };
});
