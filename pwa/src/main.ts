// Owns start-up: creates the app with its router, store and translations, then sends any orders
// left in the offline outbox whenever the connection is (or comes) back.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';
import { useOutbox } from './stores/outbox';
import './styles/app.css';

const app = createApp(App);
app.use(createPinia());
app.use(router);
app.use(i18n);
app.mount('#app');

const outbox = useOutbox();
const sendQueued = () => {
  void outbox.refresh().then(() => outbox.send());
};
window.addEventListener('online', sendQueued);
router.isReady().then(sendQueued);
