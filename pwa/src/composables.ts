// Owns small shared behaviours of the views: network status, polling while the page is visible,
// and formatting times in Asia/Shanghai.
import { onBeforeUnmount, onMounted, ref } from 'vue';

const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine);
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => (online.value = true));
  window.addEventListener('offline', () => (online.value = false));
}

export function useOnline() {
  return online;
}

/** Calls `fn` now and every `ms` while the tab is visible; polling stands in for live updates. */
export function usePolling(fn: () => unknown, ms: number): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const tick = () => {
    if (document.visibilityState === 'visible' && online.value) void fn();
  };
  onMounted(() => {
    void fn();
    timer = setInterval(tick, ms);
    document.addEventListener('visibilitychange', tick);
  });
  onBeforeUnmount(() => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', tick);
  });
}

const fmt = new Map<string, Intl.DateTimeFormat>();
export function formatTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  let f = fmt.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
    });
    fmt.set(locale, f);
  }
  return f.format(new Date(iso));
}

export function isOverdue(deadline: string | null | undefined, now = Date.now()): boolean {
  return !!deadline && new Date(deadline).getTime() < now;
}
