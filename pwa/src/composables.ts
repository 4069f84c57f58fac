// Owns small shared behaviours of the views: network status, polling while the page is visible,
// background work held back until the first screen is up, and formatting times in Asia/Shanghai.
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

/** Runs `fn` once the page has loaded and a few seconds more have passed, at an idle moment: for
 * work a person does not wait for that would otherwise compete with the first screen for a slow
 * phone's bandwidth and CPU. */
export function whenSettled(fn: () => void, delayMs = 3_000): void {
  const idle = (cb: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(cb, { timeout: 2_000 }) : cb());
  const later = () => setTimeout(() => idle(fn), delayMs);
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}

// China Standard Time is UTC+8 all year (no daylight saving since 1991), so the arithmetic is
// exact. Done by hand because the first Intl.DateTimeFormat with a time zone costs ~40 ms of ICU
// start-up on the main thread — on a phone, in the middle of drawing the first list of orders —
// and its English output writes midnight as "24:05".
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const two = (n: number) => String(n).padStart(2, '0');

/** MM/DD HH:mm in Asia/Shanghai ("11/23 08:05"; English "11/23, 08:05"); '' for no or a bad time. */
export function formatTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const at = new Date(new Date(iso).getTime() + CST_OFFSET_MS);
  if (Number.isNaN(at.getTime())) return '';
  const date = `${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}`;
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}`;
  return locale.startsWith('en') ? `${date}, ${time}` : `${date} ${time}`;
}

export function isOverdue(deadline: string | null | undefined, now = Date.now()): boolean {
  return !!deadline && new Date(deadline).getTime() < now;
}
