// Moves Vant's icon font out of the first stylesheet. Vant inlines the font as a ~34 KB base64
// data URL inside vant/es/icon/index.css, which lands in the render-blocking CSS of the first
// screen and delays the first paint on a slow connection. At build time this writes the font as
// its own hashed file (precached by the service worker like every asset) and points the CSS at
// it with font-display: swap, so text paints at once and icons follow. The CSS's second source,
// a woff on Alibaba's CDN, goes too: a phone that reads woff2 never needs it, and it was a
// third-party request on every first load (and one that fails offline).
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

const DATA_URL = /url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)/;
const CDN_FALLBACK = /,\s*url\(\/\/at\.alicdn\.com\/[^)]*\)\s*format\("woff"\)/;

export function iconFontAsFile(): Plugin {
  let font: { fileName: string; source: Buffer } | null = null;
  return {
    name: 'linli:icon-font-as-file',
    apply: 'build',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('vant/es/icon/index.css')) return null;
      const found = DATA_URL.exec(code);
      if (!found) this.error('vant icon CSS no longer inlines its woff2 font: revisit build/icon-font.ts');
      const source = Buffer.from(found[1], 'base64');
      const hash = createHash('sha256').update(source).digest('hex').slice(0, 8);
      font = { fileName: `assets/vant-icon-${hash}.woff2`, source };
      return code
        .replace(DATA_URL, `url(/${font.fileName})`)
        .replace(CDN_FALLBACK, '')
        .replace(/font-display:\s*auto/, 'font-display:swap');
    },
    generateBundle() {
      if (font) this.emitFile({ type: 'asset', fileName: font.fileName, source: font.source });
    },
  };
}
