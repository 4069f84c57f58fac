// Owns the device preferences: interface language and 长辈模式 (elder mode). Persisted in
// localStorage and reflected on <html> (lang attribute, `elder` class) so CSS can enlarge the UI.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: Locale[] = ['zh-CN', 'en'];
const KEY = 'linli.prefs';

interface Saved {
  locale?: Locale;
  elder?: boolean;
}

function load(): Saved {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

function detect(): Locale {
  const lang = typeof navigator !== 'undefined' ? navigator.language : 'zh-CN';
  return lang.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

export const usePrefs = defineStore('prefs', () => {
  const saved = load();
  const locale = ref<Locale>(saved.locale && LOCALES.includes(saved.locale) ? saved.locale : detect());
  const elder = ref<boolean>(saved.elder ?? false);

  function apply(): void {
    localStorage.setItem(KEY, JSON.stringify({ locale: locale.value, elder: elder.value }));
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
