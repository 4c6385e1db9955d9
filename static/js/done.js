// The done panel's words, with no page: what it says once a sale is recorded, voided or
// kept on the tablet, the receipt's line, and where a receipt's late answer is said.
// Tested in Node (tests/js/done.test.mjs); the panel itself is sell_done.js's.
//
//   import { saleWords } from "./done.js";
//   saleWords({ number: "2026-000012", change_cents: 800 }, texts)
//     // {title: "Vente n° 2026-000012 enregistrée", label: "Monnaie à rendre", amount: 800}
import { fill } from "./words.js";

// A recorded sale: its number, and the change to give (or that there is none).
export const saleWords = (sale, texts) => ({
  title: fill(texts.saved, { n: sale.number }),
  label: sale.change_cents ? texts.change : texts.nochange,
  amount: sale.change_cents,
});

// A voided sale (the void's answer, `number` the sale voided): what to give back.
export const voidWords = (answer, number, texts) => ({
  title: fill(texts.voided, { n: number }),
  label: texts.giveback,
  amount: -answer.total_cents,
});

// A sale kept on the tablet (no answer from the server): the change, given now.
export const keptWords = (change, texts) => ({
  title: texts.kept,
  label: change ? texts.change : texts.nochange,
  amount: change,
});

// The change line: the amount, hidden when there is none.
export const changeLine = (amount, money) => ({ text: amount ? money(amount) : "", hidden: !amount });

// The receipt's status as the done panel first shows it: the server's, "unconfirmed" when
// the printer took it and never answered.
export const receiptOf = (sale) => (sale.receipt?.sent ? "unconfirmed" : sale.receipt?.status);

// The receipt's line for a status: its words, its class, and whether "Réimprimer" shows
// (not while printing, not without a printer).
export const receiptLine = (status, texts) => ({
  text: texts[status] || "",
  className: `receipt-status receipt-${status}`,
  reprint: status !== "none" && status !== "printing",
});

// A sale kept on the tablet has no number and no receipt yet: they come with the network.
export const keptReceiptLine = (texts) => ({
  text: texts.later, className: "receipt-status receipt-queued", reprint: false,
});

// Where a receipt's status goes once the printer answered: "panel" while its sale is still
// on the done panel; once she moved on, "notice" (a receipt that did not print is said
// anyway) or nowhere ("none") when it printed.
export function printedWhere(status, stillShown) {
  if (stillShown) return "panel";
  return status === "printed" ? "none" : "notice";
}

// The notice for a receipt that did not print after she moved on.
export const printLater = (sale, status, texts) => fill(texts.printlater,
  { n: sale.number, status: texts[status] });

// "Annuler la dernière vente": which sale (sale.js's lastOf), "n° 2026-000012, 15,00 €".
export const voidWhat = (last, texts, money) => fill(texts.voidwhat,
  { n: last.number, t: money(last.total) });
