// Marginalia's service worker: the app shell offline. On install it stores every file of the
// build (the list and the version below are written by the build: web/precache.mjs, a trunk
// post_build hook) in a cache named after the version; afterwards it answers those files from
// that cache, and the page's address (with any `?open=`) with the cached index.html. Anything
// else (a file a link opens, test data) goes to the network as usual. A new build is a new
// version: the browser sees this file change, installs the new worker, which waits until the
// page, once its saves are written, asks it to take over (src/dom/offline.rs); the old
// version's cache is deleted then.
const BUILD = /*PRECACHE*/ { version: 'dev', files: [] } /*END*/;
const PREFIX = 'marginalia-';
const CACHE = `${PREFIX}${BUILD.version}`;
const SHELL = new Set(BUILD.files.map((f) => new URL(f, self.registration.scope).href));
const INDEX = new URL('index.html', self.registration.scope).href;
// The page's own addresses: the scope itself and index.html (with any query).
const PAGE = new Set([new URL(self.registration.scope).pathname, new URL(INDEX).pathname]);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // Past the HTTP cache, so that a new version never stores an old file.
      cache.addAll(BUILD.files.map((f) => new Request(f, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      // The first visit's page is controlled at once, so that it works offline from now on.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'take-over') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const key = PAGE.has(url.pathname) ? INDEX : url.origin + url.pathname;
  if (key !== INDEX && !SHELL.has(key)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(key);
      return hit ?? fetch(req);
    })(),
  );
});
