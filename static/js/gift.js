// The rules of gifts on the sale screen (issue 17), with no page: what a gift's request is,
// when a free price ("prix libre") is refused, which buttons the done panel shows, and
// their words. Tested in Node (tests/js/gift.test.mjs) and in Chromium
// (tests/browser/test_gift_module.py); the server checks them all again. The buttons and
// boxes are sell_gifts.js's.
//
//   import { freePriceRefusal, giftBody } from "./gift.js";
//   freePriceRefusal(299, 300) === "minimum";  freePriceRefusal(300, 300) === null
import { MAX_PRICE_CENTS, parseEuros } from "./cart.js";
import { fill } from "./words.js";

const CASH = "cash";

// Why a free price cannot be taken, or null: "amount" (not an amount), "minimum" (under
// the product's minimum), "toobig" (above the server's 10 000 €, refused when typed, not
// at payment). `cents` from parseEuros (null when it could not read it).
export function freePriceRefusal(cents, minimum) {
  if (cents === null || !Number.isInteger(cents) || cents < 0) return "amount";
  if (cents > MAX_PRICE_CENTS) return "toobig";
  if (cents < (minimum || 0)) return "minimum";
  return null;
}

// POST /api/v1/sales for a gift without purchase: no line, the gift paid in full.
export function giftBody(clientId, cashSessionId, cents, method = CASH) {
  return {
    client_id: clientId, cash_session_id: cashSessionId, lines: [],
    payments: [{ method, amount_cents: cents }], donation_cents: cents,
  };
}

// "Gardez la monnaie": the change of `sale` stays in the drawer as a gift of its own
// (the sale is recorded already, and a recorded sale is never changed).
export function keepChangeBody(clientId, cashSessionId, sale) {
  return giftBody(clientId, cashSessionId, sale.change_cents, CASH);
}

// "Gardez la monnaie" asks first above this much: a big note's change is no small gift.
export const KEEP_CONFIRM_ABOVE = 1000;
export const keepNeedsConfirm = (cents) => cents > KEEP_CONFIRM_ABOVE;

// Which buttons the done panel shows for `sale`, given the receipt setting: the Ticket
// button when receipts print on request ("always" printed it already: "Réimprimer").
export function donePanel(sale, { receiptMode, printer, giftReceipts }) {
  const gift = sale.donation_cents > 0;
  return {
    keep: sale.kind === "sale" && sale.change_cents > 0,
    ticket: receiptMode === "on_request" && printer,
    giftReceipt: giftReceipts && gift && sale.kind === "sale",
    onRequest: printer && sale.receipt?.status === "none",
  };
}

// What the refusal of a free price says: its minimum, the server's maximum, or "write an
// amount".
export function freePriceRefusalText(refusal, product, texts, money) {
  if (refusal === "minimum") return fill(texts.minimum, { amount: money(product.min) });
  if (refusal === "toobig") return fill(texts.toobig, { amount: money(MAX_PRICE_CENTS) });
  return texts.amount;
}

// The free-price box for a product: its minimum and the button with its suggested price.
export const freePriceOffer = (product, texts, money) => ({
  minimum: fill(texts.minimum, { amount: money(product.min) }),
  suggested: fill(texts.suggested, { amount: money(product.price) }),
});

// "Un don", "Autre montant": the cents typed, or null when it is not an amount above 0.
export function giftAmount(typed) {
  const cents = parseEuros(typed);
  return cents > 0 ? cents : null;
}

// The thanks on the done panel for a sale with a gift; "" without one.
export const thanksText = (sale, texts, money) => (sale.donation_cents > 0
  ? fill(texts.thanks, { amount: money(sale.donation_cents) }) : "");

// The done panel for a gift without purchase (sell_done.js's show).
export const giftWords = (sale, texts, money) => ({
  title: fill(texts.giftsaved, { n: sale.number }),
  label: fill(texts.thanks, { amount: money(sale.donation_cents) }),
  amount: 0,
});

// The receipt's line under the Ticket button: the printer's answer, or "on request" before
// it was asked (status null).
export const ticketLine = (status, texts) => ({
  text: status ? texts[status] || "" : texts.onrequest,
  className: `receipt-status receipt-${status || "none"}`,
});
