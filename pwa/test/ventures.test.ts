// The 点子 screens: the proposal form shows the budget total as typed and holds back a total
// outside the round's bracket; what it sends is in fen, and the server's answer opens the draft.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import ProposalFormView from '@/views/ProposalFormView.vue';
import { i18n } from '@/i18n';
import { tokens } from '@/api/tokens';
import { yuan } from '@/api/ventures';
import { json, scriptFetch } from './helpers';

const round = {
  id: 3, title: '金点子', phase: 'collecting', next_phase: 'supporting', pool_fen: 3_000_000,
  min_fen: 500_000, max_fen: 1_500_000, support_threshold: 2, schedule: {},
};

beforeEach(() => {
  setActivePinia(createPinia());
  tokens.set({ access_token: 'A', refresh_token: 'R' });
  i18n.global.locale.value = 'zh-CN';
});
afterEach(() => vi.unstubAllGlobals());

async function render() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/ideas/:id/new', name: 'proposal-new', component: ProposalFormView, props: true },
      { path: '/proposals/:id', name: 'proposal', component: { render: () => null } },
    ],
  });
  await router.push('/ideas/3/new');
  const w = mount(ProposalFormView, { props: { id: '3' }, global: { plugins: [i18n, router] } });
  await flushPromises();
  return { w, router };
}

describe('ventures', () => {
  it('formats fen as yuan', () => {
    expect(yuan(1_500_000)).toBe('15,000.00');
    expect(yuan(5)).toBe('0.05');
  });

  it('totals the budget as typed and refuses to submit outside the bracket', async () => {
    const seen = scriptFetch((req) => {
      if (req.method === 'GET') return json(200, round);
      if (req.path.endsWith('/proposals')) return json(201, { id: 9 });
      return json(200, { id: 9, status: 'submitted' });
    });
    const { w, router } = await render();
    const inputs = w.findAll('input, textarea');
    const byLabel = (n: number) => inputs[n];
    for (const [i, v] of ['扶手', '老人上楼难', '装扶手', '老人', '40', '志愿者'].entries()) await byLabel(i).setValue(v);
    await byLabel(6).setValue('材料');
    await byLabel(7).setValue('10');
    await byLabel(8).setValue('100');
    expect(w.get('[data-testid="total"]').text()).toContain('1,000.00');
    const submit = w.findAll('button').at(-1)!;
    expect(submit.attributes('disabled')).toBeDefined(); // 1,000 CNY < 5,000 CNY
    await byLabel(8).setValue('1000.5');
    expect(w.get('[data-testid="total"]').text()).toContain('10,005.00');
    await submit.trigger('click');
    await flushPromises();
    const created = seen.find((s) => s.method === 'POST' && s.path === '/api/v1/ventures/rounds/3/proposals');
    expect((created!.body as { budget_lines: unknown[] }).budget_lines).toEqual([
      { item: '材料', quantity: 10, unit_price_fen: 100_050 },
    ]);
    expect(seen.some((s) => s.path === '/api/v1/ventures/proposals/9/submit')).toBe(true);
    expect(router.currentRoute.value.fullPath).toBe('/proposals/9');
  });
});
