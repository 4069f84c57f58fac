// Owns translation: vue-i18n with the two locale files, Vant's own component strings kept in
// the same language, and turning API error codes into messages (errors.<code>). Chinese ships
// with the first screen; English is fetched the first time someone picks it, so most users'
// phones never download or parse it.
import { createI18n } from 'vue-i18n';
import { Locale as VantLocale } from 'vant';
import vantZh from 'vant/es/locale/lang/zh-CN';
import zhCN from './locales/zh-CN.json';
import { isApiError } from './api/errors';
import type { Locale } from './stores/prefs';

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  // English joins on first use (setLocale); typed as present so keys are checked for both.
  messages: { 'zh-CN': zhCN } as Record<Locale, typeof zhCN>,
});

let wanted: Locale = 'zh-CN';

/** Switch the app and Vant to `locale`, loading English on first use. A later call wins. */
export async function setLocale(locale: Locale): Promise<void> {
  wanted = locale;
  if (locale === 'en') {
    const [messages, vant] = await Promise.all([
      import('./locales/en.json'),
      import('vant/es/locale/lang/en-US'),
    ]);
    if (wanted !== locale) return; // switched back while English was on its way
    i18n.global.setLocaleMessage('en', messages.default);
    i18n.global.locale.value = locale;
    VantLocale.use(locale, vant.default);
    return;
  }
  i18n.global.locale.value = locale;
  VantLocale.use(locale, vantZh);
}

/** A message for any thrown value: the API's code when the locale knows it, else a generic one. */
export function errorMessage(e: unknown): string {
  const { t, te } = i18n.global;
  if (isApiError(e)) {
    if (te(`errors.${e.code}`)) return t(`errors.${e.code}`);
    if (te(`errors.http.${e.status}`)) return t(`errors.http.${e.status}`);
  }
  return t('errors.generic');
}
