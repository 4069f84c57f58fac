// Owns the unread count of the signed-in person's inbox (the badge on 我的 and on 消息): read
// once, then kept current by the live event stream (`inbox.new`), and by polling while the
// stream is down. The inbox screen tells it when it marks notices read.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { unreadCount } from '@/api/notify';
import { subscribe, useLiveConnected } from '@/live';
import { tokens } from '@/api/tokens';

const POLL_MS = 60_000;

export const useInbox = defineStore('inbox', () => {
  const unread = ref(0);
  let off: (() => void) | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;

  async function refresh(): Promise<void> {
    if (!tokens.access()) return;
    try {
      unread.value = await unreadCount();
    } catch {
      // offline or signed out: keep the last count
    }
  }

  /** Start following the count (idempotent); `stop` on sign-out. */
  function follow(): void {
    if (off) return;
    const connected = useLiveConnected();
    void refresh();
    off = subscribe((event) => {
      if (event.kind === 'inbox.new') unread.value += 1;
      else if (event.kind === 'reset') void refresh();
    });
    timer = setInterval(() => {
      if (!connected.value && document.visibilityState === 'visible') void refresh();
    }, POLL_MS);
  }

  function stop(): void {
    off?.();
    off = null;
    clearInterval(timer);
    unread.value = 0;
  }

  return { unread, refresh, follow, stop };
});
