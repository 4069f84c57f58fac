// Display rules for the queue: which deadline applies, which statuses are open, times in Beijing time.
import { describe, expect, it } from 'vitest';
import { byDeadline, deadlineOf, isOpen } from '@/orders';
import { formatTime } from '@/composables';
import type { Order } from '@/api/types';

const order = (id: number, status: string, respond_by: string, complete_by: string): Order => ({
  id, number: String(id), community_id: 1, category: { id: 1, code: 'meal', name: '助餐' }, status, description: '',
  address_text: null, urgency: 'normal', created_at: '2026-11-22T00:00:00Z', respond_by, complete_by,
  resident: { id: 2, name: 'r' }, assignee: null, dispatch_mode: null, rating: null, allowed_actions: [],
} as unknown as Order);

describe('order deadlines', () => {
  it('waits on respond_by before dispatch and on complete_by after', () => {
    expect(deadlineOf(order(1, 'submitted', '2026-11-22T01:00:00Z', '2026-11-22T05:00:00Z'))).toBe('2026-11-22T01:00:00Z');
    expect(deadlineOf(order(1, 'accepted', '2026-11-22T01:00:00Z', '2026-11-22T05:00:00Z'))).toBe('2026-11-22T05:00:00Z');
    expect(deadlineOf(order(1, 'closed', '2026-11-22T01:00:00Z', '2026-11-22T05:00:00Z'))).toBeNull();
  });

  it('sorts earliest deadline first and finished orders last', () => {
    const list = [
      order(3, 'closed', '2026-11-21T00:00:00Z', '2026-11-21T00:00:00Z'),
      order(2, 'submitted', '2026-11-22T03:00:00Z', '2026-11-22T09:00:00Z'),
      order(1, 'submitted', '2026-11-22T01:00:00Z', '2026-11-22T09:00:00Z'),
    ];
    expect(list.sort(byDeadline).map((o) => o.id)).toEqual([1, 2, 3]);
  });

  it('counts the statuses still waiting on someone as open', () => {
    expect(['submitted', 'dispatched', 'accepted', 'in_progress'].every(isOpen)).toBe(true);
    expect(['completed', 'closed', 'rejected', 'cancelled', '', undefined].some(isOpen)).toBe(false);
  });
});

describe('formatTime', () => {
  it('shows Beijing time (UTC+8) as Intl would, midnight as 00', () => {
    for (const iso of ['2026-11-22T16:05:00Z', '2026-12-31T15:59:00Z', '2026-03-01T00:00:00+08:00', '2026-06-15T03:07:00Z']) {
      const intl = new Intl.DateTimeFormat('zh-CN', {
        timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      }).format(new Date(iso));
      expect(formatTime(iso, 'zh-CN')).toBe(intl);
    }
    expect(formatTime('2026-11-22T16:05:00Z', 'zh-CN')).toBe('11/23 00:05');
    expect(formatTime('2026-11-22T16:05:00Z', 'en')).toBe('11/23, 00:05');
  });

  it('shows nothing for no time or a time it cannot read', () => {
    expect(formatTime(null, 'zh-CN')).toBe('');
    expect(formatTime('not a time', 'en')).toBe('');
  });
});
