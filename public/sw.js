// Roster's service worker: keeps the import page, its WASM, its reader and
// its styles so that an admin who opened the page once can reopen it and
// check files offline. Network first, so a new release is used as soon as it
// is reachable.
const CACHE = "roster-page-v1";
const KEEP = [/^\/import$/, /^\/pkg\//, /^\/reader\.js$/, /^\/favicon\.svg$/];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/api/logout") {
    // Nothing of a signed-out session stays in the browser.
    event.waitUntil(caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key)))));
    return;
  }
  if (event.request.method !== "GET" || !KEEP.some((path) => path.test(url.pathname))) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(event.request).then((kept) => kept || Response.error())),
  );
});
