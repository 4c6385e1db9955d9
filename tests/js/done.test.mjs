// The done panel's words (static/js/done.js) under Node: what it says once a sale is
// recorded, voided or kept on the tablet, the receipt's line, where a late answer goes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TEXTS, load, money } from "./load.mjs";

const {
  changeLine, keptReceiptLine, keptWords, printLater, printedWhere, receiptLine, receiptOf,
  saleWords, voidWhat, voidWords,
} = await load("done.js");

test("a sale paid with a 50 € note: its number and the change to give", () => {
  const words = saleWords({ number: "2026-000012", change_cents: 3100 }, TEXTS);
  assert.deepEqual(words, { title: "Vente n° 2026-000012 enregistrée", label: "Monnaie à rendre",
                            amount: 3100 });
  assert.deepEqual(changeLine(words.amount, money), { text: "31,00 €", hidden: false });
});

test("a sale paid exactly: no change to give, and no amount shown", () => {
  const words = saleWords({ number: "2026-000013", change_cents: 0 }, TEXTS);
  assert.equal(words.label, "Pas de monnaie à rendre");
  assert.deepEqual(changeLine(words.amount, money), { text: "", hidden: true });
});

test("a sale voided: what to give back, its number", () => {
  const words = voidWords({ total_cents: -1500 }, "2026-000012", TEXTS);
  assert.deepEqual(words, { title: "Vente n° 2026-000012 annulée", label: "Rendez à la cliente",
                            amount: 1500 });
  assert.deepEqual(changeLine(words.amount, money), { text: "15,00 €", hidden: false });
  assert.equal(voidWhat({ number: "2026-000012", total: 1500 }, TEXTS, money),
               "n° 2026-000012, 15,00 €");
});

test("a sale kept on the tablet: the change given now, no receipt and no reprint yet", () => {
  assert.deepEqual(keptWords(500, TEXTS), { title: TEXTS.kept, label: "Monnaie à rendre", amount: 500 });
  assert.equal(keptWords(0, TEXTS).label, "Pas de monnaie à rendre");
  assert.deepEqual(keptReceiptLine(TEXTS), { text: TEXTS.later,
                                             className: "receipt-status receipt-queued", reprint: false });
});

test("the receipt's line: the server's status, 'unconfirmed' when sent and never confirmed", () => {
  assert.equal(receiptOf({ receipt: { status: "printed" } }), "printed");
  assert.equal(receiptOf({ receipt: { status: "queued", sent: true } }), "unconfirmed");
  assert.equal(receiptOf({ receipt: { status: "none" } }), "none");
  assert.equal(receiptOf({}), undefined);
  assert.deepEqual(receiptLine("printed", TEXTS), { text: "Ticket imprimé",
                                                    className: "receipt-status receipt-printed", reprint: true });
  assert.equal(receiptLine("queued", TEXTS).reprint, true);
  assert.equal(receiptLine("failed", TEXTS).reprint, true);
  assert.equal(receiptLine("none", TEXTS).reprint, false); // no printer: nothing to reprint
  assert.equal(receiptLine("printing", TEXTS).reprint, false); // not twice at once
  assert.equal(receiptLine(undefined, TEXTS).text, "");
});

test("a receipt's late answer: on the panel while its sale is shown, else said only when it failed", () => {
  assert.equal(printedWhere("printed", true), "panel");
  assert.equal(printedWhere("failed", true), "panel");
  assert.equal(printedWhere("printed", false), "none");
  assert.equal(printedWhere("failed", false), "notice");
  assert.equal(printedWhere("queued", false), "notice");
  assert.equal(printLater({ number: "2026-000012" }, "failed", TEXTS),
               "Ticket de la vente n° 2026-000012 : Ticket non imprimé : vérifiez l'imprimante");
});
