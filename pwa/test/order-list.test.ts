// OrderList draws the first page's first cards at once and the rest over the next frames, then
// every card of later reloads at once; "more" appears only when the whole page is drawn.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import OrderList from '@/components/OrderList.vue';
import { i18n } from '@/i18n';
import { router } from '@/router';
import { tokens } from '@/api/tokens';
import { json, problem, scriptFetch } from './helpers';

function order(id: number) {
  return {
    id, number: `20261122-${String(id).padStart(4, '0')}`, community_id: 1, category: { id: 1, code: 'meal', name: '助餐' },
    status: 'submitted', description: `第${id}单`, address_text: '', urgency: 'normal', created_at: '2026-11-22T01:00:00Z',
    respond_by: null, complete_by: null, resident: { id: 1, name: '张' }, assignee: null, dispatch_mode: null,
    rating: null, allowed_actions: [],
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
  tokens.set({ access_token: 'A', refresh_token: 'R' });
});
afterEach(() => vi.unstubAllGlobals());

describe('OrderList', () => {
  it('draws a screenful first, then the rest of the page, then later reloads in full', async () => {
    let page = Array.from({ length: 20 }, (_, i) => order(i + 1));
    // The live stream is refused (an answer that ends would make it reopen at once).
    scriptFetch((req) => (req.path === '/api/v1/events' ? problem(503, 'x')
      : json(200, { items: page, next_cursor: 'next' })));
    const w = mount(OrderList, { props: { view: 'community' }, global: { plugins: [i18n, router] } });
    await flushPromises();
    expect(w.findAll('article.card')).toHaveLength(4);
    expect(w.find('.form-actions').exists()).toBe(false); // "more" waits for the whole page
    await vi.waitFor(() => expect(w.findAll('article.card')).toHaveLength(20));
    await vi.waitFor(() => expect(w.find('.form-actions').exists()).toBe(true));
    expect(w.findAll('.card__desc').map((p) => p.text())).toEqual(page.map((o) => o.description));

    page = Array.from({ length: 20 }, (_, i) => order(i + 101));
    await (w.vm as unknown as { reload: () => Promise<void> }).reload();
    await flushPromises();
    expect(w.findAll('article.card')).toHaveLength(20);
    w.unmount();
  });
});
