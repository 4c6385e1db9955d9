// The sale screen's words, with no page: its texts' {placeholders} filled in, and cents
// written as French money ("12,50 €"). Tested in Node (tests/js/words.test.mjs).
//
//   import { fill, moneyFormat } from "./words.js";
//   const money = moneyFormat();
//   fill("Vente n° {n} enregistrée", { n: "2026-000012" });  money(1250) === "12,50 €"

// Each {name} of `text` replaced by values[name]; a name without a value leaves nothing.
export const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_m, k) => values[k] ?? "");

// cents -> "12,50 €" (fr_FR, as the server's money filter writes it).
export function moneyFormat() {
  const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  return (cents) => euros.format(cents / 100);
}
