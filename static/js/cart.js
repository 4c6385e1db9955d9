// The sale being built on the tablet: its lines and payments, and their rules, with no page
// and no network, so the rules can be tested alone (tests/browser/test_cart_module.py,
// tests/js/cart.test.mjs). The server checks everything again: these rules only keep the
// screen honest before the sale is sent.
//
//   import { Cart, parseEuros } from "./cart.js";
//   const cart = new Cart(new Map([["SAC-IKEA", 1500]]));  // SKU -> unit price in cents
//   cart.add("SAC-IKEA");
//   cart.pay("cash", 2000);  // cart.settled() === true, cart.change() === 500

// The server's MAX_QTY (kiosk/vocabulary.py): pieces on one line of a sale.
export const MAX_QTY = 999;
// The server's MAX_PRICE_CENTS: a unit price above 10 000 € is a typing slip.
export const MAX_PRICE_CENTS = 1_000_000;

// Only cash may be handed over beyond what is left to pay: the change is given back in
// cash (kiosk/services/sales.py, _settle, refuses a cheque or card beyond the total).
const CASH = "cash";

// "Autre montant" asks before taking more than 100 € that is more than 5 times what is left.
export const DOUBTFUL_CENTS = 10000;
export const DOUBTFUL_TIMES = 5;

// "12,50", "12.5", "12 €" -> 1250 cents; anything else (or more than two decimals) -> null.
// Whole cents from the digits, never through a float, so 0,10 is exactly 10.
export function parseEuros(text) {
  const m = String(text ?? "").trim().replace(/\s|€/g, "").replace(",", ".")
    .match(/^(\d+)(?:\.(\d{1,2}))?$/);
  return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
}

export class Cart {
  // prices: SKU -> unit price in cents (a Map, or a plain object).
  constructor(prices) {
    this.prices = prices instanceof Map ? prices : new Map(Object.entries(prices || {}));
    this.quantities = new Map(); // SKU -> qty, in the order tapped
    this.payments = []; // [{method, amount_cents}], in the order handed over
    this.chosen = new Map(); // SKU -> the price the customer chose ("prix libre", gift.js)
  }

  // --- lines ---------------------------------------------------------------------------
  // One more (or `step` more, or less) of a SKU; at 0 the line goes. Returns the new qty.
  add(sku, step = 1) {
    if (!this.prices.has(sku)) return 0; // not for sale on this screen
    const qty = Math.min(MAX_QTY, this.qty(sku) + step);
    if (qty <= 0) this.remove(sku);
    else this.quantities.set(sku, qty);
    return Math.max(0, qty);
  }

  remove(sku) {
    this.quantities.delete(sku);
    this.chosen.delete(sku);
  }

  // A free-price item at the price the customer chose: sent as its unit_price_cents.
  setPrice(sku, cents) {
    if (this.prices.has(sku)) this.chosen.set(sku, cents);
  }

  qty(sku) {
    return this.quantities.get(sku) || 0;
  }

  get size() {
    return this.quantities.size;
  }

  // [[sku, qty], ...] in the order tapped.
  entries() {
    return [...this.quantities];
  }

  lineTotal(sku) {
    return (this.chosen.get(sku) ?? this.prices.get(sku) ?? 0) * this.qty(sku);
  }

  // In whole cents: integer prices times integer quantities never drift.
  total() {
    let sum = 0;
    for (const sku of this.quantities.keys()) sum += this.lineTotal(sku);
    return sum;
  }

  // The `lines` of POST /api/v1/sales.
  lines() {
    return this.entries().map(([sku, qty]) => (this.chosen.has(sku)
      ? { sku, qty, unit_price_cents: this.chosen.get(sku) } : { sku, qty }));
  }

  // --- payments ------------------------------------------------------------------------
  paid() {
    return this.payments.reduce((sum, p) => sum + p.amount_cents, 0);
  }

  // What is left to pay ("Reste à payer"), never below 0.
  due() {
    return Math.max(0, this.total() - this.paid());
  }

  // What "Montant exact" hands over: what is left to pay.
  exact() {
    return this.due();
  }

  // Adds a payment of `cents` (nothing for 0 or less). Returns whether it was added.
  pay(method, cents) {
    if (!(cents > 0)) return false;
    this.payments.push({ method, amount_cents: cents });
    return true;
  }

  undoPayment(index) {
    this.payments.splice(index, 1);
  }

  clearPayments() {
    this.payments = [];
  }

  // Payments kept across a reload (sessionStorage): only well-formed ones come back, and
  // none beyond what settles the cart (that sale was sent already).
  restorePayments(kept) {
    this.payments = [];
    if (!Array.isArray(kept)) return;
    for (const p of kept) {
      if (this.settled() && this.payments.length) break;
      if (p && typeof p.method === "string" && Number.isInteger(p.amount_cents)) {
        this.pay(p.method, p.amount_cents);
      }
    }
  }

  // Enough has been handed over: the sale can be sent.
  settled() {
    return this.paid() >= this.total();
  }

  // The change to give back in cash, as the server will compute it.
  change() {
    return Math.max(0, this.paid() - this.total());
  }

  // Why an amount typed under "Autre montant" cannot be taken, or null if it can:
  // "amount" (not an amount above 0), "toomuch" (a cheque or card beyond what is left).
  refusal(method, cents) {
    if (cents === null || !(cents > 0)) return "amount";
    if (method !== CASH && cents > this.due()) return "toomuch";
    return null;
  }

  // An amount far above what is left to pay, as when 350 is typed for 3,50: over
  // DOUBTFUL_CENTS and more than DOUBTFUL_TIMES what is left. The screen asks "Vous avez bien
  // reçu … ?" before taking it; a 50 € note for a 12 € bag is not doubtful.
  doubtful(cents) {
    return cents > DOUBTFUL_CENTS && cents > DOUBTFUL_TIMES * this.due();
  }

  // --- the request ---------------------------------------------------------------------
  // The body of POST /api/v1/sales (CONTRACT.md): the same cart gives the same body.
  body(clientId, cashSessionId) {
    return {
      client_id: clientId,
      cash_session_id: cashSessionId,
      lines: this.lines(),
      payments: this.payments.map((p) => ({ ...p })),
    };
  }

  // A new sale: no lines, no payments.
  clear() {
    this.quantities = new Map();
    this.payments = [];
    this.chosen = new Map();
  }
}
