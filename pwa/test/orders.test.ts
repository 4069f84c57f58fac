// Display rules for the queue: which deadline applies and deadline-first sorting.
import { describe, expect, it } from 'vitest';
import { byDeadline, deadlineOf } from '@/orders';
import type { Order } from '@/api/types';

const order = (id: string, status: string, respond_by: string | null, complete_by: string | null): Order => ({
  id, number: id, community_id: 'c1', category: { id: 'k', code: 'meal', name: '助餐' }, status, description: '',
  address_text: null, urgency: 'normal', created_at: '2026-11-22T00:00:00Z', respond_by, complete_by,
  resident: { id: 'u', name: 'r' }, assignee: null, dispatch_mode: null, rating: null, allowed_actions: [],
});

describe('order deadlines', () => {
  it('waits on respond_by before dispatch and on complete_by after', () => {
    expect(deadlineOf(order('a', 'submitted', '2026-11-22T01:00:00Z', '2026-11-22T05:00:00Z'))).toBe('2026-11-22T01:00:00Z');
    expect(deadlineOf(order('a', 'accepted', '2026-11-22T01:00:00Z', '2026-11-22T05:00:00Z'))).toBe('2026-11-22T05:00:00Z');
    expect(deadlineOf(order('a', 'closed', '2026-11-22T01:00:00Z', '2026-11-22T05:00:00Z'))).toBeNull();
  });

  it('sorts earliest deadline first and finished orders last', () => {
    const list = [
      order('done', 'closed', null, null),
      order('late', 'submitted', '2026-11-22T03:00:00Z', null),
      order('soon', 'submitted', '2026-11-22T01:00:00Z', null),
    ];
    expect(list.sort(byDeadline).map((o) => o.id)).toEqual(['soon', 'late', 'done']);
  });
});
