// Owns this device's Web Push subscription. Permission is asked after the person's first order
// (when being told "已接单" is obviously useful), never on first load; a refusal is remembered by
// the browser and not asked again.
import { transport } from '@/api/client';

const ASKED = 'linli.push.asked';

function keyBytes(base64url: string): ArrayBuffer {
  const raw = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4));
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes.buffer;
}

async function api(path: string, init?: RequestInit): Promise<Response> {
  return transport(new Request(new URL(path, location.origin), init));
}

/** Subscribe this device for push if the browser can, asking permission once. */
export async function offerPush(): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return false;
  if (Notification.permission === 'denied') return false;
  if (Notification.permission === 'default') {
    if (localStorage.getItem(ASKED)) return false;
    localStorage.setItem(ASKED, '1');
    if ((await Notification.requestPermission()) !== 'granted') return false;
  }
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const answer = await api('/api/v1/push/key', { headers: { Accept: 'application/json' } });
    if (!answer.ok) return false;
    const { public_key } = (await answer.json()) as { public_key: string };
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(public_key),
    });
  }
  const saved = await api('/api/v1/push/subscriptions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(subscription.toJSON()),
  });
  return saved.ok;
}
