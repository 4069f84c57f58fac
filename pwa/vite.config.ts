/// <reference types="vitest/config" />
// Build configuration: Vue SFCs and the Workbox service worker (vite-plugin-pwa, generateSW).
// The service worker precaches the app shell, never answers /api, /schema, /health or /open311
// navigations with index.html, and caches no API answers at all.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18n from '@intlify/unplugin-vue-i18n/vite';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath, URL } from 'node:url';
import { iconFontAsFile } from './build/icon-font';
import { narrowVueNamespace } from './build/vue-namespace';
import { routePreload } from './build/route-preload';
import { chunkGroups } from './build/chunk-groups';

const backend = process.env.LINLI_BACKEND ?? 'http://127.0.0.1:8000';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  plugins: [
    vue(),
    // The locale files become vue-i18n's message ASTs at build time, and the app ships vue-i18n's
    // runtime-only build without the message compiler: no compiling each message on first use.
    VueI18n({
      include: [fileURLToPath(new URL('./src/locales/**', import.meta.url))],
      runtimeOnly: true,
      dropMessageCompiler: true,
      compositionOnly: true, // vue-i18n's legacy API compiled out
      fullInstall: false, // no global <i18n-t> or v-t
    }),
    iconFontAsFile(),
    narrowVueNamespace(),
    // Where users land (router: landingFor and the tab bar); keep in step with src/router.
    routePreload(
      {
        '/home': 'src/views/HomeView.vue',
        '/board': 'src/views/BoardView.vue',
        '/hall': 'src/views/HallView.vue',
        '/tasks': 'src/views/TasksView.vue',
      },
      // What src/i18n.ts imports for a language other than Chinese.
      { en: ['src/locales/en.json', 'vant/es/locale/lang/en-US.mjs'] },
    ),
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      includeAssets: ['icons/favicon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        name: '邻里 · 社区服务',
        short_name: '邻里',
        description: '群众点单、社区派单、党员接单、群众评单',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#c8161d',
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/schema(\/|$)/, /^\/health(\/|$)/, /^\/open311(\/|$)/],
        // No runtimeCaching: authenticated API answers must never land in a cache.
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        importScripts: ['/push-sw.js'], // Web Push: show notices, open the order on click
      },
    }),
  ],
  server: { proxy: { '/api': backend, '/schema': backend, '/health': backend } },
  preview: { proxy: { '/api': backend, '/schema': backend, '/health': backend } },
  // Compile-time switches that drop code the app never runs: Vue's Options API (every component
  // here and in Vant uses setup()) and the production devtools hooks (vue-i18n's own switches
  // are set by its plugin above). Less JavaScript to parse and run before the first screen.
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    target: 'es2020',
    chunkSizeWarningLimit: 200,
    rolldownOptions: { output: { codeSplitting: { groups: chunkGroups } } },
  },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Vant's ES build imports its CSS; inlining lets Vite handle those imports in tests.
    server: { deps: { inline: ['vant'] } },
  },
});
