// The sale screen's words (static/js/words.js) under Node: placeholders and money.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./load.mjs";

const { fill, moneyFormat } = await load("words.js");

test("each {name} is filled in; a name without a value leaves nothing", () => {
  assert.equal(fill("Vente n° {n} enregistrée", { n: "2026-000012" }), "Vente n° 2026-000012 enregistrée");
  assert.equal(fill("n° {n}, {t}", { n: 7, t: "1,00 €" }), "n° 7, 1,00 €");
  assert.equal(fill("{a}{a}", { a: "x" }), "xx");
  assert.equal(fill("Ticket : {status}", {}), "Ticket : ");
  assert.equal(fill("0 € : {n}", { n: 0 }), "0 € : 0");
});

test("cents are written as French euros, to the cent", () => {
  const money = moneyFormat();
  const plain = (cents) => money(cents).replace(/\s/g, " ");
  assert.equal(plain(1250), "12,50 €");
  assert.equal(plain(10), "0,10 €");
  assert.equal(plain(0), "0,00 €");
  assert.match(plain(-1500), /^\S15,00 €$/); // a minus sign, whichever the ICU writes
});
