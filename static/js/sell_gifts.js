// Gifts on the sale screen (issue 17), its wiring: "Gardez la monnaie" in one tap on the
// done panel, "Un don" without purchase, the free-price items ("prix libre"), the Ticket
// button (receipts print on request) and the gift receipt. The rules and words are
// gift.js's. sell.js calls two hooks:
//
//   const gifts = bindGifts(screen);        // sell.js's screen: {root, cart, catalogue, …}
//   if (!gifts.tapped(sku)) add(sku, 1);   // a free-price tile asks its price first
//   gifts.done(sale);                      // the done panel shows this sale
import { newClientId, receiptStatus } from "./api.js";
import { parseEuros } from "./cart.js";
import { donePanel, freePriceOffer, freePriceRefusal, freePriceRefusalText, giftAmount, giftBody, giftWords, keepChangeBody, keepNeedsConfirm, thanksText, ticketLine } from "./gift.js";
import { $, overlay, readJson, say } from "./sell_dom.js";
import { fill } from "./words.js";

// s: sell.js's screen; its basket (edit), done panel (show) and void button (recorded: a
// gift is a sale too, the last one to void) are reached when a tap needs them.
export function bindGifts(s) {
  const g = {
    root: s.root, cart: s.cart, catalogue: s.catalogue, api: s.api, money: s.money,
    screen: s.screen, setting: readJson("gift-screen"),
    T: { ...s.T, ...readJson("gift-texts") },
    ...overlay(s.root), // (the done panel is not modal)
    edit: (change) => s.basket.edit(change),
    showDone: (sale, words) => s.done.show(sale, words),
    recorded: (sale) => s.voiding.recorded(sale),
    shown: null, // the sale on the done panel
    kept: null, // its change, kept as a gift (a sale of its own)
  };
  const panel = bindDonePanel(g);
  bindGiftReceipt(g);
  bindGiftAlone(g, panel);
  return { tapped: bindFreePrice(g), done: panel.done };
}

// --- the done panel: "Gardez la monnaie", the Ticket button ---------------------------
function bindDonePanel(g) {
  const { T, money, setting } = g;
  const thanks = $("[data-gift-thanks]");
  const keep = bindKeepChange(g);
  const ticket = $("[data-ticket]");
  const receiptOpen = $("[data-gift-receipt-open]");

  function done(sale) {
    g.shown = sale;
    g.kept = null;
    const show = donePanel(sale, { receiptMode: setting.receipt_mode, printer: setting.printer,
      giftReceipts: setting.gift_receipts });
    say(thanks, thanksText(sale, T, money));
    keep.reset(sale, show.keep);
    ticket.hidden = !show.ticket;
    receiptOpen.hidden = !show.giftReceipt;
    say(g.doneError, "");
    if (show.onRequest && show.ticket) showStatus(null);
  }

  function showStatus(status) {
    const receipt = $("[data-receipt]");
    const line = ticketLine(status, T);
    receipt.textContent = line.text;
    receipt.className = line.className;
  }

  ticket.addEventListener("click", async () => {
    if (!g.shown || ticket.dataset.busy) return;
    ticket.dataset.busy = "1";
    const result = await g.api.reprint(g.shown.id);
    if (g.kept) await g.api.reprint(g.kept.id); // the gift's own ticket with it
    delete ticket.dataset.busy;
    showStatus(receiptStatus(result));
  });

  return { done, showStatus, thanks };
}

