// Web Push in the service worker (imported by the Workbox-generated worker): shows each notice
// and opens the order it is about on click. The message is the notice as the API stores it:
// {id, kind, payload, order_id}. The worker cannot load the app's locale files, so it keeps the
// few titles it needs here (zh-CN, the app's first language).
const TITLES = {
  'order.accept': '您的工单已被接单',
  'order.start': '服务已开始',
  'order.complete': '服务已完成，请评价',
  'order.reject': '您的工单未被受理',
  'order.cancel': '工单已取消',
  'order.dispatch': '有一张工单派给您',
  'order.rate': '居民已评价您的服务',
  'order.reopen': '居民重新打开了工单',
  'order.submit': '社区为您下了一张工单',
  'order.escalated': '工单已超时，请尽快处理',
};

self.addEventListener('push', (event) => {
  let notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch {
    notice = {};
  }
  const payload = notice.payload || {};
  const title = TITLES[notice.kind] || '邻里有新消息';
  const body = payload.number ? `单号 ${payload.number}` : '';
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag: notice.order_id ? `order-${notice.order_id}` : undefined,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: notice.order_id ? `/orders/${notice.order_id}` : '/me' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const win of windows) {
        if ('focus' in win) {
          return win.focus().then((focused) => (focused && 'navigate' in focused ? focused.navigate(url) : focused));
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
