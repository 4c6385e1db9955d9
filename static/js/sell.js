// The sale screen's wiring: taps, rendering and focus. The cart lives on the tablet (a tap
// never waits on the server); only the finished sale is sent, with a client_id made when
// the cart starts, so a double tap or a retry after a Wi-Fi drop never sells twice.
// The cart's rules are in cart.js, the calls to the API in api.js, reading a label in scan.js.
import { apiClient, clientIdReused, newClientId, receiptStatus } from "./api.js";
import { Cart, parseEuros } from "./cart.js";
import { bindGifts } from "./gift.js";
import { bindScanner, skuFromCode } from "./scan.js";

const $ = (sel, root = document) => root.querySelector(sel);
const readJson = (id) => JSON.parse(document.getElementById(id).textContent);

const root = $("[data-sell]");
if (root) start();

function start() {
  const catalogue = new Map(readJson("catalogue").map((p) => [p.sku, p]));
  const screen = readJson("screen");
  const T = readJson("texts");
  const api = apiClient({ csrf: $('meta[name="csrf-token"]').content, networkMessage: T.network });
  const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  const money = (cents) => euros.format(cents / 100);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_m, k) => values[k] ?? "");

  // --- state -------------------------------------------------------------------------
  const cart = new Cart(new Map([...catalogue].map(([sku, p]) => [sku, p.price])));
  let clientId = null; // made when the cart starts; kept until the server acknowledged
  let pending = null; // the body being sent: a retry sends exactly the same
  let lastSale = screen.last_sale;
  let shownSale = null;
  // Gifts, free prices, the Ticket button (gift.js); `recorded`: a gift is a sale too.
  const gifts = bindGifts({ root, cart, catalogue, api, money, edit, recorded: (sale) => {
    lastSale = { id: sale.id, number: sale.number, total: sale.total_cents };
    $("[data-void-open]").hidden = false;
  } });

  // --- tiles, categories, search ------------------------------------------------------
  const products = $("[data-products]");
  for (const tile of products.querySelectorAll(".product")) {
    const swatch = tile.querySelector(".product-swatch");
    const colour = catalogue.get(tile.dataset.sku)?.colour;
    if (swatch && /^#[0-9a-fA-F]{6}$/.test(colour || "")) swatch.style.backgroundColor = colour;
  }
  products.addEventListener("click", (event) => {
    const tile = event.target.closest(".product");
    if (tile && !gifts.tapped(tile.dataset.sku)) add(tile.dataset.sku, 1);
  });

  let category = "";
  const find = $("[data-find]");
  const findMessage = $("[data-find-message]");
  $(".categories").addEventListener("click", (event) => {
    const button = event.target.closest("[data-category]");
    if (!button) return;
    category = button.dataset.category;
    for (const b of document.querySelectorAll(".category")) {
      b.setAttribute("aria-pressed", String(b === button));
    }
    filter();
  });
  find.addEventListener("input", filter);
  // A keyboard-wedge scanner types the label's code and presses Enter.
  find.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (!find.value.trim()) return;
    if (scanned(find.value)) {
      find.value = "";
      filter();
    }
  });

  // A code read from a label, typed by a scanner or read by the camera: scan.js reads the
  // SKU out of it (a bare SKU or PUBLIC_URL/p/SKU).
  function scanned(text) {
    const typed = String(text).trim();
    const code = skuFromCode(typed);
    const sku = code && [...catalogue.keys()].find((k) => k.toLowerCase() === code.toLowerCase());
    if (!sku) {
      // A bare code is said back as it was typed; from a label's URL, the SKU in it.
      const shown = !code || code === typed.toUpperCase() ? typed : code;
      findMessage.textContent = fill(T.unknown, { code: shown });
      findMessage.hidden = false;
      return false;
    }
    findMessage.hidden = true;
    if (!gifts.tapped(sku)) add(sku, 1);
    return true;
  }
  // The camera reads a label's QR (scan.js); the field above is the scanner's input.
  bindScanner($("[data-scan]"), (sku) => scanned(sku));

  function filter() {
    const words = find.value.trim().toLowerCase().normalize("NFD").replace(/\p{Diacritic}/gu, "");
    for (const tile of products.querySelectorAll(".product")) {
      const p = catalogue.get(tile.dataset.sku);
      const text = `${p.name} ${p.sku}`.toLowerCase().normalize("NFD").replace(/\p{Diacritic}/gu, "");
      tile.hidden = (category && p.category !== category) || (words && !text.includes(words));
    }
  }

  // --- the cart -----------------------------------------------------------------------
  const lines = $("[data-cart-lines]");
  const empty = $("[data-cart-empty]");
  const totalOut = $("[data-cart-total]");
  const checkout = $("[data-checkout]");

  function edit(change) {
    if (pending) return; // a sale is being sent: the cart is frozen until it is answered
    if (!clientId) clientId = newClientId();
    change();
    renderCart();
  }
  const add = (sku, step) => edit(() => cart.add(sku, step));

  lines.addEventListener("click", (event) => {
    const button = event.target.closest("[data-line-step], [data-line-remove]");
    if (!button) return;
    const sku = button.closest("[data-line]").dataset.line;
    if (button.dataset.lineRemove !== undefined) edit(() => cart.remove(sku));
    else add(sku, Number(button.dataset.lineStep));
  });

  function renderCart() {
    const rows = [];
    for (const [sku, qty] of cart.entries()) {
      const p = catalogue.get(sku);
      const li = document.createElement("li");
      li.className = "cart-line";
      li.dataset.line = sku;
      li.innerHTML = `<span class="line-name"></span>
        <span class="line-qty"><button type="button" class="line-button" data-line-step="-1">−</button>
        <output class="line-count"></output>
        <button type="button" class="line-button" data-line-step="1">+</button></span>
        <span class="line-total"></span>
        <button type="button" class="line-button line-remove" data-line-remove>×</button>`;
      li.querySelector(".line-name").textContent = p.name;
      li.querySelector(".line-count").textContent = String(qty);
      li.querySelector(".line-total").textContent = money(cart.lineTotal(sku));
      const [less, more] = li.querySelectorAll("[data-line-step]");
      less.setAttribute("aria-label", `${T.less} : ${p.name}`);
      more.setAttribute("aria-label", `${T.more} : ${p.name}`);
      li.querySelector("[data-line-remove]").setAttribute("aria-label", `${T.remove} : ${p.name}`);
      rows.push(li);
    }
    lines.replaceChildren(...rows);
    empty.hidden = cart.size > 0;
    totalOut.textContent = money(cart.total());
    checkout.disabled = cart.size === 0;
  }

  // --- paying -------------------------------------------------------------------------
  const pay = $("[data-pay]");
  const payError = $("[data-pay-error]");
  const retry = $("[data-retry]");
  const other = $("[data-other]");
  const otherInput = $("[data-other-input]");

  checkout.addEventListener("click", () => {
    if (!cart.size) return;
    cart.clearPayments();
    hideError();
    other.hidden = true;
    renderPay();
    show(pay);
    $("[data-cash='exact']").focus();
  });
  $("[data-pay-back]").addEventListener("click", () => {
    if (pending) return;
    cart.clearPayments();
    hide(pay);
    checkout.focus();
  });
  pay.addEventListener("click", (event) => {
    const cash = event.target.closest("[data-cash]");
    const method = event.target.closest("[data-method]");
    const otherMethod = event.target.closest("[data-other-method]");
    const undo = event.target.closest("[data-pay-undo]");
    if (pending) return;
    if (cash) {
      const amount = cash.dataset.cash === "exact" ? cart.exact() : Number(cash.dataset.cash);
      addPayment("cash", amount);
    } else if (method) {
      addPayment(method.dataset.method, cart.due());
    } else if (otherMethod) {
      const cents = parseEuros(otherInput.value);
      const refusal = cart.refusal(otherMethod.dataset.otherMethod, cents);
      if (refusal) return showError(T[refusal]); // T.amount or T.toomuch
      otherInput.value = "";
      other.hidden = true;
      addPayment(otherMethod.dataset.otherMethod, cents);
    } else if (undo) {
      cart.undoPayment(Number(undo.dataset.payUndo));
      renderPay();
    }
  });
  $("[data-other-open]").addEventListener("click", () => {
    other.hidden = !other.hidden;
    if (!other.hidden) otherInput.focus();
  });
  retry.addEventListener("click", () => send());

  function addPayment(method, amount) {
    if (!cart.pay(method, amount)) return; // nothing for 0 or less
    hideError();
    if (cart.settled()) send();
    else renderPay();
  }

  function renderPay() {
    $("[data-pay-total]").textContent = money(cart.total());
    $("[data-pay-due]").textContent = money(cart.due());
    const list = $("[data-pay-list]");
    list.replaceChildren(...cart.payments.map((p, i) => {
      const li = document.createElement("li");
      li.textContent = `${T[p.method]} : ${money(p.amount_cents)} `;
      const undo = document.createElement("button");
      undo.type = "button";
      undo.className = "button button-small";
      undo.dataset.payUndo = String(i);
      undo.textContent = T.remove;
      li.append(undo);
      return li;
    }));
  }

  async function send() {
    if (!pending) pending = cart.body(clientId, screen.session);
    retry.hidden = true;
    setBusy(true);
    const result = await api.postSale(pending);
    setBusy(false);
    if (!result.reached) {
      showError(result.message);
      retry.hidden = false; // the same client_id: a sale that did arrive is not sold twice
      retry.focus();
      return;
    }
    if (result.ok) return done(result.body ?? {});
    // Refused (4xx): nothing was recorded; the cart may be changed and sent again.
    pending = null;
    if (clientIdReused(result)) clientId = newClientId();
    cart.clearPayments();
    renderPay();
    showError(result.message);
  }

  function done(sale) {
    hide(pay);
    pending = null;
    cart.clear();
    clientId = null;
    renderCart();
    lastSale = { id: sale.id, number: sale.number, total: sale.total_cents };
    $("[data-void-open]").hidden = false;
    shownSale = sale;
    $("[data-done-title]").textContent = fill(T.saved, { n: sale.number });
    $("[data-change-label]").textContent = sale.change_cents ? T.change : T.nochange;
    $("[data-change]").textContent = sale.change_cents ? money(sale.change_cents) : "";
    $("[data-change]").hidden = !sale.change_cents;
    showReceipt(sale.receipt?.status);
    gifts.done(sale);
    $("[data-sale-link]").href = screen.sale_url + sale.id;
    show($("[data-done]"));
    $("[data-next]").focus();
  }

  function showReceipt(status) {
    const receipt = $("[data-receipt]");
    receipt.textContent = T[status] || "";
    receipt.className = `receipt-status receipt-${status}`;
    $("[data-reprint]").hidden = status === "none";
  }

  $("[data-next]").addEventListener("click", () => {
    hide($("[data-done]"));
    find.focus();
  });
  $("[data-reprint]").addEventListener("click", async () => {
    if (!shownSale) return;
    showReceipt(receiptStatus(await api.reprint(shownSale.id)));
  });

  // --- voiding the seller's own last sale ---------------------------------------------
  const voidBox = $("[data-void]");
  const voidError = $("[data-void-error]");
  $("[data-void-open]").addEventListener("click", () => {
    if (!lastSale) return;
    voidError.hidden = true;
    $("[data-void-what]").textContent = fill(T.voidwhat,
      { n: lastSale.number, t: money(lastSale.total) });
    show(voidBox);
    voidBox.querySelector("[data-reason]").focus();
  });
  $("[data-void-close]").addEventListener("click", () => hide(voidBox));
  voidBox.addEventListener("click", async (event) => {
    const reason = event.target.closest("[data-reason]");
    if (!reason || !lastSale || voidBox.dataset.busy) return;
    voidBox.dataset.busy = "1";
    const result = await api.voidSale(lastSale.id, reason.dataset.reason);
    delete voidBox.dataset.busy;
    if (!result.ok) { // no answer, or refused: nothing was voided
      voidError.textContent = result.message;
      voidError.hidden = false;
      return;
    }
    const body = result.body ?? {};
    const number = lastSale.number;
    lastSale = null;
    $("[data-void-open]").hidden = true;
    hide(voidBox);
    shownSale = body;
    $("[data-done-title]").textContent = fill(T.voided, { n: number });
    $("[data-change-label]").textContent = T.giveback;
    $("[data-change]").textContent = money(-body.total_cents);
    $("[data-change]").hidden = false;
    showReceipt(body.receipt?.status);
    gifts.done(body);
    $("[data-sale-link]").href = screen.sale_url + body.id;
    show($("[data-done]"));
    $("[data-next]").focus();
  });

  // --- helpers ------------------------------------------------------------------------
  function setBusy(busy) {
    for (const b of pay.querySelectorAll("button")) b.disabled = busy;
    pay.setAttribute("aria-busy", String(busy));
  }
  function showError(text) {
    payError.textContent = text;
    payError.hidden = false;
  }
  function hideError() {
    payError.hidden = true;
    retry.hidden = true;
  }
  function show(box) {
    box.hidden = false;
    root.inert = true;
  }
  function hide(box) {
    box.hidden = true;
    root.inert = false;
  }

  renderCart();
}
