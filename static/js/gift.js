// Gifts on the sale screen (issue 17): "Gardez la monnaie" in one tap on the done panel,
// "Un don" without purchase, the free-price items ("prix libre"), the Ticket button
// (receipts print on request) and the gift receipt. sell.js calls three hooks:
//
//   import { bindGifts } from "./gift.js";
//   const gifts = bindGifts({ root, cart, catalogue, api, money, edit, showDone, recorded });
//   if (!gifts.tapped(sku)) add(sku, 1);   // a free-price tile asks its price first
//   gifts.done(sale);                      // the done panel shows this sale
//
// The rules (what a gift's request is, when a price is refused) are plain functions,
// exported for tests/js/gift.test.mjs; the server checks them all again.
import { newClientId, receiptStatus } from "./api.js";
import { MAX_PRICE_CENTS, parseEuros } from "./cart.js";

const CASH = "cash";

// Why a free price cannot be taken, or null: "amount" (not an amount), "minimum" (under
// the product's minimum), "toobig" (above the server's 10 000 €, refused when typed, not
// at payment). `cents` from parseEuros (null when it could not read it).
export function freePriceRefusal(cents, minimum) {
  if (cents === null || !Number.isInteger(cents) || cents < 0) return "amount";
  if (cents > MAX_PRICE_CENTS) return "toobig";
  if (cents < (minimum || 0)) return "minimum";
  return null;
}

// POST /api/v1/sales for a gift without purchase: no line, the gift paid in full.
export function giftBody(clientId, cashSessionId, cents, method = CASH) {
  return {
    client_id: clientId, cash_session_id: cashSessionId, lines: [],
    payments: [{ method, amount_cents: cents }], donation_cents: cents,
  };
}

// "Gardez la monnaie": the change of `sale` stays in the drawer as a gift of its own
// (the sale is recorded already, and a recorded sale is never changed).
export function keepChangeBody(clientId, cashSessionId, sale) {
  return giftBody(clientId, cashSessionId, sale.change_cents, CASH);
}

// "Gardez la monnaie" asks first above this much: a big note's change is no small gift.
export const KEEP_CONFIRM_ABOVE = 1000;
export const keepNeedsConfirm = (cents) => cents > KEEP_CONFIRM_ABOVE;

// Which buttons the done panel shows for `sale`, given the receipt setting: the Ticket
// button when receipts print on request ("always" printed it already: "Réimprimer").
export function donePanel(sale, { receiptMode, printer, giftReceipts }) {
  const gift = sale.donation_cents > 0;
  return {
    keep: sale.kind === "sale" && sale.change_cents > 0,
    ticket: receiptMode === "on_request" && printer,
    giftReceipt: giftReceipts && gift && sale.kind === "sale",
    onRequest: printer && sale.receipt?.status === "none",
  };
}

