// Owns navigation: the routes, lazy-loaded views, the sign-in guard, and which tabs (and which
// landing page) each role gets. Views marked `paintsFirst` draw their frame before the profile
// (/api/v1/me) has arrived and fill in when it does: the first screen does not wait a round trip.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSession, TAKER_ROLES } from '@/stores/session';

export interface Tab {
  name: string;
  label: string;
  icon: string;
  roles: string[] | null;
}

/** Tabs in bar order; `roles: null` means everyone signed in. */
export const TABS: Tab[] = [
  { name: 'home', label: 'tabs.home', icon: 'home-o', roles: ['resident'] },
  { name: 'orders', label: 'tabs.orders', icon: 'orders-o', roles: ['resident'] },
  { name: 'board', label: 'tabs.board', icon: 'todo-list-o', roles: ['worker'] },
  { name: 'hall', label: 'tabs.hall', icon: 'fire-o', roles: TAKER_ROLES },
  { name: 'tasks', label: 'tabs.tasks', icon: 'completed-o', roles: [...TAKER_ROLES, 'provider'] },
  { name: 'ideas', label: 'tabs.ideas', icon: 'bulb-o', roles: null },
  { name: 'quality', label: 'tabs.quality', icon: 'chart-trending-o', roles: ['worker'] },
  { name: 'me', label: 'tabs.me', icon: 'user-o', roles: null },
];

export function tabsFor(roles: string[]): Tab[] {
  return TABS.filter((t) => t.roles === null || t.roles.some((r) => roles.includes(r)));
}

/** Where a user lands: their duty first (dispatching, the hall, tasks), then the resident home. */
const LANDING = ['board', 'hall', 'tasks', 'home'];
export function landingFor(roles: string[]): string {
  const names = tabsFor(roles).map((t) => t.name);
  return LANDING.find((n) => names.includes(n)) ?? 'me';
}

const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: () => import('@/views/SignInView.vue'), meta: { public: true } },
  // Where WeChat and the single sign-on provider send the browser back (LINLI_*_CALLBACK/REDIRECT_URL).
  { path: '/sign-in/wechat', name: 'sso-wechat', component: () => import('@/views/SsoCallbackView.vue'), props: { kind: 'wechat' }, meta: { public: true } },
  { path: '/sign-in/sso', name: 'sso-oidc', component: () => import('@/views/SsoCallbackView.vue'), props: { kind: 'oidc' }, meta: { public: true } },
  { path: '/', name: 'start', component: { render: () => null } },
  { path: '/home', name: 'home', component: () => import('@/views/HomeView.vue'), meta: { paintsFirst: true } },
  { path: '/order/new', name: 'order-new', component: () => import('@/views/OrderFormView.vue') },
  { path: '/orders', name: 'orders', component: () => import('@/views/OrdersView.vue'), meta: { paintsFirst: true } },
  { path: '/orders/:id', name: 'order', component: () => import('@/views/OrderDetailView.vue'), props: true },
  { path: '/board', name: 'board', component: () => import('@/views/BoardView.vue'), meta: { paintsFirst: true } },
  { path: '/hall', name: 'hall', component: () => import('@/views/HallView.vue'), meta: { paintsFirst: true } },
  { path: '/tasks', name: 'tasks', component: () => import('@/views/TasksView.vue'), meta: { paintsFirst: true } },
  { path: '/ideas', name: 'ideas', component: () => import('@/views/IdeasView.vue') },
  { path: '/ideas/:id', name: 'round', component: () => import('@/views/RoundView.vue'), props: true },
  { path: '/ideas/:id/new', name: 'proposal-new', component: () => import('@/views/ProposalFormView.vue'), props: true },
  { path: '/proposals/:id', name: 'proposal', component: () => import('@/views/ProposalView.vue'), props: true },
  { path: '/projects/:id', name: 'project', component: () => import('@/views/ProjectView.vue'), props: true },
  { path: '/ideas/:id/public', name: 'disclosure', component: () => import('@/views/DisclosureView.vue'), props: true, meta: { public: true } },
  { path: '/me', name: 'me', component: () => import('@/views/MeView.vue') },
  { path: '/quality', name: 'quality', component: () => import('@/views/QualityView.vue') },
  { path: '/quality/callbacks', name: 'callbacks', component: () => import('@/views/CallbacksView.vue') },
  { path: '/me/points', name: 'points', component: () => import('@/views/PointsView.vue') },
  { path: '/me/inbox', name: 'inbox', component: () => import('@/views/InboxView.vue') },
  { path: '/me/notifications', name: 'notification-prefs', component: () => import('@/views/NotificationPrefsView.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    /** The view renders before the profile is known and follows it reactively. */
    paintsFirst?: boolean;
  }
}

/** The profile on its way (one request however many navigations ask); a refusal signs out. */
let loadingMe: Promise<boolean> | null = null;
function profile(): Promise<boolean> {
  const session = useSession();
  loadingMe ??= session.loadMe().then(
    () => true,
    () => {
      session.signOut();
      return false;
    },
  ).finally(() => {
    loadingMe = null;
  });
  return loadingMe;
}

router.beforeEach(async (to) => {
  const session = useSession();
  if (to.meta.public) return session.signedIn && to.name === 'signin' ? { name: 'start' } : true;
  if (!session.signedIn) return { name: 'signin', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (!session.me) {
    const loaded = profile();
    if (to.meta.paintsFirst) {
      void loaded.then((ok) => {
        if (!ok) void router.replace({ name: 'signin' });
      });
      return true;
    }
    if (!(await loaded)) return { name: 'signin' };
  }
  if (to.name === 'start') return { name: landingFor(session.roles) };
  return true;
});