// "Gardez la monnaie": the change of the sale shown stays in the drawer as a gift of its
// own (a recorded sale is never changed); asked first above a small amount; undone by
// voiding that gift.
function bindKeepChange(g) {
  const { T, money } = g;
  const keep = $("[data-keep-change]");
  const confirm = $("[data-keep-confirm]");
  const yes = $("[data-keep-yes]");
  const undo = $("[data-keep-undo]");
  const receiptOpen = $("[data-gift-receipt-open]");
  g.doneError = $("[data-gift-done-error]");
  let body = null; // the gift being sent: a retry sends the very same

  keep.addEventListener("click", () => {
    if (!g.shown || keep.dataset.busy) return;
    if (!keepNeedsConfirm(g.shown.change_cents)) return keepChange();
    const amount = money(g.shown.change_cents);
    $("[data-keep-confirm-question]").textContent = fill(T.keepask, { amount });
    yes.textContent = fill(T.keepyes, { amount });
    keep.hidden = true;
    confirm.hidden = false;
    yes.focus();
  });
  $("[data-keep-no]").addEventListener("click", () => {
    confirm.hidden = true;
    keep.hidden = false;
  });
  yes.addEventListener("click", () => {
    confirm.hidden = true;
    keep.hidden = false;
    keepChange();
  });

  // The gift undone: voided (it is her last sale), and the change is to give back again.
  undo.addEventListener("click", async () => {
    if (!g.kept || undo.dataset.busy) return;
    undo.dataset.busy = "1";
    const result = await g.api.voidSale(g.kept.id, T.keepreason);
    delete undo.dataset.busy;
    if (!result.ok) return say(g.doneError, result.message);
    const amount = g.kept.donation_cents;
    g.kept = null;
    g.recorded(result.body);
    undo.hidden = true;
    receiptOpen.hidden = true;
    $("[data-change-label]").textContent = fill(T.keepundone, { amount: money(amount) });
    $("[data-change]").textContent = money(amount);
    $("[data-change]").hidden = false;
  });

  async function keepChange() {
    if (!g.shown || keep.dataset.busy) return;
    body ??= keepChangeBody(newClientId(), g.screen.session, g.shown);
    keep.dataset.busy = "1";
    const result = await g.api.postSale(body);
    delete keep.dataset.busy;
    if (!result.ok) return say(g.doneError, result.message); // unanswered: tap again, same body
    g.kept = result.body;
    body = null;
    g.recorded(g.kept);
    keep.hidden = true;
    $("[data-change-label]").textContent = fill(T.thanks, { amount: money(g.kept.donation_cents) });
    $("[data-change]").hidden = true;
    say($("[data-gift-thanks]"), "");
    receiptOpen.hidden = !g.setting.gift_receipts;
    undo.textContent = fill(T.keepundo, { amount: money(g.kept.donation_cents) });
    undo.hidden = false;
  }

  return {
    // A new sale on the done panel: its own change to keep, nothing asked or kept yet.
    reset(sale, shown) {
      body = null;
      keep.hidden = !shown;
      keep.textContent = fill(T.keep, { amount: money(sale.change_cents) });
      confirm.hidden = true;
      undo.hidden = true;
    },
  };
}

// --- the gift receipt ------------------------------------------------------------------
function bindGiftReceipt(g) {
  const box = $("[data-gift-receipt]");
  const error = $("[data-gift-receipt-error]");
  const made = $("[data-gift-receipt-done]");
  const pdf = $("[data-gift-receipt-pdf]");
  const giftSale = () => g.kept || g.shown;
  $("[data-gift-receipt-open]").addEventListener("click", () => {
    if (!giftSale()) return;
    $("[data-gift-receipt-amount]").textContent = g.money(giftSale().donation_cents);
    say(error, "");
    say(made, "");
    pdf.hidden = true;
    g.open(box);
    $("[data-donor-name]").focus();
  });
  $("[data-gift-receipt-close]").addEventListener("click", () => g.close(box));
  $("[data-gift-receipt-send]").addEventListener("click", async () => {
    const sale = giftSale();
    const name = $("[data-donor-name]").value.trim();
    const address = $("[data-donor-address]").value.trim();
    if (!sale) return;
    if (!name || !address) return say(error, g.T.donor);
    const result = await g.api.post(`/api/v1/sales/${sale.id}/gift-receipt`,
      { donor_name: name, donor_address: address });
    if (!result.ok) return say(error, result.message);
    say(error, "");
    say(made, `${fill(g.T.receiptmade, { n: result.body.number })} ${g.T[result.body.print?.status] || ""}`);
    pdf.href = `/api/v1/sales/${sale.id}/gift-receipt.pdf`;
    pdf.hidden = false;
  });
}

