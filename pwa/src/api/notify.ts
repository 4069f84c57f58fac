// Owns the calls of the notification screens: the inbox (list, unread count, mark read) and the
// person's notification preferences (push, SMS, quiet hours). Typed by the generated schema.
import { client, unwrap } from './client';
import type { components } from './schema';

export type Notice = components['schemas']['NotificationPublic'];
export type InboxPage = components['schemas']['InboxPage'];
export type NotificationPrefs = components['schemas']['notify_models_PreferencesPublic'];

export function listInbox(query: { unread?: boolean; cursor?: string | null; limit?: number } = {}): Promise<InboxPage> {
  const q: { unread?: boolean; cursor?: string; limit: number } = { limit: query.limit ?? 20 };
  if (query.unread) q.unread = true;
  if (query.cursor) q.cursor = query.cursor;
  return unwrap(client.GET('/api/v1/inbox', { params: { query: q } }));
}

export async function unreadCount(): Promise<number> {
  return (await unwrap(client.GET('/api/v1/inbox/unread-count'))).unread;
}

export function markRead(id: number): Promise<Notice> {
  return unwrap(client.POST('/api/v1/inbox/{notification_id}/read', { params: { path: { notification_id: id } } }));
}

export async function markAllRead(): Promise<number> {
  return (await unwrap(client.POST('/api/v1/inbox/read-all'))).marked;
}

export function getNotificationPrefs(): Promise<NotificationPrefs> {
  return unwrap(client.GET('/api/v1/notifications/preferences'));
}

export function setNotificationPrefs(body: NotificationPrefs): Promise<NotificationPrefs> {
  return unwrap(client.PUT('/api/v1/notifications/preferences', { body }));
}
