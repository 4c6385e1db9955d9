// The cart kept across a reload (static/js/cart_store.js) under Node: what is kept, and
// what comes back, payments and the pay panel included.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./load.mjs";

const { Cart } = await load("cart.js");
const { forgetForReload, keepForReload, keptForReload, reloadSnapshot, restoreSnapshot } = await load("cart_store.js");

const PRICES = { "SAC-IKEA": 1500, "POCH-TGV": 800 };

function through(cart, clientId, paying) { // kept, reloaded, read back into a new cart
  const back = new Cart(PRICES);
  const snapshot = JSON.parse(JSON.stringify(reloadSnapshot(cart, clientId, paying)));
  return { back, restored: restoreSnapshot(back, snapshot), snapshot };
}

test("an empty cart keeps nothing, and nothing kept gives nothing back", () => {
  assert.equal(reloadSnapshot(new Cart(PRICES), "id-1", false), null);
  assert.equal(restoreSnapshot(new Cart(PRICES), null), null);
  assert.equal(restoreSnapshot(new Cart(PRICES), { clientId: "id-1", lines: [] }), null);
});

test("the cart comes back with its lines; its payments only while the panel was open", () => {
  const cart = new Cart(PRICES);
  cart.add("SAC-IKEA", 2);
  cart.add("POCH-TGV");
  cart.pay("cash", 2000);
  const closed = through(cart, "id-1", false);
  assert.deepEqual(closed.snapshot, { clientId: "id-1", lines: [["SAC-IKEA", 2], ["POCH-TGV", 1]],
                                      payments: [], paying: false });
  assert.deepEqual(closed.restored, { paying: false });
  assert.deepEqual(closed.back.entries(), [["SAC-IKEA", 2], ["POCH-TGV", 1]]);
  assert.deepEqual(closed.back.payments, []);
  const open = through(cart, "id-1", true);
  assert.deepEqual(open.restored, { paying: true });
  assert.deepEqual(open.back.payments, [{ method: "cash", amount_cents: 2000 }]);
  assert.equal(open.back.due(), 1800);
});

test("payments that settled the cart were a sale sent already: the panel stays closed", () => {
  const cart = new Cart(PRICES);
  cart.add("SAC-IKEA");
  cart.pay("cash", 1500); // exact cash: settled
  const { back, restored } = through(cart, "id-1", true);
  assert.deepEqual(restored, { paying: false });
  assert.deepEqual(back.payments, []);
  assert.deepEqual(back.entries(), [["SAC-IKEA", 1]]);
});

test("a product no longer on sale does not come back", () => {
  const back = new Cart(PRICES);
  const restored = restoreSnapshot(back, { clientId: "id-1", lines: [["RETIRE", 1]], paying: true,
                                           payments: [{ method: "cash", amount_cents: 500 }] });
  assert.deepEqual(restored, { paying: false });
  assert.equal(back.size, 0);
  assert.deepEqual(back.payments, []);
});

test("kept in sessionStorage under its key; without storage nothing breaks", () => {
  const store = new Map();
  globalThis.sessionStorage = {
    getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
  };
  try {
    keepForReload("kiosk-cart-7", { clientId: "id-1", lines: [["SAC-IKEA", 1]] });
    assert.deepEqual(keptForReload("kiosk-cart-7"), { clientId: "id-1", lines: [["SAC-IKEA", 1]] });
    keepForReload("kiosk-cart-7", null);
    assert.equal(keptForReload("kiosk-cart-7"), null);
    keepForReload("kiosk-cart-7", { clientId: "id-2", lines: [] });
    forgetForReload("kiosk-cart-7");
    assert.equal(store.size, 0);
  } finally {
    delete globalThis.sessionStorage;
  }
  keepForReload("kiosk-cart-7", { clientId: "id-1", lines: [] }); // no storage: no throw
  assert.equal(keptForReload("kiosk-cart-7"), null);
});
