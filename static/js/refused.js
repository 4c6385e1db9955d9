// The sales the server refused after they waited on the tablet, with no page: which are
// listed, how each line reads, and which can be taken back into the cart. Tested in Node
// (tests/js/refused.test.mjs); the list itself is sell_refused.js's.
//
//   import { refusedOf, refusedLine, takeBack } from "./refused.js";
//   for (const entry of refusedOf(await outbox.list())) refusedLine(entry, time, money);

// The outbox's entries (outbox.js) the server refused, oldest first.
export const refusedOf = (entries) => entries.filter((e) => e.state === "refused");

// "14:05 · 15,00 € : <the server's reason> ", then its "Reprendre dans le panier" button.
// time(date) writes the hour; money(cents) the amount.
export const refusedLine = (entry, time, money) =>
  `${time(new Date(entry.sold_at))} · ${money(entry.total_cents ?? 0)} : ${entry.message} `;

// The lines to put back into the cart, or null: none when the entry is gone, or when one
// of its products is no longer on this screen's catalogue (a Map by SKU).
export function takeBack(entry, catalogue) {
  if (!entry || !entry.body.lines.every((line) => catalogue.has(line.sku))) return null;
  return entry.body.lines;
}
