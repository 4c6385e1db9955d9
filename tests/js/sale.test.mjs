// The sale's states (static/js/sale.js) under Node: which state follows which, the body
// sent once and again the same, what follows each answer of the server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./load.mjs";

const { Cart } = await load("cart.js");
const { Sale, outcome, fromOutbox, drawerClosed, lastOf } = await load("sale.js");

function newSale(lastSale = null) {
  const cart = new Cart({ "SAC-IKEA": 1500, "POCH-TGV": 800 });
  let n = 0;
  const sale = new Sale(cart, { session: 7, newId: () => `id-${++n}`, lastSale });
  return { cart, sale };
}

test("the first change starts the sale with a client_id; the next ones only edit", () => {
  const { sale } = newSale();
  assert.equal(sale.clientId, null);
  assert.equal(sale.edit(), "start");
  assert.equal(sale.clientId, "id-1");
  assert.equal(sale.edit(), "edit");
  assert.equal(sale.clientId, "id-1");
});

test("while a sale is being sent the cart is frozen, and a retry sends the very same body", () => {
  const { cart, sale } = newSale();
  sale.edit();
  cart.add("SAC-IKEA");
  cart.pay("cash", 1500);
  const body = sale.body();
  assert.deepEqual(body, {
    client_id: "id-1", cash_session_id: 7, lines: [{ sku: "SAC-IKEA", qty: 1 }],
    payments: [{ method: "cash", amount_cents: 1500 }], print_receipt: false,
  });
  assert.equal(sale.edit(), "frozen");
  cart.pay("cash", 500); // (a tap that got through) changes nothing already sent
  assert.equal(sale.body(), body);
  assert.equal(body.payments.length, 1);
});

test("recorded: the cart empties, the next tap starts a new sale, and it is the one to void", () => {
  const { cart, sale } = newSale();
  sale.edit();
  cart.add("SAC-IKEA");
  cart.pay("cash", 2000);
  sale.body();
  sale.recorded({ id: 41, number: "2026-000041", total_cents: 1500, change_cents: 500 });
  assert.equal(cart.size, 0);
  assert.deepEqual(cart.payments, []);
  assert.equal(sale.pending, null);
  assert.equal(sale.clientId, null);
  assert.deepEqual(sale.lastSale, { id: 41, number: "2026-000041", total: 1500 });
  assert.equal(sale.edit(), "start");
  assert.equal(sale.clientId, "id-2");
});

test("kept on the tablet: the cart empties and there is no sale to void", () => {
  const { cart, sale } = newSale({ id: 40, number: "2026-000040", total: 800 });
  sale.edit();
  cart.add("POCH-TGV");
  sale.body();
  sale.kept();
  assert.equal(cart.size, 0);
  assert.equal(sale.pending, null);
  assert.equal(sale.clientId, null);
  assert.equal(sale.lastSale, null);
});

test("a refused sale keeps its cart, drops its payments, and is sent again with a new body", () => {
  const { cart, sale } = newSale();
  sale.edit();
  cart.add("SAC-IKEA");
  cart.pay("card", 1500);
  const first = sale.body();
  const closed = sale.refused({ reached: true, ok: false, status: 400, body: { error: "stock" },
                                message: "Non" });
  assert.equal(closed, false);
  assert.deepEqual(cart.entries(), [["SAC-IKEA", 1]]);
  assert.deepEqual(cart.payments, []);
  assert.equal(sale.pending, null);
  assert.equal(sale.clientId, "id-1"); // the same sale, corrected
  assert.equal(sale.edit(), "edit");
  cart.pay("cash", 2000);
  assert.notEqual(sale.body(), first);
  assert.deepEqual(sale.body().payments, [{ method: "cash", amount_cents: 2000 }]);
});

test("a client_id the server holds for another sale is replaced; a closed drawer is said", () => {
  const { sale } = newSale();
  sale.edit();
  const reused = { status: 409, body: { error: "client_id_reused" } };
  assert.equal(sale.refused(reused), false);
  assert.equal(sale.clientId, "id-2");
  const closed = { status: 409, body: { error: "session_closed" } };
  assert.equal(sale.refused(closed), true);
  assert.equal(sale.clientId, "id-2");
  assert.equal(drawerClosed({ status: 404, body: { error: "session_closed" } }), false);
  assert.equal(drawerClosed({ status: 409, body: null }), false);
});

test("voiding the last sale leaves none; a cart back from a reload keeps its client_id", () => {
  const { sale } = newSale({ id: 40, number: "2026-000040", total: 800 });
  assert.equal(sale.voided(), "2026-000040");
  assert.equal(sale.lastSale, null);
  sale.remember({ id: 42, number: "2026-000042", total_cents: -800 });
  assert.deepEqual(sale.lastSale, lastOf({ id: 42, number: "2026-000042", total_cents: -800 }));
  sale.resume("kept-id");
  assert.equal(sale.clientId, "kept-id");
  assert.equal(sale.edit(), "edit");
  sale.resume(undefined);
  assert.equal(sale.clientId, "id-1");
});

test("what follows each answer: kept, unanswered, done, refused", () => {
  assert.equal(outcome({ reached: true, ok: true, waiting: true }), "kept");
  assert.equal(outcome({ reached: false, ok: false, status: 0 }), "unanswered");
  assert.equal(outcome({ reached: true, ok: true, body: {} }), "done");
  assert.equal(outcome({ reached: true, ok: false, status: 400 }), "refused");
  assert.equal(outcome({ reached: true, ok: false, status: 409 }), "refused");
});

test("the outbox's answers read as the API's", () => {
  const sale = { id: 1, number: "2026-000001" };
  assert.deepEqual(fromOutbox({ state: "sent", sale }), { reached: true, ok: true, body: sale });
  assert.equal(outcome(fromOutbox({ state: "sent", sale })), "done");
  assert.equal(outcome(fromOutbox({ state: "waiting" })), "kept");
  const refused = fromOutbox({ state: "refused", status: 409, message: "Caisse fermée",
                               body: { error: "session_closed" } });
  assert.deepEqual(refused, { reached: true, ok: false, status: 409, message: "Caisse fermée",
                              body: { error: "session_closed" } });
  assert.equal(outcome(refused), "refused");
  assert.equal(drawerClosed(refused), true);
});
