// A cart kept on the tablet across a page change: the volunteer whose drawer was closed
// under her opens a new one (/sell/open), and the sale screen she comes back to gets the
// cart back; a cart parked while another volunteer holds the screen; the cart kept across a
// reload. sessionStorage: this tab only, gone when the tab is closed. No page: the snapshot
// rules are tested in Node (tests/js/cart_store.test.mjs).
//
//   import { keepCart, takeKeptCart } from "./cart_store.js";
//   keepCart(cart.entries(), userId);        // before leaving the page
//   for (const [sku, qty] of takeKeptCart(userId)) cart.add(sku, qty);  // once, on return

const KEY = "kiosk.kept-cart";
const MAX_AGE_MS = 12 * 60 * 60 * 1000; // a stall day: an older cart is no one's any more

export function keepCart(entries, userId) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ user: userId, lines: entries, at: Date.now() }));
  } catch { /* storage refused (private mode, full): the cart is typed again */ }
}

// The kept cart's [[sku, qty], ...] if it is this volunteer's and fresh; taken once.
export function takeKeptCart(userId) {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
  } catch { return []; }
  if (!kept || kept.user !== userId || !(Date.now() - kept.at < MAX_AGE_MS)) return [];
  if (!Array.isArray(kept.lines)) return [];
  return kept.lines.filter((line) => Array.isArray(line) && typeof line[0] === "string"
    && Number.isInteger(line[1]) && line[1] > 0);
}

// Each volunteer's cart parked while another one holds the screen (the idle lock opened by
// someone else): given back when she unlocks again, whoever held it between (issue 27).
const PARKED = "kiosk.parked-carts";

function readParked() {
  try {
    const parked = JSON.parse(sessionStorage.getItem(PARKED) || "{}");
    return parked && typeof parked === "object" && !Array.isArray(parked) ? parked : {};
  } catch { return {}; }
}

export function parkCart(entries, userId) {
  const parked = readParked();
  if (entries.length) parked[userId] = { lines: entries, at: Date.now() };
  else delete parked[userId];
  try { sessionStorage.setItem(PARKED, JSON.stringify(parked)); } catch { /* typed again */ }
}

// Her parked cart's [[sku, qty], ...] if fresh; taken once.
export function takeParkedCart(userId) {
  const parked = readParked();
  const kept = parked[userId];
  delete parked[userId];
  try { sessionStorage.setItem(PARKED, JSON.stringify(parked)); } catch { /* none kept */ }
  if (!kept || !(Date.now() - kept.at < MAX_AGE_MS) || !Array.isArray(kept.lines)) return [];
  return kept.lines.filter((line) => Array.isArray(line) && typeof line[0] === "string"
    && Number.isInteger(line[1]) && line[1] > 0);
}

// The cart of this tab kept across a reload (a pull-to-refresh by mistake) and a lost
// connection, in sessionStorage under `key` with its client_id, until it is sold; the pay
// panel's payments too (a 20 € note already handed over) and whether it was open: a reload
// with the panel open comes back to it (issue 27).
// What is kept: null for an empty cart (nothing to keep). `paying`: the panel is open.
export function reloadSnapshot(cart, clientId, paying) {
  if (!cart.size) return null;
  return { clientId, lines: cart.entries(), payments: paying ? cart.payments : [], paying };
}

// Puts a snapshot back into an empty `cart`: null when none was kept; else {paying},
// whether the pay panel opens again (its payments back, unless they settle the cart: that
// sale was sent already).
export function restoreSnapshot(cart, kept) {
  if (!kept?.lines?.length) return null;
  for (const [sku, qty] of kept.lines) cart.add(sku, qty);
  if (!kept.paying || !cart.size) return { paying: false };
  cart.restorePayments(kept.payments);
  if (!cart.settled()) return { paying: true };
  cart.clearPayments();
  return { paying: false };
}

export function keepForReload(key, snapshot) {
  try {
    if (snapshot) sessionStorage.setItem(key, JSON.stringify(snapshot));
    else sessionStorage.removeItem(key);
  } catch { /* storage full or refused: the cart just lives in the page */ }
}

export function keptForReload(key) {
  try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch { return null; }
}

export function forgetForReload(key) {
  try { sessionStorage.removeItem(key); } catch { /* nothing kept */ }
}
