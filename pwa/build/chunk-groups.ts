// Fewer, larger files for the first screen. Left to itself the bundler gives every small module
// shared by a different set of views its own chunk: the dispatch board fetched 19 files after
// the app's own 9, most under 1 KB. A phone on HTTP/1.1 opens at most six connections to the
// server, so each extra file waits its turn for a round trip (~150 ms on slow 4G). These
// groups put what the landing views share into three chunks:
// - core: what every screen runs (state, translations and their Chinese messages, the API
//   client), next to the entry instead of in five pieces;
// - page: the page header, the bottom sheet (Vant's popup and overlay) and the catalogue store;
// - order-list: the order cards, their actions and pull-to-refresh.
// A group takes only the modules named here (not their dependencies), so nothing the entry
// already loads moves out of it; build/route-preload.ts fails the build if a lazy group ends up
// among the entry's own files (every screen would then download it up front).
const any = (patterns: RegExp[]) => (id: string) => patterns.some((re) => re.test(id));
const vant = (parts: string) => new RegExp(`vant[\\\\/]es[\\\\/](${parts})[\\\\/.]`);

const CORE = [
  /vite[\\/]preload-helper|@oxc-project\+runtime@/,
  /node_modules[\\/](pinia|vue-i18n|@intlify|openapi-fetch)[\\/]/,
  /src[\\/](i18n|composables)\.ts$/,
  /src[\\/]locales[\\/]zh-CN\.json$/,
  /src[\\/]api[\\/](client|tokens|errors|first-request|endpoints)\.ts$/,
];
const PAGE = [
  /src[\\/]components[\\/]PageHeader\.vue/,
  /src[\\/]stores[\\/]catalogue\.ts$/,
  /src[\\/]api[\\/]types\.ts$/,
  vant('popup|overlay|nav-bar|utils[\\\\/]interceptor'),
  vant('composables[\\\\/](on-popup-reopen|use-expose|use-scope-id|use-lock-scroll|use-lazy-render|use-touch)'),
];
const ORDER_LIST = [
  /src[\\/]components[\\/](OrderList|OrderCard|OrderActions|StatusTag)\.vue/,
  /src[\\/]orders\.ts$/,
  vant('pull-refresh|tag'),
];

/** The chunks that must not be among the entry's static imports (route-preload checks). */
export const LAZY_GROUPS = ['page', 'order-list'];

export const chunkGroups = [
  { name: 'core', test: any(CORE), includeDependenciesRecursively: false },
  { name: 'page', test: any(PAGE), includeDependenciesRecursively: false },
  { name: 'order-list', test: any(ORDER_LIST), includeDependenciesRecursively: false },
];
