// Lets the bundler drop the parts of Vue the app never uses. vue-i18n imports Vue as a namespace
// (`import * as Vue from 'vue'`) only to ask `'currentInstance' in Vue` — a name Vue 3.5 does not
// export — and falls back to `Vue.getCurrentInstance()`. Touching the namespace that way keeps
// every export of Vue in the bundle (Teleport, Suspense, KeepAlive, hydration, SSR helpers…). At
// build time this narrows the import to the one function, which is what runs on Vue 3.5 anyway.
import type { Plugin } from 'vite';

const NAMESPACE = "import * as Vue from 'vue';";
const NARROWED = "import { getCurrentInstance as __linliGCI } from 'vue';\nconst Vue = { getCurrentInstance: __linliGCI };";

export function narrowVueNamespace(): Plugin {
  return {
    name: 'linli:narrow-vue-namespace',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]vue-i18n[\\/]dist[\\/]vue-i18n(\.runtime)?\.mjs$/.test(id)) return null;
      if (!code.includes(NAMESPACE)) this.error('vue-i18n no longer imports Vue as a namespace: revisit build/vue-namespace.ts');
      if (/['"]currentInstance['"]/.test(code) && !code.includes("const key = 'currentInstance';")) {
        this.error('vue-i18n reads Vue differently now: revisit build/vue-namespace.ts');
      }
      return { code: code.replace(NAMESPACE, NARROWED), map: null };
    },
  };
}
