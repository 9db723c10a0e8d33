// gridgov worker app: the shell is cached so the app opens without network; API reads are
// network-first with the last answer as fallback; writes are queued by the page, not here.
{% load static %}const CACHE = "gridgov-app-{{ version }}-r1";
const SHELL = {{ shell|safe }}.concat(["{% static 'web/app_registry.js' %}"]);
// Never kept in the cache: the registry's key and bundle (the phone keeps its own copy,
// encrypted), the people in care and the household changes — personal data at rest in
// clear text otherwise.
const PRIVATE = ["/api/v1/worker/registry/", "/api/v1/care/", "/api/v1/homes/"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("gridgov-app-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const cacheable = url.pathname.startsWith("/app/") || url.pathname.startsWith("/static/") || url.pathname.startsWith("/api/v1/");
  if (!cacheable || PRIVATE.some((prefix) => url.pathname.startsWith(prefix))) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit || caches.match(url.pathname)))
  );
});
