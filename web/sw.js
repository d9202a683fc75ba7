/*
 * The web app's service worker (issue 44): the app opens without the network once it has been
 * opened (its shell: the page and its hashed assets), and the thumbnails seen lately show again at
 * once. Registered only where the context is secure (HTTPS on the home network; loopback).
 * Everything else — the API, originals, uploads — always goes to the daemon: a revoked browser is
 * refused there, whatever is cached here. BUILD and ASSETS are filled in by scripts/build-web.mjs.
 */
const BUILD = '__BUILD__';
const ASSETS = __ASSETS__;
const SHELL = `vss-shell-${BUILD}`;
const THUMBS = 'vss-thumbs-v1';
/** Thumbnails kept: the oldest go past this many. */
const MAX_THUMBS = 2000;
/** A grid thumbnail by its checksum (`?v=`): its bytes never change under that address. */
const THUMB = /\/api\/libraries\/[^/]+\/sidecars\/[^/]+\/thumb\/[^/?]+\?v=/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(['./', ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('vss-shell-') && key !== SHELL) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (THUMB.test(url.pathname + url.search)) {
    event.respondWith(thumb(req));
    return;
  }
  // The page: the daemon's when it answers (a new build, a sign-in), else the one kept.
  if (req.mode === 'navigate' && url.pathname.startsWith('/ui/') && !url.search.includes('ticket=')) {
    event.respondWith(fetch(req).then((res) => {
      if (res.ok) void caches.open(SHELL).then((c) => c.put('./', res.clone()));
      return res;
    }).catch(async () => (await caches.match('./', { cacheName: SHELL })) ?? Response.error()));
    return;
  }
  // The hashed assets never change under their names: kept ones answer at once.
  if (url.pathname.startsWith('/ui/assets/')) event.respondWith(caches.match(req, { cacheName: SHELL }).then((hit) => hit ?? fetch(req)));
});

async function thumb(req) {
  const cache = await caches.open(THUMBS);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok && res.status === 200) {
    await cache.put(req, res.clone());
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_THUMBS))) await cache.delete(old);
  }
  return res;
}
