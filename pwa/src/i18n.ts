// Owns translation: vue-i18n with the two locale files, Vant's own component strings kept in
// the same language, and turning API error codes into messages (errors.<code>).
import { createI18n } from 'vue-i18n';
import { Locale as VantLocale } from 'vant';
import vantEn from 'vant/es/locale/lang/en-US';
import vantZh from 'vant/es/locale/lang/zh-CN';
import zhCN from './locales/zh-CN.json';
import en from './locales/en.json';
import { isApiError } from './api/errors';
import type { Locale } from './stores/prefs';

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  VantLocale.use(locale, locale === 'en' ? vantEn : vantZh);
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
