// Owns the community's service catalogue: fetched per community, kept in localStorage so the
// order form works offline, and ranked by how often this device ordered each service (elder
// mode's home shows the six most used).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { fetchCategories } from '@/api/endpoints';
import { isApiError } from '@/api/errors';
import type { Category } from '@/api/types';

const CACHE = 'linli.catalogue.';
const USAGE = 'linli.usage';

function readJson<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

export const useCatalogue = defineStore('catalogue', () => {
  const byCommunity = ref<Record<string, Category[]>>({});
  const usage = ref<Record<string, number>>(readJson(USAGE, {}));

  async function load(communityId: string): Promise<Category[]> {
    try {
      const items = await fetchCategories(communityId);
      byCommunity.value[communityId] = items;
      localStorage.setItem(CACHE + communityId, JSON.stringify(items));
    } catch (e) {
      const cached = readJson<Category[] | null>(CACHE + communityId, null);
      if (!(isApiError(e) && e.offline) || !cached) throw e;
      byCommunity.value[communityId] = cached;
    }
    return byCommunity.value[communityId];
  }

  function find(communityId: string, categoryId: string): Category | undefined {
    const list = byCommunity.value[communityId] ?? readJson<Category[]>(CACHE + communityId, []);
    return list.find((c) => String(c.id) === categoryId);
  }

  function recordUse(code: string): void {
    usage.value[code] = (usage.value[code] ?? 0) + 1;
    localStorage.setItem(USAGE, JSON.stringify(usage.value));
  }

  /** The `n` most used services; ties (and a fresh device) keep the catalogue's own order. */
  function mostUsed(communityId: string, n = 6): Category[] {
    const list = byCommunity.value[communityId] ?? [];
    return list
      .map((c, i) => ({ c, i, used: usage.value[c.code] ?? 0 }))
      .sort((a, b) => b.used - a.used || a.i - b.i)
      .slice(0, n)
      .map((x) => x.c);
  }

  function clear(): void {
    Object.keys(localStorage).filter((k) => k.startsWith(CACHE)).forEach((k) => localStorage.removeItem(k));
    byCommunity.value = {};
  }

  return { byCommunity, usage, load, find, recordUse, mostUsed, clear };
});
