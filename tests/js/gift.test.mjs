// The gift rules (static/js/gift.js) under Node: a free price at its limits, a gift-only
// ticket's request, "Gardez la monnaie", which buttons the done panel shows, their words.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TEXTS, load, money } from "./load.mjs";

const { MAX_PRICE_CENTS, parseEuros } = await load("cart.js");
const {
  KEEP_CONFIRM_ABOVE, donePanel, freePriceOffer, freePriceRefusal, freePriceRefusalText,
  giftAmount, giftBody, giftWords, keepChangeBody, keepNeedsConfirm, thanksText, ticketLine,
} = await load("gift.js");

const pouch = { sku: "POCH-VILLE", name: "Pochette", free: true, min: 300, price: 750 };

test("a free price at exactly its minimum is taken; one cent under is refused", () => {
  assert.equal(freePriceRefusal(300, 300), null);
  assert.equal(freePriceRefusal(parseEuros("3,00"), pouch.min), null);
  assert.equal(freePriceRefusal(299, 300), "minimum");
  assert.equal(freePriceRefusal(parseEuros("2,99"), pouch.min), "minimum");
});

test("a free price at exactly the server's maximum is taken; one cent above is refused", () => {
  assert.equal(MAX_PRICE_CENTS, 1_000_000);
  assert.equal(freePriceRefusal(MAX_PRICE_CENTS, 300), null);
  assert.equal(freePriceRefusal(MAX_PRICE_CENTS + 1, 300), "toobig");
});

test("a free price that is not an amount is refused; 0 is a price when there is no minimum", () => {
  assert.equal(freePriceRefusal(null, 300), "amount");
  assert.equal(freePriceRefusal(parseEuros("douze"), 300), "amount");
  assert.equal(freePriceRefusal(-1, 0), "amount");
  assert.equal(freePriceRefusal(12.5, 0), "amount");
  assert.equal(freePriceRefusal(0, 0), null);
  assert.equal(freePriceRefusal(0, undefined), null);
});

test("a refused free price says why, with the amounts", () => {
  assert.equal(freePriceRefusalText("minimum", pouch, TEXTS, money), "Pas moins de 3,00 €.");
  assert.equal(freePriceRefusalText("toobig", pouch, TEXTS, money),
               "Pas plus de 10000,00 € pour une pièce : vérifiez le prix tapé.");
  assert.equal(freePriceRefusalText("amount", pouch, TEXTS, money), TEXTS.amount);
  assert.deepEqual(freePriceOffer(pouch, TEXTS, money),
                   { minimum: "Pas moins de 3,00 €.", suggested: "Prix suggéré : 7,50 €" });
});

test("a gift-only ticket: no line, paid in full, the gift its donation", () => {
  assert.deepEqual(giftBody("id-1", 7, 500), {
    client_id: "id-1", cash_session_id: 7, lines: [],
    payments: [{ method: "cash", amount_cents: 500 }], donation_cents: 500,
  });
  assert.deepEqual(giftBody("id-2", 7, 2000, "card").payments, [{ method: "card", amount_cents: 2000 }]);
  assert.deepEqual(giftWords({ number: "2026-000014", donation_cents: 500 }, TEXTS, money),
                   { title: "Don n° 2026-000014 enregistré", label: "Merci ! Don de 5,00 €", amount: 0 });
});

test("'Un don', another amount: cents above 0, else nothing", () => {
  assert.equal(giftAmount("7,50"), 750);
  assert.equal(giftAmount("0,01"), 1);
  assert.equal(giftAmount("0"), null);
  assert.equal(giftAmount(""), null);
  assert.equal(giftAmount("beaucoup"), null);
});

test("'Gardez la monnaie': the change as a gift of its own, asked first above 10 €", () => {
  assert.deepEqual(keepChangeBody("id-3", 7, { change_cents: 3100 }), giftBody("id-3", 7, 3100, "cash"));
  assert.equal(KEEP_CONFIRM_ABOVE, 1000);
  assert.equal(keepNeedsConfirm(1000), false);
  assert.equal(keepNeedsConfirm(1001), true);
  assert.equal(keepNeedsConfirm(50), false);
});

test("the done panel for a sale, a gift-only ticket and a void", () => {
  const on = { receiptMode: "on_request", printer: true, giftReceipts: true };
  const sale = { kind: "sale", change_cents: 600, donation_cents: 0, receipt: { status: "none" } };
  const gift = { kind: "sale", change_cents: 0, donation_cents: 500, receipt: { status: "none" } };
  const voided = { kind: "void", change_cents: 0, donation_cents: -500 };
  assert.deepEqual(donePanel(sale, on), { keep: true, ticket: true, giftReceipt: false, onRequest: true });
  assert.deepEqual(donePanel(gift, on), { keep: false, ticket: true, giftReceipt: true, onRequest: true });
  assert.deepEqual(donePanel({ ...sale, change_cents: 0 }, on).keep, false); // exact cash
  assert.equal(donePanel(voided, on).keep, false);
  assert.equal(donePanel(voided, on).giftReceipt, false);
  assert.equal(donePanel(sale, { ...on, receiptMode: "always" }).ticket, false);
  assert.equal(donePanel(sale, { ...on, printer: false }).onRequest, false);
  assert.equal(thanksText(gift, TEXTS, money), "Merci ! Don de 5,00 €");
  assert.equal(thanksText(sale, TEXTS, money), "");
  assert.equal(thanksText(voided, TEXTS, money), "");
});

test("the Ticket button's line: 'on request' until asked, then the printer's answer", () => {
  assert.deepEqual(ticketLine(null, TEXTS), { text: TEXTS.onrequest, className: "receipt-status receipt-none" });
  assert.deepEqual(ticketLine("printed", TEXTS), { text: "Ticket imprimé",
                                                   className: "receipt-status receipt-printed" });
  assert.equal(ticketLine("nonsense", TEXTS).text, "");
});
