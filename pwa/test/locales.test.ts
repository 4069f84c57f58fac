// The locale files: zh-CN and en carry exactly the same keys, and every error code the API
// contract names has a message.
import { describe, expect, it } from 'vitest';
// The files as written: the app imports them compiled to vue-i18n's message ASTs (vite.config.ts).
import zhText from '@/locales/zh-CN.json?raw';
import enText from '@/locales/en.json?raw';

const zh = JSON.parse(zhText);
const en = JSON.parse(enText);

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]);
}

describe('locales', () => {
  it('zh-CN and en have the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
  });

  it('translate the API error codes', () => {
    const all = new Set(keys(zh));
    for (const code of ['order.illegal_transition', 'order.already_claimed', 'auth.invalid_credentials', 'request.invalid', 'network.offline']) {
      expect(all.has(`errors.${code}`), code).toBe(true);
    }
  });

  it('hold no empty strings', () => {
    const values = (o: object): unknown[] => Object.values(o).flatMap((v) => (v && typeof v === 'object' ? values(v) : [v]));
    expect(values(zh).filter((v) => v === '')).toEqual([]);
    expect(values(en).filter((v) => v === '')).toEqual([]);
  });
});

describe('switching language', () => {
  it('fetches English on first use, and a quick switch back to Chinese wins', async () => {
    const { i18n, setLocale } = await import('@/i18n');
    const { t } = i18n.global;
    expect(t('tabs.orders')).toBe(zh.tabs.orders);
    const english = setLocale('en');
    await setLocale('zh-CN'); // the user changed their mind before English arrived
    await english;
    expect(i18n.global.locale.value).toBe('zh-CN');
    await setLocale('en');
    expect(t('tabs.orders')).toBe('My orders');
  });
});
