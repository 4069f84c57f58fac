// Owns the outbox of orders placed without a connection: entries in IndexedDB keyed by their
// Idempotency-Key, flushed oldest first by one sender at a time (per tab by a shared promise,
// across tabs by a Web Lock), deleted only after the server answered 2xx. The key makes a
// replay after a crash return the first answer, so no order is lost or doubled.
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import { isApiError } from '@/api/errors';
import type { OrderCreate } from '@/api/types';

export interface QueuedOrder {
  key: string;
  body: OrderCreate;
  createdAt: string;
  /** The user who placed it: a queued order is only ever sent with its owner's session. */
  owner: string;
  state: 'waiting' | 'failed';
  error?: { status: number; code: string };
  /** Photos chosen offline, shrunk, still to upload; each moves into body.photo_ids once stored.
   * Kept as bytes, not Blobs: some phones' IndexedDB (older iOS Safari) cannot hold a Blob. */
  photos?: QueuedPhoto[];
}

export interface QueuedPhoto {
  type: string;
  bytes: ArrayBuffer;
}

export async function toQueued(photo: Blob): Promise<QueuedPhoto> {
  return { type: photo.type || 'image/jpeg', bytes: await photo.arrayBuffer() };
}

export interface FlushResult {
  sent: string[];
  failed: string[];
  remaining: number;
}

export type Sender = (entry: QueuedOrder) => Promise<unknown>;

let db: UseStore | null = null;
function store(): UseStore {
  db ??= createStore('linli-outbox', 'orders');
  return db;
}

export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export async function enqueue(body: OrderCreate, owner: string, key: string = newKey(), photos: QueuedPhoto[] = []): Promise<QueuedOrder> {
  const existing = await get<QueuedOrder>(key, store());
  if (existing) return existing;
  const entry: QueuedOrder = { key, body, owner, createdAt: new Date().toISOString(), state: 'waiting' };
  if (photos.length) entry.photos = photos;
  await set(key, entry, store());
  return entry;
}

/** Rewrites an entry in place (e.g. a photo uploaded: one blob fewer, one id more). */
export async function save(entry: QueuedOrder): Promise<void> {
  await set(entry.key, entry, store());
}

export async function list(owner?: string): Promise<QueuedOrder[]> {
  const all = await entries<string, QueuedOrder>(store());
  return all
    .map(([, v]) => v)
    .filter((e) => owner === undefined || e.owner === owner)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function remove(key: string): Promise<void> {
  return del(key, store());
}

async function flushAll(owner: string, sendOne: Sender): Promise<FlushResult> {
  const result: FlushResult = { sent: [], failed: [], remaining: 0 };
  const pending = (await list(owner)).filter((e) => e.state === 'waiting');
  for (const entry of pending) {
    try {
      await sendOne(entry);
      await remove(entry.key);
      result.sent.push(entry.key);
    } catch (e) {
      // Offline, signed out or a server fault: keep it and stop; a later flush retries it.
      if (!isApiError(e) || e.status === 0 || e.status === 401 || e.status >= 500) break;
      // The server refused this body for good (422, 403…): park it for the user to see.
      await set(entry.key, { ...entry, state: 'failed', error: { status: e.status, code: e.code } }, store());
      result.failed.push(entry.key);
    }
  }
  result.remaining = (await list(owner)).length;
  return result;
}

let inFlight: Promise<FlushResult> | null = null;

/** Sends every waiting entry of `owner` once; concurrent callers share the same run. */
export function flush(owner: string, sendOne: Sender): Promise<FlushResult> {
  inFlight ??= (async () => {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const run = () => flushAll(owner, sendOne);
    return locks ? locks.request('linli-outbox', run) : run();
  })().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** Lets a parked (failed) entry be retried, e.g. after the user signed in again. */
export async function retry(key: string): Promise<void> {
  const entry = await get<QueuedOrder>(key, store());
  if (entry) await set(key, { ...entry, state: 'waiting', error: undefined }, store());
}
