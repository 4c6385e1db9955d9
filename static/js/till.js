// The tablet as a till, on every page (templates/base.html), one module so that it costs
// one request: over HTTPS, hands the pages to the service worker (static/sw.js: the sale
// screen then loads with the network down; <html data-offline="ready"|"failed">), and
// keeps the screen on while a drawer is open ([data-keep-awake]), with the Wake Lock API.
// Over plain HTTP a browser has neither: nothing to do.
const root = document.documentElement;
const VERSION = new URL(import.meta.url).pathname.split("/")[2] || "";  // /assets/V/js/…

function ask(worker, message) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => (event.data === "done" ? resolve() : reject(event.data));
    worker.postMessage(message, [channel.port2]);
  });
}

async function handOver(controlled) {
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const worker = (await navigator.serviceWorker.ready).active;
    if (location.pathname === "/login") {
      await ask(worker, { type: "forget" });  // logged out: the sale screen kept goes
    } else {
      // The files this page loaded before the worker controlled it (a first visit).
      const urls = performance.getEntriesByType("resource").map((entry) => entry.name)
        .filter((href) => new URL(href).origin === location.origin);
      if (!controlled) urls.push(location.href);
      await ask(worker, { type: "keep", urls, version: VERSION });
    }
    root.dataset.offline = "ready";
  } catch (error) {
    root.dataset.offline = "failed";
  }
}

if (window.isSecureContext && "serviceWorker" in navigator) {
  const controlled = Boolean(navigator.serviceWorker.controller);
  if (document.readyState === "complete") handOver(controlled);
  else window.addEventListener("load", () => handOver(controlled), { once: true });
}

let lock = null;

async function keepAwake() {
  if (lock || !document.querySelector("[data-keep-awake]") || !("wakeLock" in navigator)
      || document.visibilityState !== "visible") return;
  try {
    lock = await navigator.wakeLock.request("screen");
    root.dataset.awake = "on";
    lock.addEventListener("release", () => { lock = null; delete root.dataset.awake; });
  } catch (_) {
    lock = null;  // refused (battery saver): the screen may dim, nothing else changes
  }
}

// The browser drops the lock when the page is hidden: taken again when it shows.
document.addEventListener("visibilitychange", keepAwake);
document.addEventListener("pointerdown", keepAwake, { passive: true });
keepAwake();
