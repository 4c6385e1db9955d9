// The sale screen's cart (static/js/cart.js) under Node's own test runner: `node --test
// tests/js/`. The same rules as tests/browser/test_cart_module.py, without a browser.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

// static/js/ has no package.json saying "type": "module" (the browser needs none), and a
// Node older than 20.19 reads such a .js file as CommonJS: import the module from its text.
// That works because cart.js imports nothing, as a pure module should.
const source = readFileSync(new URL("../../static/js/cart.js", import.meta.url), "utf8");
const { Cart, MAX_QTY, parseEuros } = await import(
  `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);

const PRICES = { "SAC-IKEA": 1500, "POCH-TGV": 800, "ETIQ-TGV": 400, BADGE: 10 };
const newCart = () => new Cart(new Map(Object.entries(PRICES)));

test("adding a SKU twice makes one line of two, in the order tapped", () => {
  const cart = newCart();
  cart.add("POCH-TGV");
  cart.add("ETIQ-TGV");
  cart.add("POCH-TGV");
  assert.equal(cart.qty("POCH-TGV"), 2);
  assert.deepEqual(cart.entries(), [["POCH-TGV", 2], ["ETIQ-TGV", 1]]);
  assert.equal(cart.lineTotal("POCH-TGV"), 1600);
});

test("the total is in whole cents: 3 × 0,10 € is 30 cents", () => {
  const cart = newCart();
  for (let i = 0; i < 3; i++) cart.add("BADGE");
  assert.equal(cart.total(), 30);
  assert.notEqual(0.1 * 3, 0.3); // what floats would have made of it
});

test("less, remove, the quantity limit, and SKUs not on sale", () => {
  const cart = newCart();
  cart.add("SAC-IKEA", 2);
  cart.add("SAC-IKEA", -2);
  assert.deepEqual(cart.entries(), []);
  cart.add("POCH-TGV", 5000);
  assert.equal(cart.qty("POCH-TGV"), MAX_QTY);
  assert.equal(MAX_QTY, 999);
  cart.remove("POCH-TGV");
  cart.add("NOT-ON-SALE");
  assert.equal(cart.size, 0);
  assert.equal(cart.total(), 0);
});

test("the API body: lines in the order tapped, payments copied", () => {
  const cart = newCart();
  cart.add("ETIQ-TGV");
  cart.add("SAC-IKEA");
  cart.add("ETIQ-TGV");
  cart.pay("cash", 2000);
  const body = cart.body("c0ffee00-0000-4000-8000-000000000000", 7);
  cart.pay("card", 300);
  assert.deepEqual(Object.keys(body), ["client_id", "cash_session_id", "lines", "payments"]);
  assert.deepEqual(body, {
    client_id: "c0ffee00-0000-4000-8000-000000000000",
    cash_session_id: 7,
    lines: [{ sku: "ETIQ-TGV", qty: 2 }, { sku: "SAC-IKEA", qty: 1 }],
    payments: [{ method: "cash", amount_cents: 2000 }],
  });
});

test("a 20 € note for 12,00 € leaves 8,00 € of change", () => {
  const cart = newCart();
  cart.add("POCH-TGV");
  cart.add("ETIQ-TGV");
  assert.equal(cart.due(), 1200);
  assert.equal(cart.settled(), false);
  cart.pay("cash", 2000);
  assert.equal(cart.due(), 0);
  assert.equal(cart.settled(), true);
  assert.equal(cart.change(), 800);
});

test("exact cash pays what is left, and leaves no change", () => {
  const cart = newCart();
  cart.add("ETIQ-TGV");
  cart.add("BADGE", 5);
  cart.pay("cash", 200);
  assert.equal(cart.exact(), 250);
  cart.pay("cash", cart.exact());
  assert.equal(cart.settled(), true);
  assert.equal(cart.change(), 0);
});

test("payments are undone; nothing is paid for 0", () => {
  const cart = newCart();
  cart.add("SAC-IKEA");
  assert.equal(cart.pay("cash", 0), false);
  assert.equal(cart.pay("cheque", 500), true);
  cart.pay("card", 400);
  cart.undoPayment(0);
  assert.deepEqual(cart.payments, [{ method: "card", amount_cents: 400 }]);
  assert.equal(cart.due(), 1100);
});

test("other amounts, typed in euros", () => {
  const typed = ["12,50", "12.5", "0,10", " 12 € ", "1,234", "-3", "abc", ""];
  assert.deepEqual(typed.map(parseEuros), [1250, 1250, 10, 1200, null, null, null, null]);
  const cart = newCart();
  cart.add("ETIQ-TGV");
  assert.equal(cart.refusal("cash", null), "amount");
  assert.equal(cart.refusal("card", 401), "toomuch");
  assert.equal(cart.refusal("cheque", 400), null);
  assert.equal(cart.refusal("cash", 5000), null);
});

test("an amount far above what is left is doubtful: 350 typed for 3,50", () => {
  const cart = newCart();
  cart.add("ETIQ-TGV"); // 4,00 €
  assert.equal(cart.doubtful(35000), true);
  assert.equal(cart.doubtful(5000), false); // a 50 € note: under 100 €
  cart.add("SAC-IKEA", 2); // 34,00 €
  assert.equal(cart.doubtful(17000), false); // 5 times what is left, not more
  assert.equal(cart.doubtful(17001), true);
  cart.pay("cash", 3000); // 4,00 € left
  assert.equal(cart.doubtful(10001), true);
});
