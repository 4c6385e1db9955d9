// The refused sales (static/js/refused.js) under Node: which the list holds, how a line
// reads, which can be taken back into the cart.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load, money } from "./load.mjs";

const { refusedLine, refusedOf, takeBack } = await load("refused.js");

const entry = (clientId, state, lines, extra = {}) => ({
  client_id: clientId, state, sold_at: "2026-12-05T13:05:00.000Z",
  body: { client_id: clientId, cash_session_id: 7, lines, payments: [] }, ...extra,
});
const time = (date) => `${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")}`;
const catalogue = new Map([["SAC-IKEA", {}], ["POCH-TGV", {}]]);

test("only the refused sales are listed, oldest first; the waiting ones are not", () => {
  const all = [entry("a", "waiting", []), entry("b", "refused", []), entry("c", "refused", [])];
  assert.deepEqual(refusedOf(all).map((e) => e.client_id), ["b", "c"]);
  assert.deepEqual(refusedOf([entry("a", "waiting", [])]), []);
});

test("a line: the tablet's time of the sale, its total, the server's reason", () => {
  const refused = entry("b", "refused", [], { total_cents: 1500, message: "La caisse est fermée." });
  assert.equal(refusedLine(refused, time, money), "13:05 · 15,00 € : La caisse est fermée. ");
  const noTotal = entry("c", "refused", [], { message: "Non." });
  assert.equal(refusedLine(noTotal, time, money), "13:05 · 0,00 € : Non. ");
});

test("taken back into the cart: its lines, unless a product left the catalogue or it is gone", () => {
  const lines = [{ sku: "SAC-IKEA", qty: 2 }, { sku: "POCH-TGV", qty: 1 }];
  assert.deepEqual(takeBack(entry("b", "refused", lines), catalogue), lines);
  const gone = [{ sku: "SAC-IKEA", qty: 1 }, { sku: "RETIRE", qty: 1 }];
  assert.equal(takeBack(entry("b", "refused", gone), catalogue), null);
  assert.equal(takeBack(undefined, catalogue), null);
});
