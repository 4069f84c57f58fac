// Owns placing orders: sends at once when online, otherwise (or when the network drops mid-way)
// queues the order with its Idempotency-Key in the IndexedDB outbox and sends it when the
// connection returns. Views show `items` as "waiting to send".
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { createOrder, uploadPhoto } from '@/api/endpoints';
import { isApiError } from '@/api/errors';
import type { OrderCreate, OrderDetail } from '@/api/types';
import { enqueue, flush, list, newKey, remove, retry, save, toQueued, type FlushResult, type QueuedOrder, type QueuedPhoto } from '@/offline/queue';
import { shrink } from '@/photos';
import { useSession } from './session';

export type PlaceResult = { kind: 'sent'; order: OrderDetail } | { kind: 'queued'; entry: QueuedOrder };

export const useOutbox = defineStore('outbox', () => {
  const items = ref<QueuedOrder[]>([]);
  const lastSent = ref<string[]>([]);
  const session = useSession();

  async function refresh(): Promise<void> {
    items.value = session.userId ? await list(session.userId) : [];
  }

  /** Uploads the entry's photos one by one, recording each stored id in the entry (and in the
   * outbox when `persist`), then creates the order: a retry after a dropped connection neither
   * loses a photo nor stores one twice. Mutates `entry`, so a caller sees what is left. */
  async function deliver(entry: QueuedOrder & { photos: QueuedPhoto[] }, persist: boolean): Promise<OrderDetail> {
    while (entry.photos.length) {
      const { type, bytes } = entry.photos[0];
      const stored = await uploadPhoto(new Blob([bytes], { type }));
      entry.body = { ...entry.body, photo_ids: [...(entry.body.photo_ids ?? []), stored.id] };
      entry.photos = entry.photos.slice(1);
      if (persist) await save(entry);
    }
    return createOrder(entry.body, entry.key);
  }

  function sendQueued(entry: QueuedOrder): Promise<OrderDetail> {
    return deliver({ ...entry, photos: [...(entry.photos ?? [])] }, true);
  }

  async function place(body: OrderCreate, key: string = newKey(), photos: Blob[] = []): Promise<PlaceResult> {
    const online = typeof navigator === 'undefined' || navigator.onLine;
    const entry = {
      key, body, owner: session.userId, createdAt: new Date().toISOString(), state: 'waiting' as const,
      photos: await Promise.all(photos.map(async (p) => toQueued(await shrink(p)))),
    };
    if (online) {
      try {
        return { kind: 'sent', order: await deliver(entry, false) };
      } catch (e) {
        if (!(isApiError(e) && e.offline)) throw e;
      }
    }
    // Offline, or the connection dropped mid-way: the photos not yet stored go along.
    const queued = await enqueue(entry.body, session.userId, key, entry.photos);
    await refresh();
    return { kind: 'queued', entry: queued };
  }

  async function send(): Promise<FlushResult | null> {
    if (!session.signedIn || !session.userId) return null;
    const result = await flush(session.userId, sendQueued);
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
