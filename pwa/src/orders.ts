// Owns display rules for orders that are not state-machine rules: which deadline a status is
// waiting on (for "overdue" and sorting), and which statuses are still open. Transitions come only from
// the API's allowed_actions.
import type { Order } from '@/api/types';

const WAITING_FOR_DISPATCH = ['submitted'];
const WAITING_FOR_COMPLETION = ['dispatched', 'accepted', 'in_progress'];

export function deadlineOf(order: Order): string | null {
  if (WAITING_FOR_DISPATCH.includes(order.status)) return order.respond_by ?? null;
  if (WAITING_FOR_COMPLETION.includes(order.status)) return order.complete_by ?? order.respond_by ?? null;
  return null;
}

/** Whether an order (or a status filter) is still open: the statuses the server's queue by
 * deadline holds (backend/quality/deadlines.py OPEN). */
export function isOpen(status: string | null | undefined): boolean {
  return !!status && (WAITING_FOR_DISPATCH.includes(status) || WAITING_FOR_COMPLETION.includes(status));
}

/** Earliest deadline first; orders with no running deadline go last, newest first among them. */
export function byDeadline(a: Order, b: Order): number {
  const da = deadlineOf(a);
  const db = deadlineOf(b);
  if (da && db) return new Date(da).getTime() - new Date(db).getTime();
  if (da) return -1;
  if (db) return 1;
  return new Date(b.created_at).getTime() - new Date(a.created_at).getTime();
}
