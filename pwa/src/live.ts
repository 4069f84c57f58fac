// Owns the live event stream (GET /api/v1/events, Server-Sent Events over fetch so the Bearer
// token and its refresh go through the one API transport). One connection per tab, shared by
// every screen; it reconnects with Last-Event-ID and backs off while the server is away.
// `useLiveReload` lets a list reload on relevant events and poll only while the stream is down.
import { onBeforeUnmount, onMounted, ref } from 'vue';
import { transport } from '@/api/client';
import { tokens } from '@/api/tokens';
import { useOnline } from '@/composables';

export interface LiveEvent {
  id: string;
  kind: string;
  data: { order_id?: number | null; payload?: Record<string, unknown> } & Record<string, unknown>;
}

type Handler = (event: LiveEvent) => void;

/** Splits a text/event-stream body into events; keeps the unfinished tail for the next chunk. */
export function parseEvents(buffer: string): { events: LiveEvent[]; rest: string } {
  const events: LiveEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let id = '';
    let kind = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') kind = value;
      else if (field === 'data') data.push(value);
    }
    if (!data.length) continue;
    try {
      events.push({ id, kind, data: JSON.parse(data.join('\n')) });
    } catch {
      // not ours: ignore
    }
  }
  return { events, rest };
}

const connected = ref(false);
const handlers = new Set<Handler>();
let lastId = '';
let running: AbortController | null = null;
const QUIET_MS = 45_000; // three missed heartbeats: the connection is dead

async function readStream(signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (lastId) headers['Last-Event-ID'] = lastId;
  const res = await transport(new Request(new URL('/api/v1/events', location.origin), { headers, signal }));
  if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
  connected.value = true;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const quiet = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('events: silent')), QUIET_MS);
    });
    const { value, done } = await Promise.race([reader.read(), quiet]).finally(() => clearTimeout(timer));
    if (done) return;
    const parsed = parseEvents(buffer + value);
    buffer = parsed.rest;
    for (const event of parsed.events) {
      if (event.id) lastId = event.id;
      if (event.kind === 'reconnect') return;
      handlers.forEach((h) => h(event));
    }
  }
}

async function run(signal: AbortSignal): Promise<void> {
  let delay = 1_000;
  while (!signal.aborted && tokens.access()) {
    try {
      await readStream(signal);
      delay = 1_000; // a stream that ended normally (token lifetime, reconnect) reopens at once
    } catch {
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    } finally {
      connected.value = false;
    }
  }
}

/** Receive live events while `handler` is registered; the stream runs while anyone listens. */
export function subscribe(handler: Handler): () => void {
  handlers.add(handler);
  if (!running && typeof ReadableStream !== 'undefined') {
    running = new AbortController();
    void run(running.signal).finally(() => {
      running = null;
    });
  }
  return () => {
    handlers.delete(handler);
    if (!handlers.size && running) {
      running.abort();
      running = null;
    }
  };
}

export function useLiveConnected() {
  return connected;
}

/** Which events make a screen reload: a regular expression on the kind, or a test of the event. */
export type LiveFilter = RegExp | ((event: LiveEvent) => boolean);
const ORDER_EVENTS = /^(order\.|reset$)/;

/** Events about one order (and `reset`, after which anything may have changed). */
export function aboutOrder(id: number | string): LiveFilter {
  return (event) => event.kind === 'reset' || (event.kind.startsWith('order.') && String(event.data.order_id) === String(id));
}

/** Reload now, on every relevant live event (at most every 500 ms), and by polling every
 * `fallbackMs` while the stream is down or the tab was hidden. */
export function useLiveReload(fn: () => unknown, fallbackMs: number, filter: LiveFilter = ORDER_EVENTS): void {
  const online = useOnline();
  const wanted = typeof filter === 'function' ? filter : (event: LiveEvent) => filter.test(event.kind);
  let pending: ReturnType<typeof setTimeout> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let off: (() => void) | undefined;
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      void fn();
    }, 500);
  };
  const poll = () => {
    if (!connected.value && document.visibilityState === 'visible' && online.value) void fn();
  };
  const visible = () => {
    if (document.visibilityState === 'visible') soon();
  };
  onMounted(() => {
    void fn();
    off = subscribe((event) => {
      if (wanted(event)) soon();
    });
    timer = setInterval(poll, fallbackMs);
    document.addEventListener('visibilitychange', visible);
  });
  onBeforeUnmount(() => {
    off?.();
    clearInterval(timer);
    clearTimeout(pending);
    document.removeEventListener('visibilitychange', visible);
  });
}
