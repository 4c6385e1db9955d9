// Keeps the tablet's screen on while a drawer is open (a page marked [data-keep-awake]):
// a screen that dims and locks mid-sale means a PIN to type with a customer waiting.
// The Wake Lock API exists in a secure context only (HTTPS); elsewhere the tablet's own
// sleep setting applies. The browser drops the lock when the page is hidden: take it again.
let lock = null;

async function keepAwake() {
  if (lock || !document.querySelector("[data-keep-awake]") || !("wakeLock" in navigator)
      || document.visibilityState !== "visible") return;
  try {
    lock = await navigator.wakeLock.request("screen");
    document.documentElement.dataset.awake = "on";
    lock.addEventListener("release", () => {
      lock = null;
      delete document.documentElement.dataset.awake;
    });
  } catch (_) {
    lock = null;  // refused (battery saver): the screen may dim, nothing else changes
  }
}

document.addEventListener("visibilitychange", keepAwake);
document.addEventListener("pointerdown", keepAwake, { passive: true });  // if asked for a tap
keepAwake();