// --- a gift without purchase ("Un don") ------------------------------------------------
function bindGiftAlone(g, panel) {
  const { T, money } = g;
  const box = $("[data-gift]");
  const error = $("[data-gift-error]");
  const methods = $("[data-gift-methods]");
  const other = $("[data-gift-other]");
  const otherInput = $("[data-gift-other-input]");
  let chosen = 0;
  let body = null; // the gift being sent: a retry sends the very same

  function choose(cents) {
    chosen = cents;
    body = null;
    $("[data-gift-amount]").textContent = money(cents);
    methods.hidden = false;
    say(error, "");
    methods.querySelector("[data-gift-method]").focus();
  }
  $("[data-gift-open]").addEventListener("click", () => {
    chosen = 0;
    body = null;
    $("[data-gift-amount]").textContent = "";
    methods.hidden = true;
    other.hidden = true;
    say(error, "");
    g.open(box);
    box.querySelector("[data-gift-cents]").focus();
  });
  $("[data-gift-close]").addEventListener("click", () => g.close(box));
  box.addEventListener("click", async (event) => {
    const amount = event.target.closest("[data-gift-cents]");
    const method = event.target.closest("[data-gift-method]");
    if (amount) return choose(Number(amount.dataset.giftCents));
    if (event.target.closest("[data-gift-other-open]")) {
      other.hidden = false;
      return otherInput.focus();
    }
    if (event.target.closest("[data-gift-other-ok]")) {
      const cents = giftAmount(otherInput.value);
      return cents === null ? say(error, T.amount) : choose(cents);
    }
    if (!method || !chosen || box.dataset.busy) return;
    body ??= giftBody(newClientId(), g.screen.session, chosen, method.dataset.giftMethod);
    box.dataset.busy = "1";
    const result = await g.api.postSale(body);
    delete box.dataset.busy;
    if (!result.ok) return say(error, result.message); // unanswered: same body again
    body = null;
    const sale = result.body;
    g.recorded(sale);
    g.close(box);
    // sell_done.js's done panel (not modal: the next customer's tile starts her sale)
    g.showDone(sale, giftWords(sale, T, money));
    $("[data-reprint]").hidden = true; // (sell_done.js's, for the sale it showed last)
    say(panel.thanks, "");
    if (!g.setting.printer) panel.showStatus("none");
  });
}

// --- free-price items ------------------------------------------------------------------
// Returns tapped(sku): a tap on a tile; a free-price item asks its price first (true: the
// tap is taken).
function bindFreePrice(g) {
  const { T, money, catalogue } = g;
  const box = $("[data-free]");
  const error = $("[data-free-error]");
  const input = $("[data-free-input]");
  let freeSku = null;

  function addAt(cents) {
    const product = catalogue.get(freeSku);
    const refusal = freePriceRefusal(cents, product.min);
    if (refusal) return say(error, freePriceRefusalText(refusal, product, T, money));
    const sku = freeSku;
    g.edit(() => {
      g.cart.setPrice(sku, cents);
      g.cart.add(sku, 1);
    });
    g.close(box);
  }
  $("[data-free-suggested]").addEventListener("click", () => addAt(catalogue.get(freeSku).price));
  $("[data-free-ok]").addEventListener("click", () => addAt(parseEuros(input.value)));
  $("[data-free-close]").addEventListener("click", () => g.close(box));

  return function tapped(sku) {
    const product = catalogue.get(sku);
    if (!product?.free) return false;
    freeSku = sku;
    const offer = freePriceOffer(product, T, money);
    $("[data-free-name]").textContent = product.name;
    $("[data-free-minimum]").textContent = offer.minimum;
    $("[data-free-suggested]").textContent = offer.suggested;
    input.value = "";
    say(error, "");
    g.open(box);
    $("[data-free-suggested]").focus();
    return true;
  };
}
