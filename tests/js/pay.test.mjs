// The pay step's rules (static/js/pay.js) under Node: what each cash button hands over,
// the change, "Autre montant" and its question, when the sale goes, what the panel lists.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TEXTS, load, money } from "./load.mjs";

const { Cart } = await load("cart.js");
const { afterPayment, cashHanded, otherAmount, payView } = await load("pay.js");

const PRICES = { "SAC-IKEA": 1500, "POCH-TGV": 800, "ETIQ-TGV": 400, BADGE: 10 };
function cartOf(...skus) {
  const cart = new Cart(PRICES);
  for (const sku of skus) cart.add(sku);
  return cart;
}

test("exact cash hands over what is due: settled, no change", () => {
  const cart = cartOf("SAC-IKEA", "ETIQ-TGV");
  assert.equal(cashHanded(cart, "exact"), 1900);
  cart.pay("cash", cashHanded(cart, "exact"));
  assert.equal(afterPayment(cart), "send");
  assert.equal(cart.change(), 0);
});

test("exact cash after a partial payment hands over only what is left", () => {
  const cart = cartOf("SAC-IKEA", "ETIQ-TGV");
  cart.pay("cheque", 1000);
  assert.equal(afterPayment(cart), "more");
  assert.equal(cashHanded(cart, "exact"), 900);
});

test("a 50 € note for 19,00 €: 31,00 € of change", () => {
  const cart = cartOf("SAC-IKEA", "ETIQ-TGV");
  assert.equal(cashHanded(cart, "5000"), 5000);
  cart.pay("cash", cashHanded(cart, "5000"));
  assert.equal(afterPayment(cart), "send");
  assert.equal(cart.change(), 3100);
});

test("a 5 € note for 15,00 €: 10,00 € still due, the sale does not go", () => {
  const cart = cartOf("SAC-IKEA");
  cart.pay("cash", cashHanded(cart, "500"));
  assert.equal(afterPayment(cart), "more");
  assert.equal(cart.due(), 1000);
  assert.equal(cart.change(), 0);
  cart.pay("cash", cashHanded(cart, "1000")); // a 10 € note: exactly settled, no change
  assert.equal(afterPayment(cart), "send");
  assert.equal(cart.change(), 0);
});

test("one cent short is not settled", () => {
  const cart = cartOf("SAC-IKEA");
  cart.pay("cash", 1499);
  assert.equal(afterPayment(cart), "more");
  assert.equal(cart.due(), 1);
});

test("'Autre montant' takes what was typed, in euros and cents", () => {
  const cart = cartOf("SAC-IKEA");
  assert.deepEqual(otherAmount(cart, "20"), { take: 2000 });
  assert.deepEqual(otherAmount(cart, "15,50"), { take: 1550 });
  assert.deepEqual(otherAmount(cart, "0,01"), { take: 1 });
});

test("'Autre montant' refuses what is not an amount above 0", () => {
  const cart = cartOf("SAC-IKEA");
  for (const typed of ["", "0", "0,00", "abc", "12,345", "-5"]) {
    assert.deepEqual(otherAmount(cart, typed), { refusal: "amount" }, typed);
  }
});

test("'Autre montant' asks first above 100 € and 5 times what is due, not at either limit", () => {
  const badge = cartOf("BADGE"); // 0,10 € due
  assert.deepEqual(otherAmount(badge, "100"), { take: 10000 }); // 100 € exactly: not doubtful
  assert.deepEqual(otherAmount(badge, "100,01"), { ask: 10001 });
  const dear = new Cart({ FAUTEUIL: 3000 });
  dear.add("FAUTEUIL", 1); // 30 € due: 5 times is 150 €
  assert.deepEqual(otherAmount(dear, "150"), { take: 15000 });
  assert.deepEqual(otherAmount(dear, "150,01"), { ask: 15001 });
  const bag = cartOf("SAC-IKEA"); // a 50 € note for a 15 € bag is not doubtful
  assert.deepEqual(otherAmount(bag, "50"), { take: 5000 });
});

test("the panel lists each payment with its method and amount", () => {
  const cart = cartOf("SAC-IKEA", "POCH-TGV");
  cart.pay("cheque", 1000);
  cart.pay("cash", 500);
  assert.deepEqual(payView(cart, TEXTS, money), {
    total: "23,00 €", due: "8,00 €", lines: ["Chèque : 10,00 € ", "Espèces : 5,00 € "],
  });
  cart.undoPayment(0);
  assert.deepEqual(payView(cart, TEXTS, money).lines, ["Espèces : 5,00 € "]);
  assert.equal(payView(cart, TEXTS, money).due, "18,00 €");
});
