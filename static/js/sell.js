// The sale screen: the cart lives here (a tap never waits on the server); only the
// finished sale is sent, with a client_id made when the cart starts, so a double tap or
// a retry after a Wi-Fi drop never sells twice.
import { bindScanner } from "./scan.js";

const $ = (sel, root = document) => root.querySelector(sel);
const readJson = (id) => JSON.parse(document.getElementById(id).textContent);

const root = $("[data-sell]");
if (root) start();

function start() {
  const catalogue = new Map(readJson("catalogue").map((p) => [p.sku, p]));
  const screen = readJson("screen");
  const T = readJson("texts");
  const csrf = $('meta[name="csrf-token"]').content;
  const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  const money = (cents) => euros.format(cents / 100);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_m, k) => values[k] ?? "");

  // --- state -------------------------------------------------------------------------
  let cart = new Map(); // sku -> qty, in the order tapped
  let clientId = null; // made when the cart starts; kept until the server acknowledged
  let payments = []; // [{method, amount_cents}]
  let pending = null; // the body being sent: a retry sends exactly the same
  let lastSale = screen.last_sale;
  let shownSale = null;

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : fallbackUuid());
  const total = () => {
    let sum = 0;
    for (const [sku, qty] of cart) sum += catalogue.get(sku).price * qty;
    return sum;
  };
  const paid = () => payments.reduce((s, p) => s + p.amount_cents, 0);
  const due = () => Math.max(0, total() - paid());

  // --- tiles, categories, search ------------------------------------------------------
  const products = $("[data-products]");
  for (const tile of products.querySelectorAll(".product")) {
    const swatch = tile.querySelector(".product-swatch");
    const colour = catalogue.get(tile.dataset.sku)?.colour;
    if (swatch && /^#[0-9a-fA-F]{6}$/.test(colour || "")) swatch.style.backgroundColor = colour;
  }
  products.addEventListener("click", (event) => {
    const tile = event.target.closest(".product");
    if (tile) add(tile.dataset.sku, 1);
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
    const code = skuFrom(find.value);
    if (!code) return;
    if (scanned(code)) {
      find.value = "";
      filter();
    }
  });

  function skuFrom(text) {
    const value = text.trim();
    const fromUrl = value.match(/\/p\/([A-Za-z0-9_.-]+)\/?$/);
    return fromUrl ? fromUrl[1] : value;
  }

  // A code read from a label, typed by a scanner or read by the camera.
  function scanned(code) {
    const sku = [...catalogue.keys()].find((k) => k.toLowerCase() === skuFrom(code).toLowerCase());
    if (!sku) {
      findMessage.textContent = fill(T.unknown, { code });
      findMessage.hidden = false;
      return false;
    }
    findMessage.hidden = true;
    add(sku, 1);
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

  function add(sku, step) {
    if (pending) return; // a sale is being sent: the cart is frozen until it is answered
    if (!clientId) clientId = newId();
    const qty = Math.min(999, (cart.get(sku) || 0) + step);
    if (qty <= 0) cart.delete(sku);
    else cart.set(sku, qty);
    renderCart();
  }

  lines.addEventListener("click", (event) => {
    const button = event.target.closest("[data-line-step], [data-line-remove]");
    if (!button) return;
    const sku = button.closest("[data-line]").dataset.line;
    if (button.dataset.lineRemove !== undefined) add(sku, -999);
    else add(sku, Number(button.dataset.lineStep));
  });

  function renderCart() {
    const rows = [];
    for (const [sku, qty] of cart) {
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
      li.querySelector(".line-total").textContent = money(p.price * qty);
      const [less, more] = li.querySelectorAll("[data-line-step]");
      less.setAttribute("aria-label", `${T.less} : ${p.name}`);
      more.setAttribute("aria-label", `${T.more} : ${p.name}`);
      li.querySelector("[data-line-remove]").setAttribute("aria-label", `${T.remove} : ${p.name}`);
      rows.push(li);
    }
    lines.replaceChildren(...rows);
    empty.hidden = cart.size > 0;
    totalOut.textContent = money(total());
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
    payments = [];
    hideError();
    other.hidden = true;
    renderPay();
    show(pay);
    $("[data-cash='exact']").focus();
  });
  $("[data-pay-back]").addEventListener("click", () => {
    if (pending) return;
    payments = [];
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
      const amount = cash.dataset.cash === "exact" ? due() : Number(cash.dataset.cash);
      addPayment("cash", amount);
    } else if (method) {
      addPayment(method.dataset.method, due());
    } else if (otherMethod) {
      const cents = parseEuros(otherInput.value);
      if (cents === null || cents <= 0) return showError(T.amount);
      if (otherMethod.dataset.otherMethod !== "cash" && cents > due()) return showError(T.toomuch);
      otherInput.value = "";
      other.hidden = true;
      addPayment(otherMethod.dataset.otherMethod, cents);
    } else if (undo) {
      payments.splice(Number(undo.dataset.payUndo), 1);
      renderPay();
    }
  });
  $("[data-other-open]").addEventListener("click", () => {
    other.hidden = !other.hidden;
    if (!other.hidden) otherInput.focus();
  });
  retry.addEventListener("click", () => send());

  function addPayment(method, amount) {
    if (amount <= 0) return;
    hideError();
    payments.push({ method, amount_cents: amount });
    if (paid() >= total()) send();
    else renderPay();
  }

  function renderPay() {
    $("[data-pay-total]").textContent = money(total());
    $("[data-pay-due]").textContent = money(due());
    const list = $("[data-pay-list]");
    list.replaceChildren(...payments.map((p, i) => {
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
    if (!pending) {
      pending = {
        client_id: clientId,
        cash_session_id: screen.session,
        lines: [...cart].map(([sku, qty]) => ({ sku, qty })),
        payments: payments.map((p) => ({ ...p })),
      };
    }
    retry.hidden = true;
    setBusy(true);
    let response;
    try {
      response = await post("/api/v1/sales", pending);
    } catch {
      setBusy(false);
      showError(T.network);
      retry.hidden = false; // the same client_id: a sale that did arrive is not sold twice
      retry.focus();
      return;
    }
    setBusy(false);
    const body = await response.json().catch(() => ({}));
    if (response.ok) return done(body);
    // Refused (4xx): nothing was recorded; the cart may be changed and sent again.
    pending = null;
    if (response.status === 409 && body.error === "client_id_reused") clientId = newId();
    payments = [];
    renderPay();
    showError(body.message || T.network);
  }

  function done(sale) {
    hide(pay);
    pending = null;
    cart = new Map();
    clientId = null;
    payments = [];
    renderCart();
    lastSale = { id: sale.id, number: sale.number, total: sale.total_cents };
    $("[data-void-open]").hidden = false;
    shownSale = sale;
    $("[data-done-title]").textContent = fill(T.saved, { n: sale.number });
    $("[data-change-label]").textContent = sale.change_cents ? T.change : T.nochange;
    $("[data-change]").textContent = sale.change_cents ? money(sale.change_cents) : "";
    $("[data-change]").hidden = !sale.change_cents;
    showReceipt(sale.receipt?.status);
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
    try {
      const response = await post(`/api/v1/sales/${shownSale.id}/receipt`, {});
      const body = await response.json();
      showReceipt(body.receipt?.status || "failed");
    } catch {
      showReceipt("queued");
    }
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
    let response;
    try {
      response = await post(`/api/v1/sales/${lastSale.id}/void`, { reason: reason.dataset.reason });
    } catch {
      delete voidBox.dataset.busy;
      voidError.textContent = T.network;
      voidError.hidden = false;
      return;
    }
    delete voidBox.dataset.busy;
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      voidError.textContent = body.message || T.network;
      voidError.hidden = false;
      return;
    }
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
    $("[data-sale-link]").href = screen.sale_url + body.id;
    show($("[data-done]"));
    $("[data-next]").focus();
  });

  // --- helpers ------------------------------------------------------------------------
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }
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
  function parseEuros(text) {
    const m = text.trim().replace(/\s|€/g, "").replace(",", ".").match(/^(\d+)(?:\.(\d{1,2}))?$/);
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
  }
  function fallbackUuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  renderCart();
}
