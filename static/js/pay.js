// The pay step's rules, with no page: what a cash button hands over, what "Autre montant"
// does with what was typed, when the sale goes, and what the pay panel lists. Tested in
// Node (tests/js/pay.test.mjs); the panel itself is sell_pay.js's. The amounts are the
// cart's (cart.js): what is due, the change.
//
//   import { cashHanded, otherAmount, afterPayment } from "./pay.js";
//   cart.pay("cash", cashHanded(cart, "5000"));  // a 50 € note
//   afterPayment(cart) === "send";
import { parseEuros } from "./cart.js";

// What a cash button ([data-cash]) hands over: "exact" what is left to pay, a note its
// value in cents.
export const cashHanded = (cart, value) => (value === "exact" ? cart.exact() : Number(value));

// What "Autre montant" does with the text typed: {refusal} (a key of the texts: not an
// amount), {take: cents}, or {ask: cents} when it is far above what is left (350 typed for
// 3,50): the screen asks "Vous avez bien reçu … ?" first.
export function otherAmount(cart, typed) {
  const cents = parseEuros(typed);
  const refusal = cart.refusal("cash", cents);
  if (refusal) return { refusal };
  return cart.doubtful(cents) ? { ask: cents } : { take: cents };
}

// After a payment was added: "send" once the cart is settled, else "more" (the panel shows
// what is left to pay).
export const afterPayment = (cart) => (cart.settled() ? "send" : "more");

// The panel's figures: the total, what is left, and one line per payment handed over
// ("Espèces : 20,00 € ", then its "Retirer" button).
export function payView(cart, texts, money) {
  return {
    total: money(cart.total()),
    due: money(cart.due()),
    lines: cart.payments.map((p) => `${texts[p.method]} : ${money(p.amount_cents)} `),
  };
}