export function bindGifts({ root, cart, catalogue, api, money, edit, showDone, recorded = () => {} }) {
  const $ = (sel) => document.querySelector(sel);
  const readJson = (id) => JSON.parse(document.getElementById(id).textContent);
  const screen = readJson("screen");
  const setting = readJson("gift-screen");
  const T = { ...readJson("texts"), ...readJson("gift-texts") };
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_m, k) => values[k] ?? "");

  let shown = null; // the sale on the done panel
  let kept = null; // its change, kept as a gift (a sale of its own)
  let keepBody = null; // the gift being sent: a retry sends the very same
  let giftBodyPending = null;

  function open(box) {
    box.hidden = false;
    root.inert = true;
  }
  function close(box) {
    box.hidden = true;
    root.inert = false; // (the done panel is not modal)
  }
  function say(box, text) {
    box.textContent = text;
    box.hidden = !text;
  }

  // --- the done panel ---------------------------------------------------------------
  const thanks = $("[data-gift-thanks]");
  const keep = $("[data-keep-change]");
  const keepConfirm = $("[data-keep-confirm]");
  const keepYes = $("[data-keep-yes]");
  const keepUndo = $("[data-keep-undo]");
  const ticket = $("[data-ticket]");
  const receiptOpen = $("[data-gift-receipt-open]");
  const doneError = $("[data-gift-done-error]");

  function done(sale) {
    shown = sale;
    kept = null;
    keepBody = null;
    const show = donePanel(sale, { receiptMode: setting.receipt_mode, printer: setting.printer,
      giftReceipts: setting.gift_receipts });
    say(thanks, sale.donation_cents > 0 ? fill(T.thanks, { amount: money(sale.donation_cents) }) : "");
    keep.hidden = !show.keep;
    keep.textContent = fill(T.keep, { amount: money(sale.change_cents) });
    keepConfirm.hidden = true;
    keepUndo.hidden = true;
    ticket.hidden = !show.ticket;
    receiptOpen.hidden = !show.giftReceipt;
    say(doneError, "");
    if (show.onRequest && show.ticket) showStatus(null);
  }

  function showStatus(status) {
    const receipt = $("[data-receipt]");
    receipt.textContent = status ? T[status] || "" : T.onrequest;
    receipt.className = `receipt-status receipt-${status || "none"}`;
  }

  keep.addEventListener("click", () => {
    if (!shown || keep.dataset.busy) return;
    if (!keepNeedsConfirm(shown.change_cents)) return keepChange();
    const amount = money(shown.change_cents);
    $("[data-keep-confirm-question]").textContent = fill(T.keepask, { amount });
    keepYes.textContent = fill(T.keepyes, { amount });
    keep.hidden = true;
    keepConfirm.hidden = false;
    keepYes.focus();
  });
  $("[data-keep-no]").addEventListener("click", () => {
    keepConfirm.hidden = true;
    keep.hidden = false;
  });
  keepYes.addEventListener("click", () => {
    keepConfirm.hidden = true;
    keep.hidden = false;
    keepChange();
  });

  // The gift undone: voided (it is her last sale), and the change is to give back again.
  keepUndo.addEventListener("click", async () => {
    if (!kept || keepUndo.dataset.busy) return;
    keepUndo.dataset.busy = "1";
    const result = await api.voidSale(kept.id, T.keepreason);
    delete keepUndo.dataset.busy;
    if (!result.ok) return say(doneError, result.message);
    const amount = kept.donation_cents;
    kept = null;
    recorded(result.body);
    keepUndo.hidden = true;
    receiptOpen.hidden = true;
    $("[data-change-label]").textContent = fill(T.keepundone, { amount: money(amount) });
    $("[data-change]").textContent = money(amount);
    $("[data-change]").hidden = false;
  });

  async function keepChange() {
    if (!shown || keep.dataset.busy) return;
    keepBody ??= keepChangeBody(newClientId(), screen.session, shown);
    keep.dataset.busy = "1";
    const result = await api.postSale(keepBody);
    delete keep.dataset.busy;
    if (!result.ok) return say(doneError, result.message); // unanswered: tap again, same body
    kept = result.body;
    keepBody = null;
    recorded(kept);
    keep.hidden = true;
    $("[data-change-label]").textContent = fill(T.thanks, { amount: money(kept.donation_cents) });
    $("[data-change]").hidden = true;
    say(thanks, "");
    receiptOpen.hidden = !setting.gift_receipts;
    keepUndo.textContent = fill(T.keepundo, { amount: money(kept.donation_cents) });
    keepUndo.hidden = false;
  }

  ticket.addEventListener("click", async () => {
    if (!shown || ticket.dataset.busy) return;
    ticket.dataset.busy = "1";
    const result = await api.reprint(shown.id);
    if (kept) await api.reprint(kept.id); // the gift's own ticket with it
    delete ticket.dataset.busy;
    showStatus(receiptStatus(result));
  });

  // --- the gift receipt -------------------------------------------------------------
  const receiptBox = $("[data-gift-receipt]");
  const receiptError = $("[data-gift-receipt-error]");
  const receiptDone = $("[data-gift-receipt-done]");
  const pdf = $("[data-gift-receipt-pdf]");
  const giftSale = () => kept || shown;
  receiptOpen.addEventListener("click", () => {
    if (!giftSale()) return;
    $("[data-gift-receipt-amount]").textContent = money(giftSale().donation_cents);
    say(receiptError, "");
    say(receiptDone, "");
    pdf.hidden = true;
    open(receiptBox);
    $("[data-donor-name]").focus();
  });
  $("[data-gift-receipt-close]").addEventListener("click", () => close(receiptBox));
  $("[data-gift-receipt-send]").addEventListener("click", async () => {
    const sale = giftSale();
    const name = $("[data-donor-name]").value.trim();
    const address = $("[data-donor-address]").value.trim();
    if (!sale) return;
    if (!name || !address) return say(receiptError, T.donor);
    const result = await api.post(`/api/v1/sales/${sale.id}/gift-receipt`,
      { donor_name: name, donor_address: address });
    if (!result.ok) return say(receiptError, result.message);
    say(receiptError, "");
    say(receiptDone, `${fill(T.receiptmade, { n: result.body.number })} ${T[result.body.print?.status] || ""}`);
    pdf.href = `/api/v1/sales/${sale.id}/gift-receipt.pdf`;
    pdf.hidden = false;
  });

  // --- a gift without purchase ------------------------------------------------------
  const giftBox = $("[data-gift]");
  const giftError = $("[data-gift-error]");
  const methods = $("[data-gift-methods]");
  const other = $("[data-gift-other]");
  const otherInput = $("[data-gift-other-input]");
  let chosen = 0;

  function choose(cents) {
    chosen = cents;
    giftBodyPending = null;
    $("[data-gift-amount]").textContent = money(cents);
    methods.hidden = false;
    say(giftError, "");
    methods.querySelector("[data-gift-method]").focus();
  }
  $("[data-gift-open]").addEventListener("click", () => {
    chosen = 0;
    giftBodyPending = null;
    $("[data-gift-amount]").textContent = "";
    methods.hidden = true;
    other.hidden = true;
    say(giftError, "");
    open(giftBox);
    giftBox.querySelector("[data-gift-cents]").focus();
  });
  $("[data-gift-close]").addEventListener("click", () => close(giftBox));
  giftBox.addEventListener("click", async (event) => {
    const amount = event.target.closest("[data-gift-cents]");
    const method = event.target.closest("[data-gift-method]");
    if (amount) return choose(Number(amount.dataset.giftCents));
    if (event.target.closest("[data-gift-other-open]")) {
      other.hidden = false;
      return otherInput.focus();
    }
    if (event.target.closest("[data-gift-other-ok]")) {
      const cents = parseEuros(otherInput.value);
      if (!(cents > 0)) return say(giftError, T.amount);
      return choose(cents);
    }
    if (!method || !chosen || giftBox.dataset.busy) return;
    giftBodyPending ??= giftBody(newClientId(), screen.session, chosen, method.dataset.giftMethod);
    giftBox.dataset.busy = "1";
    const result = await api.postSale(giftBodyPending);
    delete giftBox.dataset.busy;
    if (!result.ok) return say(giftError, result.message); // unanswered: same body again
    giftBodyPending = null;
    const sale = result.body;
    recorded(sale);
    close(giftBox);
    // sell.js's done panel (not modal: the next customer's tile starts her sale)
    showDone(sale, { title: fill(T.giftsaved, { n: sale.number }),
      label: fill(T.thanks, { amount: money(sale.donation_cents) }), amount: 0 });
    $("[data-reprint]").hidden = true; // (sell.js's, for the sale it showed last)
    say(thanks, "");
    if (!setting.printer) showStatus("none");
  });

  // --- free-price items -------------------------------------------------------------
  const freeBox = $("[data-free]");
  const freeError = $("[data-free-error]");
  const freeInput = $("[data-free-input]");
  let freeSku = null;

  function addAt(cents) {
    const product = catalogue.get(freeSku);
    const refusal = freePriceRefusal(cents, product.min);
    if (refusal) {
      const texts = { minimum: fill(T.minimum, { amount: money(product.min) }),
        toobig: fill(T.toobig, { amount: money(MAX_PRICE_CENTS) }) };
      return say(freeError, texts[refusal] || T.amount);
    }
    const sku = freeSku;
    edit(() => {
      cart.setPrice(sku, cents);
      cart.add(sku, 1);
    });
    close(freeBox);
  }
  $("[data-free-suggested]").addEventListener("click", () => addAt(catalogue.get(freeSku).price));
  $("[data-free-ok]").addEventListener("click", () => addAt(parseEuros(freeInput.value)));
  $("[data-free-close]").addEventListener("click", () => close(freeBox));

  // A tap on a tile: a free-price item asks its price first (true: the tap is taken).
  function tapped(sku) {
    const product = catalogue.get(sku);
    if (!product?.free) return false;
    freeSku = sku;
    $("[data-free-name]").textContent = product.name;
    $("[data-free-minimum]").textContent = fill(T.minimum, { amount: money(product.min) });
    $("[data-free-suggested]").textContent = fill(T.suggested, { amount: money(product.price) });
    freeInput.value = "";
    say(freeError, "");
    open(freeBox);
    $("[data-free-suggested]").focus();
    return true;
  }

  return { tapped, done };
}
