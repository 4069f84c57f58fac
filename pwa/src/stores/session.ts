// Owns who is signed in: the /me profile (cached so the app opens offline), the chosen community
// and the roles held there, and signing in and out.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { fetchMe, requestOtp, signIn as postToken, type SignInBody } from '@/api/endpoints';
import { onSessionExpired } from '@/api/client';
import { isApiError } from '@/api/errors';
import { tokens, type TokenPair } from '@/api/tokens';
import type { Me, Membership } from '@/api/types';

const ME_KEY = 'linli.me';
const COMMUNITY_KEY = 'linli.community';
export const TAKER_ROLES = ['volunteer', 'party_member'];

function cachedMe(): Me | null {
  try {
    const raw = localStorage.getItem(ME_KEY);
    return raw ? (JSON.parse(raw) as Me) : null;
  } catch {
    return null;
  }
}

export const useSession = defineStore('session', () => {
  const signedIn = ref(tokens.refresh() !== null);
  const me = ref<Me | null>(signedIn.value ? cachedMe() : null);
  const communityId = ref<string | null>(localStorage.getItem(COMMUNITY_KEY));

  const memberships = computed<Membership[]>(() => me.value?.memberships ?? []);
  const membership = computed<Membership | null>(() =>
    memberships.value.find((m) => String(m.community_id) === communityId.value) ?? memberships.value[0] ?? null);
  const roles = computed<string[]>(() => {
    const own = membership.value?.roles ?? [];
    const global = (me.value as { roles?: string[] } | null)?.roles ?? [];
    return [...new Set([...own, ...global])];
  });
  const userId = computed(() => (me.value ? String(me.value.id) : ''));

  function hasRole(...wanted: string[]): boolean {
    return wanted.some((r) => roles.value.includes(r));
  }

  function setCommunity(id: string | number): void {
    communityId.value = String(id);
    localStorage.setItem(COMMUNITY_KEY, communityId.value);
  }

  async function loadMe(): Promise<Me | null> {
    try {
      me.value = await fetchMe();
      localStorage.setItem(ME_KEY, JSON.stringify(me.value));
    } catch (e) {
      // Offline: keep the cached profile; anything else (401 after refresh) ends the session.
      if (!(isApiError(e) && e.offline)) throw e;
    }
    if (me.value && !membership.value?.community_id) return me.value;
    if (membership.value && communityId.value !== String(membership.value.community_id)) {
      setCommunity(membership.value.community_id);
    }
    return me.value;
  }

  async function signIn(body: SignInBody): Promise<void> {
    await postToken(body);
    signedIn.value = true;
    await loadMe();
  }

  /** A pair obtained elsewhere (WeChat, single sign-on) starts the session like a sign-in. */
  async function adopt(pair: TokenPair): Promise<void> {
    tokens.set(pair);
    signedIn.value = true;
    await loadMe();
  }

  function signOut(): void {
    tokens.clear();
    localStorage.removeItem(ME_KEY);
    signedIn.value = false;
    me.value = null;
  }

  onSessionExpired(signOut);

  return { signedIn, me, communityId, memberships, membership, roles, userId, hasRole, setCommunity, loadMe, signIn, adopt, signOut, requestOtp };
});
