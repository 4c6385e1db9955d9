// The sale screen's idle lock: after a few minutes untouched (IDLE_LOCK_MINUTES) the screen
// locks, the cart kept beneath. The volunteer's name and PIN (POST /api/v1/unlock, the
// login's PIN check with its lockout) open it where she was; another volunteer's start
// her own cart, under her own session. A reload while locked shows the lock again.
//
//   import { startIdleLock } from "./idle_lock.js";
//   startIdleLock({ box, afterMs, post: api.post, texts, onOtherVolunteer: () => ... });
import { bindKeypads } from "./keypad.js";

const LOCKED = "kiosk.screen-locked"; // sessionStorage: this tab is locked
const ACTIVITY = ["pointerdown", "keydown", "touchstart", "wheel"];

// box: the [data-lock] overlay; afterMs: idle time before locking (0: never);
// post(url, body): api.js's POST; texts: {pickname, pin, network};
// onOtherVolunteer(name): another volunteer unlocked (the page should start afresh).
export function startIdleLock({ box, afterMs, post, texts, onOtherVolunteer }) {
  if (!box) return null;
  const form = box.querySelector("[data-lock-form]");
  const pin = box.querySelector("[data-lock-pin]");
  const error = box.querySelector("[data-lock-error]");
  document.body.append(box); // a child of <body>, so the rest can be made inert
  bindKeypads(form);
  let last = Date.now();
  let busy = false;

  const isLocked = () => !box.hidden;
  const touched = () => { if (!isLocked()) last = Date.now(); };
  for (const kind of ACTIVITY) document.addEventListener(kind, touched, { capture: true, passive: true });

  function lock() {
    if (isLocked()) return;
    try { sessionStorage.setItem(LOCKED, "1"); } catch { /* locked in this page only */ }
    for (const el of document.body.children) if (el !== box) el.inert = true;
    pin.value = "";
    error.hidden = true;
    box.hidden = false;
    (box.querySelector('input[name="lock-user"]:checked') || pin).focus();
  }

  function unlock() {
    try { sessionStorage.removeItem(LOCKED); } catch { /* nothing kept */ }
    box.hidden = true;
    for (const el of document.body.children) el.inert = false;
    last = Date.now();
  }

  function say(text) {
    error.textContent = text;
    error.hidden = false;
    pin.value = "";
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "lock-user") { pin.value = ""; error.hidden = true; }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const user = form.querySelector('input[name="lock-user"]:checked')?.value;
    if (!user) return say(texts.pickname);
    if (!/^[0-9]{4,6}$/.test(pin.value)) return say(texts.pin);
    busy = true;
    const result = await post("/api/v1/unlock", { user, pin: pin.value });
    busy = false;
    if (!result.ok) return say(result.message || texts.network); // wrong PIN, locked out, no Wi-Fi
    if (result.body?.same) return unlock();
    try { sessionStorage.removeItem(LOCKED); } catch { /* nothing kept */ }
    onOtherVolunteer(result.body?.user);
  });

  let wasLocked = false;
  try { wasLocked = sessionStorage.getItem(LOCKED) === "1"; } catch { /* no storage */ }
  if (wasLocked) lock();
  if (afterMs > 0) {
    // A check every second rather than one long timer: a tablet asleep for an hour locks
    // as soon as it wakes, and the lock comes within a second of the setting (a check
    // every quarter of it let a 12 s setting lock at 15 s).
    setInterval(() => { if (Date.now() - last >= afterMs) lock(); },
      Math.min(1000, Math.max(250, afterMs / 12)));
  }
  return { lock, unlock, isLocked };
}
