// OrderActions: buttons come only from allowed_actions, and a lost claim (409) reads as
// "someone else took it" inline.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import OrderActions from '@/components/OrderActions.vue';
import { i18n } from '@/i18n';
import { tokens } from '@/api/tokens';
import type { Order } from '@/api/types';
import { json, problem, scriptFetch } from './helpers';

// Only the fields OrderActions reads; the rest of an order does not matter here.
const base = {
  id: 7, number: '20261122-0007', community_id: 1, category: { id: 1, code: 'meal', name: '助餐' },
  status: 'dispatched', description: '送餐', dispatch_mode: 'pool', allowed_actions: [] as string[],
} as unknown as Order;

beforeEach(() => {
  setActivePinia(createPinia());
  tokens.set({ access_token: 'A', refresh_token: 'R' });
  i18n.global.locale.value = 'zh-CN';
});
afterEach(() => vi.unstubAllGlobals());

function render(order: Order) {
  return mount(OrderActions, { props: { order }, global: { plugins: [i18n] } });
}

describe('OrderActions', () => {
  it('shows exactly the allowed actions, in the state machine\'s order', () => {
    const w = render({ ...base, allowed_actions: ['cancel', 'dispatch', 'reject'] });
    expect(w.findAll('[data-action]').map((b) => b.attributes('data-action'))).toEqual(['dispatch', 'cancel', 'reject']);
  });

  it('shows nothing the API did not allow', () => {
    const w = render({ ...base, allowed_actions: [] });
    expect(w.findAll('button')).toHaveLength(0);
  });

  it('calls a pooled accept "claim" and says someone else took it on 409', async () => {
    scriptFetch(() => problem(409, 'order.already_claimed'));
    const w = render({ ...base, allowed_actions: ['accept'] });
    const claim = w.get('[data-action="accept"]');
    expect(claim.text()).toBe('抢单');
    await claim.trigger('click');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toContain('这单已被其他人抢走');
    expect(w.emitted('done')).toEqual([[null]]);
  });

  it('keeps an open sheet about the order it was opened for while the list reloads under it', async () => {
    const seen = scriptFetch(() => json(200, { items: [], next_cursor: null }));
    const w = render({ ...base, status: 'submitted', allowed_actions: ['dispatch'] });
    await w.get('[data-action="dispatch"]').trigger('click');
    // The dispatch form loads with the sheet (an async component), then asks for the takers.
    await vi.waitFor(() => expect(seen.some((r) => r.path.endsWith('/takers'))).toBe(true));
    // A reload hands the card another order object, even another order at this place.
    const other = { ...base, id: 8, number: '20261122-0008', category: { id: 2, code: 'errand', name: '跑腿' } };
    await w.setProps({ order: { ...other, status: 'submitted', allowed_actions: ['dispatch'] } as unknown as Order });
    await flushPromises();
    const sheet = document.body.querySelector('.sheet');
    expect(sheet?.textContent).toContain('20261122-0007');
    const takers = seen.filter((r) => r.path.endsWith('/takers'));
    expect(takers.map((r) => r.query.get('category_id'))).toEqual(['1']); // asked once, for its own service
    w.unmount();
  });
});
