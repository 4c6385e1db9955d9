// The sale being made on the sale screen, with no page: its client_id, the body being sent,
// the last sale (the one "Annuler la dernière vente" voids) and which state follows each
// answer of the server. Tested in Node (tests/js/sale.test.mjs); the sale screen's wiring
// (sell.js and its sell_*.js) shows each state.
//
//   import { Sale, outcome } from "./sale.js";
//   const sale = new Sale(cart, { session: 7, newId: newClientId, lastSale: null });
//   if (sale.edit() !== "frozen") cart.add("SAC-IKEA");  // "start": a new customer's cart
//   const body = sale.body();                             // the very same on every retry
//   outcome(result) === "done" && sale.recorded(result.body);
import { clientIdReused } from "./api.js";

// What follows an answer to the sale sent (api.js's result, or fromOutbox's): "kept" (no
// answer in time: it waits on the tablet and the change is given now), "unanswered" (no
// outbox and no answer: the same body again on "Réessayer"), "done" (recorded), "refused"
// (a 4xx: nothing was recorded; the cart may be corrected and sent again).
export function outcome(result) {
  if (result.waiting) return "kept";
  if (!result.reached) return "unanswered";
  return result.ok ? "done" : "refused";
}

// The outbox's answer (outbox.js, sendNow: {state: sent|waiting|refused}) as api.js's
// result, which outcome() reads.
export function fromOutbox(sent) {
  if (sent.state === "sent") return { reached: true, ok: true, body: sent.sale };
  if (sent.state === "waiting") return { reached: true, ok: true, waiting: true };
  return { reached: true, ok: false, status: sent.status, body: sent.body, message: sent.message };
}

// The drawer was closed under this tablet: the screen offers to open a new one.
export const drawerClosed = (result) => result.status === 409
  && result.body?.error === "session_closed";

// A recorded sale as "Annuler la dernière vente" names it.
export const lastOf = (sale) => ({ id: sale.id, number: sale.number, total: sale.total_cents });

export class Sale {
  // cart: cart.js's Cart; session: the drawer's id; newId: makes a client_id (api.js);
  // lastSale: the seller's last sale when the page was made ({id, number, total}) or null.
  constructor(cart, { session, newId, lastSale = null }) {
    this.cart = cart;
    this.session = session;
    this.newId = newId;
    this.clientId = null; // made when the cart starts; kept until the server acknowledged
    this.pending = null; // the body being sent: a retry sends exactly the same
    this.lastSale = lastSale;
  }

  // A change to the cart is about to be made: "frozen" while a sale is being sent (the cart
  // waits for its answer), "start" when it is a new customer's first (her cart gets its
  // client_id), "edit" otherwise.
  edit() {
    if (this.pending) return "frozen";
    if (this.clientId) return "edit";
    this.clientId = this.newId();
    return "start";
  }

  // The body of POST /api/v1/sales, made once per sending: a retry sends the same. The
  // receipt is asked for once the sale is recorded, so a printer that hangs never holds
  // the sale's answer.
  body() {
    this.pending ??= { ...this.cart.body(this.clientId, this.session), print_receipt: false };
    return this.pending;
  }

  // Recorded by the server: the cart empties, and this is the sale to void.
  recorded(sale) {
    this.drop();
    this.remember(sale);
  }

  remember(sale) {
    this.lastSale = lastOf(sale);
  }

  // Kept on the tablet (no answer): the cart empties; a sale the server has not got yet
  // cannot be voided from here.
  kept() {
    this.drop();
    this.lastSale = null;
  }

  // Refused (4xx): nothing was recorded. The payments go (the cart is corrected and paid
  // again); a client_id the server holds for another sale is replaced. Returns whether
  // the drawer was closed under this tablet.
  refused(result) {
    this.pending = null;
    if (clientIdReused(result)) this.clientId = this.newId();
    this.cart.clearPayments();
    return drawerClosed(result);
  }

  // The last sale was voided: there is none left to void. Returns its number.
  voided() {
    const { number } = this.lastSale;
    this.lastSale = null;
    return number;
  }

  // The cart came back after a reload with its client_id (a new one if it had none).
  resume(clientId) {
    this.clientId = clientId || this.newId();
  }

  // A new, empty sale.
  drop() {
    this.pending = null;
    this.cart.clear();
    this.clientId = null;
  }
}
