// The live stream's parser: events split across chunks, comments and heartbeats skipped.
import { describe, expect, it } from 'vitest';
import { parseEvents } from '@/live';

describe('live events', () => {
  it('parses events, skips comments and keeps an unfinished tail', () => {
    const first = parseEvents(': linli\r\nretry: 3000\r\n\r\nid: 7\r\nevent: order.accept\r\ndata: {"order_id":3}\r\n\r\nid: 8\r\nev');
    expect(first.events).toEqual([{ id: '7', kind: 'order.accept', data: { order_id: 3 } }]);
    const second = parseEvents(`${first.rest}ent: inbox.new\r\ndata: {"payload":{}}\r\n\r\n: ping\r\n\r\n`);
    expect(second.events).toEqual([{ id: '8', kind: 'inbox.new', data: { payload: {} } }]);
    expect(second.rest).toBe('');
  });

  it('ignores data that is not JSON', () => {
    expect(parseEvents('event: x\ndata: nope\n\n').events).toEqual([]);
  });
});
