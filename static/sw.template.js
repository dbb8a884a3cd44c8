// tarsier's service worker (generated at build time by scripts/post-build.mjs from
// static/sw.template.js): keeps the site usable offline. Every file of the build is cached on
// install; the advisory bundle lives in its own cache, which the page's first worker replaces
// when a newer bundle has been published and verified. Only same-origin GETs are handled; the
// image never goes through here (it is read from the dropped File, not fetched).
const VERSION = '__VERSION__';
const APP_CACHE = `tarsier-app-${VERSION}`;
const BUNDLE_CACHE = 'tarsier-bundle';
const FILES = __FILES__;
const BUNDLE = 'advisories.trsb';
const MANIFEST = 'advisories.json';

const scope = new URL(self.registration.scope);
const rel = (url) => (url.pathname.startsWith(scope.pathname) ? url.pathname.slice(scope.pathname.length) : null);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const app = await caches.open(APP_CACHE);
      await app.addAll(['./', ...FILES.filter((f) => f !== BUNDLE && f !== MANIFEST)]);
      // Keep a bundle already saved (it may be newer than this build's); else save this one.
      const bundles = await caches.open(BUNDLE_CACHE);
      if (!(await bundles.match(new URL(BUNDLE, scope).href))) await bundles.add(new URL(BUNDLE, scope).href);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('tarsier-app-') && name !== APP_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return;
  const path = rel(url);
  if (path === null) return;
  // The manifest and explicit bundle downloads (`?v=`, `no-store`) go to the network: that is
  // how the page learns about a newer bundle.
  if (path === MANIFEST || request.cache === 'no-store' || url.search) return;
  if (path === BUNDLE) {
    event.respondWith(
      (async () => {
        const bundles = await caches.open(BUNDLE_CACHE);
        const hit = await bundles.match(url.href);
        if (hit) return hit;
        const response = await fetch(request);
        if (response.ok) await bundles.put(url.href, response.clone());
        return response;
      })(),
    );
    return;
  }
  event.respondWith(
    (async () => {
      const app = await caches.open(APP_CACHE);
      // Navigations (the page, with or without a share link's fragment) get the cached page.
      const key = request.mode === 'navigate' || path === '' ? new URL('./', scope).href : url.href;
      const hit = await app.match(key, { ignoreSearch: true });
      if (hit) return hit;
      return fetch(request);
    })(),
  );
});
