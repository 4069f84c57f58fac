// Owns the device preferences: interface language and 长辈模式 (elder mode). Persisted in
// localStorage and reflected on <html> (lang attribute, `elder` class) so CSS can enlarge the UI.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: Locale[] = ['zh-CN', 'en'];
export const PREFS_KEY = 'linli.prefs';

interface Saved {
  locale?: Locale;
  elder?: boolean;
}

function load(): Saved {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

/** The language to start in: the one picked on this device, else the browser's. The module that
 * build/route-preload.ts puts in index.html runs it too (serialized: it uses nothing outside its
 * body), to fetch English together with the app. */
export function startLocale(picked: unknown, language: string): Locale {
  if (picked === 'zh-CN' || picked === 'en') return picked;
  return language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

export const usePrefs = defineStore('prefs', () => {
  const saved = load();
  const locale = ref<Locale>(startLocale(saved.locale, typeof navigator !== 'undefined' ? navigator.language : 'zh-CN'));
  const elder = ref<boolean>(saved.elder ?? false);

  function apply(): void {
    localStorage.setItem(PREFS_KEY, JSON.stringify({ locale: locale.value, elder: elder.value }));
    const root = document.documentElement;
    root.lang = locale.value;
    root.classList.toggle('elder', elder.value);
  }
  watch([locale, elder], apply, { immediate: true });

  function setLocale(next: Locale): void {
    locale.value = next;
  }
  function setElder(on: boolean): void {
    elder.value = on;
  }
  return { locale, elder, setLocale, setElder };
});
