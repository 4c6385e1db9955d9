// Over HTTPS, hands the sale screen to the service worker (static/sw.js) so that it loads
// with the network down. Over plain HTTP (the stall's Wi-Fi without KIOSK_TLS) a browser
// has no service worker: nothing to do. When done, <html data-offline="ready">.
const VERSION = new URL(import.meta.url).pathname.split("/")[2] || "";  // /assets/V/js/…
const KEPT = ["/assets/", "/p/photo/"];

function ask(worker, message) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => (event.data === "done" ? resolve() : reject(event.data));
    worker.postMessage(message, [channel.port2]);
  });
}

async function start(controlled) {
  const root = document.documentElement;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const registration = await navigator.serviceWorker.ready;
    if (location.pathname === "/login") {  // logged out: the sale screen kept goes
      await ask(registration.active, { type: "forget" });
    } else {
      // What this page loaded before the worker controlled it (the first visit).
      const urls = performance.getEntriesByType("resource").map((entry) => entry.name)
        .filter((href) => {
          const url = new URL(href);
          return url.origin === location.origin && KEPT.some((p) => url.pathname.startsWith(p));
        });
      if (!controlled) urls.push(location.href);
      await ask(registration.active, { type: "keep", urls, version: VERSION });
    }
    root.dataset.offline = "ready";
  } catch (error) {
    root.dataset.offline = "failed";
  }
}

if (window.isSecureContext && "serviceWorker" in navigator) {
  const controlled = Boolean(navigator.serviceWorker.controller);
  if (document.readyState === "complete") start(controlled);
  else window.addEventListener("load", () => start(controlled), { once: true });
}
