// The kiosk's service worker (served at /sw.js, scope /): over HTTPS, the sale screen and
// its files load with the network down, so a reload at the stall still sells.
//
// - /sell (the page shell and the catalogue it embeds): network first, so it is always
//   today's; the copy kept is served when the network fails or hangs PAGE_TIMEOUT_MS.
// - /assets/VERSION/… and product photos: their URLs change with their content, so the
//   copy kept is served without asking (static/js/till.js hands over the ones a page
//   loaded before this worker controlled it, and drops older versions).
// - Everything else, and every request that is not a GET (a sale above all), goes to the
//   network untouched: nothing here stores or replays a sale.
const CACHE = "kiosk-offline-1";
const PAGES = ["/sell"];
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => { event.waitUntil(self.skipWaiting()); });

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

const sameOrigin = (url) => url.origin === self.location.origin;
const isPage = (url) => sameOrigin(url) && PAGES.includes(url.pathname);
const isAsset = (url) => sameOrigin(url)
  && (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/p/photo/"));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate" && isPage(url)) event.respondWith(page(event));
  else if (isAsset(url)) event.respondWith(asset(request));
});

async function remember(cache, key, response) {
  if (response.ok && response.type === "basic") await cache.put(key, response);
  else if (response.type === "opaqueredirect" || response.status === 401
           || response.status === 403) {
    await cache.delete(key, { ignoreSearch: true });  // logged out: keep no sale screen
  }
}

async function page(event) {
  const request = event.request;
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    event.waitUntil(remember(cache, request.url, response.clone()));
    return response;
  });
  event.waitUntil(network.catch(() => null));
  const timeout = new Promise((resolve) => { setTimeout(resolve, PAGE_TIMEOUT_MS, null); });
  const first = await Promise.race([network.catch(() => null), timeout]);
  if (first) return first;
  const kept = await cache.match(request.url, { ignoreVary: true })
    || await cache.match(request.url, { ignoreVary: true, ignoreSearch: true });
  return kept || network;  // nothing kept: the browser says the network is down
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// From static/js/till.js: {type: "keep", urls, version} or {type: "forget"}; the
// answer goes back on the message's port once done.
self.addEventListener("message", (event) => {
  const job = event.data && event.data.type === "keep" ? keep(event.data)
    : event.data && event.data.type === "forget" ? forget() : Promise.resolve();
  event.waitUntil(job.then(() => event.ports[0] && event.ports[0].postMessage("done"),
                           (error) => event.ports[0] && event.ports[0].postMessage(String(error))));
});

async function keep({ urls, version }) {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {  // files of an older version
    const path = new URL(request.url).pathname;
    if (version && path.startsWith("/assets/") && !path.startsWith(`/assets/${version}/`)) {
      await cache.delete(request);
    }
  }
  for (const href of urls || []) {
    const url = new URL(href, self.location.origin);
    if (!(isPage(url) || isAsset(url))) continue;
    if (isAsset(url) && await cache.match(url.href, { ignoreVary: true })) continue;
    const response = await fetch(url.href, { credentials: "same-origin" });  // (HTTP cache)
    await remember(cache, url.href, response);
  }
}

async function forget() {
  const cache = await caches.open(CACHE);
  for (const path of PAGES) await cache.delete(path, { ignoreSearch: true });
}
