// Owns start-up: creates the app with its router, store and translations, mounts it once the
// first screen can be drawn whole, then sends any orders left in the offline outbox whenever the
// connection is (or comes) back.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { router } from './router';
import { i18n, setLocale } from './i18n';
import { useOutbox } from './stores/outbox';
import { usePrefs } from './stores/prefs';
import './styles/app.css';

const app = createApp(App);
app.use(createPinia());
app.use(router);
app.use(i18n);
// The splash in index.html stays until the landing view's code (and, for English, its messages)
// is here: mounting sooner would replace it with an empty frame, then draw the page twice.
void Promise.allSettled([router.isReady(), setLocale(usePrefs().locale)]).then(() => app.mount('#app'));

const outbox = useOutbox();
const sendQueued = () => {
  void outbox.refresh().then(() => outbox.send());
};
window.addEventListener('online', sendQueued);
router.isReady().then(sendQueued);
