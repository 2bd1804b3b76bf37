// Tandem's service worker: it makes Tandem installable, shows the notifications the
// server pushes, and opens a notification's task when it is clicked.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { title: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Tandem", {
      body: data.body || "",
      // A newer notification about the same task replaces the older one.
      tag: data.tag,
      renotify: Boolean(data.tag),
      icon: "/icon-192.png",
      badge: "/icon-192.png",
      data: { url: data.url || "/notifications" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/notifications", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const same = windows.find((w) => w.url === url);
      if (same) return same.focus();
      // Only a window this worker controls can be navigated; otherwise open a new one.
      const open = windows.find((w) => "navigate" in w);
      if (open) {
        try {
          const navigated = await open.navigate(url);
          if (navigated) return navigated.focus();
        } catch (_) {
          // fall through to a new window
        }
      }
      return self.clients.openWindow(url);
    })(),
  );
});
