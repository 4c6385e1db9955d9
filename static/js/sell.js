// The sale screen's wiring: taps, rendering and focus. The cart lives on the tablet (a tap
// never waits on the server); only the finished sale is sent, with a client_id made when
// the cart starts, so a double tap or a retry after a Wi-Fi drop never sells twice.
// The cart's rules are in cart.js, the calls to the API in api.js, reading a label in scan.js,
// the cart kept across the opening page in cart_store.js, the idle lock in idle_lock.js.
//
// Where other modules hook in: [data-sell] receives "kiosk:cart-start" when a new cart
// starts and "kiosk:done" (detail: the sale) when the done panel shows one; saleBody()
// and recordSale(body) make and send the sale; showDone(sale, {title, label, amount})
// shows the done panel, whose buttons sit in [data-done-actions].
import { apiClient, clientIdReused, newClientId, receiptStatus } from "./api.js";
import { Cart, parseEuros } from "./cart.js";
import { keepCart, parkCart, takeKeptCart, takeParkedCart } from "./cart_store.js";
import { startIdleLock } from "./idle_lock.js";
import { bindGifts } from "./gift.js";
import { outboxReady } from "./pending.js";
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
  const gifts = bindGifts({ root, cart, catalogue, api, money, edit, showDone, recorded: (sale) => {
    lastSale = { id: sale.id, number: sale.number, total: sale.total_cents };
    $("[data-void-open]").hidden = false;
  } });
  const cartKey = `kiosk-cart-${screen.session}`; // sessionStorage: the cart across a reload

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

  // A scanner types into whatever has the focus: a tile or the done panel once tapped.
  // Its keys go to the search field, where Enter reads the code (above).
  document.addEventListener("keydown", (event) => {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (root.inert || event.target.closest("input, textarea, select, [contenteditable]")) return;
    find.focus(); // the key itself then lands in the field
  });

  // --- the cart -----------------------------------------------------------------------
  const doneBox = $("[data-done]");
  const printNotice = $("[data-print-notice]");
  const cartBox = $("[data-cart]");
  const lines = $("[data-cart-lines]");
  const empty = $("[data-cart-empty]");
  const totalOut = $("[data-cart-total]");
  const checkout = $("[data-checkout]");

  function edit(change) {
    if (pending) return; // a sale is being sent: the cart is frozen until it is answered
    if (!clientId) startCart();
    change();
    renderCart();
  }

  // The next customer's first tile (or scan) starts her cart: the done panel, which kept
  // the last change readable until then, makes way for it.
  function startCart() {
    clientId = newClientId();
    hideDone();
    root.dispatchEvent(new CustomEvent("kiosk:cart-start", { bubbles: true }));
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
    keepCartAcrossReload();
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
  const reopen = $("[data-reopen]");

  const confirmBox = $("[data-confirm]");
  const choice = $("[data-pay-choice]");
  const cardStep = $("[data-card-step]");
  let doubted = null; // cents typed under "Autre montant", waiting for "Oui"
  let cardCents = 0; // what the terminal was asked for

  checkout.addEventListener("click", () => {
    if (!cart.size) return;
    cart.clearPayments();
    hideError();
    other.hidden = true;
    confirmBox.hidden = true;
    showChoice();
    renderPay();
    show(pay);
    keepCartAcrossReload();
    $("[data-cash='exact']").focus();
  });
  $("[data-pay-back]").addEventListener("click", () => {
    if (pending) return;
    cart.clearPayments();
    hide(pay);
    keepCartAcrossReload();
    checkout.focus();
  });
  pay.addEventListener("click", (event) => {
    if (pending) return;
    const on = (selector) => event.target.closest(selector);
    const cash = on("[data-cash]");
    const method = on("[data-method]");
    const undo = on("[data-pay-undo]");
    if (cash) {
      payCash(cash.dataset.cash === "exact" ? cart.exact() : Number(cash.dataset.cash));
    } else if (method?.dataset.method === "card") {
      showCardStep(cart.due());
    } else if (method) {
      addPayment(method.dataset.method, cart.due());
    } else if (on("[data-other-method]")) {
      payOther();
    } else if (on("[data-confirm-yes]")) {
      takeOther(doubted);
    } else if (on("[data-confirm-no]")) {
      correctOther();
    } else if (on("[data-card-accepted]")) {
      showChoice();
      addPayment("card", cardCents);
    } else if (on("[data-card-refused]")) {
      showChoice();
      showError(T.refused);
      $("[data-cash='exact']").focus();
    } else if (undo) {
      cart.undoPayment(Number(undo.dataset.payUndo));
      renderPay();
    }
  });
  $("[data-other-open]").addEventListener("click", () => {
    other.hidden = !other.hidden;
    confirmBox.hidden = true;
    if (!other.hidden) otherInput.focus();
  });
  retry.addEventListener("click", () => send());

  function payCash(cents) {
    addPayment("cash", cents);
  }

  // "Autre montant": what the customer handed over, typed in euros. An amount far above
  // what is left (350 typed for 3,50) is asked about first.
  function payOther() {
    const cents = parseEuros(otherInput.value);
    const refusal = cart.refusal("cash", cents);
    if (refusal) return showError(T[refusal]); // T.amount
    if (!cart.doubtful(cents)) return takeOther(cents);
    doubted = cents;
    $("[data-confirm-text]").textContent = fill(T.doubtful, { amount: money(cents) });
    confirmBox.hidden = false;
    $("[data-confirm-yes]").focus();
  }

  function takeOther(cents) {
    doubted = null;
    otherInput.value = "";
    other.hidden = true;
    confirmBox.hidden = true;
    payCash(cents);
  }

  function correctOther() {
    doubted = null;
    confirmBox.hidden = true;
    otherInput.focus();
    otherInput.select();
  }

  // The card terminal is a machine of its own: the volunteer types the amount on it, and
  // the sale is recorded only once she says it accepted the card.
  function showCardStep(cents) {
    cardCents = cents;
    hideError();
    $("[data-card-amount]").textContent = money(cents);
    choice.hidden = true;
    cardStep.hidden = false;
    $("[data-card-accepted]").focus();
  }

  function showChoice() {
    cardStep.hidden = true;
    choice.hidden = false;
  }

  function addPayment(method, amount) {
    if (!cart.pay(method, amount)) return; // nothing for 0 or less
    hideError();
    if (cart.settled()) send();
    else renderPay();
  }

  function renderPay() {
    keepCartAcrossReload();
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

  // The finished sale goes into the tablet's outbox first (outbox.js): when the server gives
  // no answer within a few seconds it waits there, and the volunteer goes on selling.
  async function recordSale(body) {
    const outbox = await outboxReady;
    if (!outbox) return api.postSale(body); // no IndexedDB (a private window): as before
    await outbox.add(outbox.entry(body, { total_cents: cart.total(), change_cents: cart.change() }));
    const sent = await outbox.sendNow(body.client_id);
    if (sent.state === "sent") return { reached: true, ok: true, body: sent.sale };
    if (sent.state === "waiting") return { reached: true, ok: true, waiting: true };
    await outbox.remove(body.client_id); // refused: the cart is corrected and sent again
    return { reached: true, ok: false, status: sent.status, body: sent.body, message: sent.message };
  }

  async function send() {
    if (!pending) pending = saleBody();
    retry.hidden = true;
    setBusy(true);
    const change = cart.change();
    const result = await recordSale(pending);
    setBusy(false);
    if (result.waiting) return keptOnTablet(change);
    if (!result.reached) return unanswered(result);
    if (result.ok) return done(result.body ?? {});
    refused(result);
  }

  // POST /api/v1/sales. The receipt is asked for once the sale is recorded (printReceipt),
  // so a printer that hangs never holds the sale's answer.
  const saleBody = () => ({ ...cart.body(clientId, screen.session), print_receipt: false });

  // No answer: the same body again on "Réessayer" (a sale that did arrive is not sold twice).
  function unanswered(result) {
    showError(result.message);
    retry.hidden = false;
    retry.focus();
  }

  // Refused (4xx): nothing was recorded; the cart may be changed and sent again.
  function refused(result) {
    pending = null;
    if (clientIdReused(result)) clientId = newClientId();
    cart.clearPayments();
    renderPay();
    showError(result.message);
    if (result.status === 409 && result.body?.error === "session_closed") offerNewDrawer();
  }

  // The drawer was closed under this tablet: open a new one, and come back with the cart.
  function offerNewDrawer() {
    reopen.hidden = false;
    reopen.focus();
  }
  reopen.addEventListener("click", () => {
    keepCart(cart.entries(), screen.user);
    window.location.assign(screen.open_url);
  });

  // The sale is recorded: the cart empties, the done panel shows its change.
  function done(sale) {
    hide(pay);
    pending = null;
    cart.clear();
    clientId = null;
    renderCart();
    lastSale = { id: sale.id, number: sale.number, total: sale.total_cents };
    $("[data-void-open]").hidden = false;
    showDone(sale, {
      title: fill(T.saved, { n: sale.number }),
      label: sale.change_cents ? T.change : T.nochange,
      amount: sale.change_cents,
    });
    if (screen.auto_receipt) printReceipt(sale);
  }

  // The receipt, once the sale is recorded: "Impression…" at once, and the next sale may
  // start meanwhile; a receipt that does not print is said even after she moved on.
  async function printReceipt(sale) {
    showReceipt("printing");
    const status = receiptStatus(await api.reprint(sale.id));
    if (shownSale === sale && !doneBox.hidden) return showReceipt(status);
    if (status === "printed") return;
    printNotice.textContent = fill(T.printlater, { n: sale.number, status: T[status] });
    printNotice.hidden = false;
  }

  // The done panel, over the cart (not over the tiles): what to give back, the receipt.
  function showDone(sale, { title, label, amount }) {
    shownSale = sale;
    printNotice.hidden = true;
    $("[data-done-title]").textContent = title;
    $("[data-change-label]").textContent = label;
    $("[data-change]").textContent = amount ? money(amount) : "";
    $("[data-change]").hidden = !amount;
    showReceipt(sale.receipt?.sent ? "unconfirmed" : sale.receipt?.status);
    gifts.done(sale);
    $("[data-sale-link]").href = screen.sale_url + sale.id;
    $("[data-sale-link]").hidden = false;
    doneBox.hidden = false;
    cartBox.hidden = true;
    doneBox.focus(); // not a button: a scanner's Enter must not press anything here
    root.dispatchEvent(new CustomEvent("kiosk:done", { bubbles: true, detail: sale }));
  }

  function hideDone() {
    doneBox.hidden = true;
    cartBox.hidden = false;
  }

  // No answer from the server: the sale waits in the outbox, the change is given now.
  function keptOnTablet(change) {
    hide(pay);
    pending = null;
    cart.clear();
    clientId = null;
    renderCart();
    lastSale = null; // a sale the server has not got yet cannot be voided from here
    $("[data-void-open]").hidden = true;
    shownSale = null;
    $("[data-done-title]").textContent = T.kept;
    $("[data-change-label]").textContent = change ? T.change : T.nochange;
    $("[data-change]").textContent = change ? money(change) : "";
    $("[data-change]").hidden = !change;
    const receipt = $("[data-receipt]");
    receipt.textContent = T.later;
    receipt.className = "receipt-status receipt-queued";
    $("[data-reprint]").hidden = true;
    $("[data-sale-link]").hidden = true;
    // no gift and no ticket for a sale the server has not got yet (gift.js shows them again)
    for (const el of document.querySelectorAll("[data-gift-done] > *")) el.hidden = true;
    printNotice.hidden = true;
    doneBox.hidden = false;
    cartBox.hidden = true;
    doneBox.focus(); // not a button: a scanner's Enter must not press anything here
  }

  // The cart survives a reload (a pull-to-refresh by mistake) and a lost connection: kept
  // in this tab's sessionStorage with its client_id until it is sold.
  // The payment panel's partial payments too (a 20 € note already handed over), and
  // whether it was open: a reload with the panel open comes back to it (issue 27).
  function keepCartAcrossReload() {
    try {
      const paying = !document.querySelector("[data-pay]").hidden;
      if (cart.size) {
        sessionStorage.setItem(cartKey, JSON.stringify({ clientId, lines: cart.entries(),
          payments: paying ? cart.payments : [], paying }));
      } else sessionStorage.removeItem(cartKey);
    } catch { /* storage full or refused: the cart just lives in the page */ }
  }

  function restoreCart() {
    let kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(cartKey) || "null"); } catch { /* none */ }
    if (!kept?.lines?.length) return;
    clientId = kept.clientId || newClientId();
    for (const [sku, qty] of kept.lines) cart.add(sku, qty);
    if (kept.paying && cart.size) {
      cart.restorePayments(kept.payments);
      if (!cart.settled()) {
        renderPay();
        show(pay);
      } else cart.clearPayments();
    }
    // Sold just before the reload (it is in the outbox): that cart is done with.
    outboxReady.then(async (outbox) => {
      if (outbox && clientId === kept.clientId && await outbox.has(kept.clientId) && !pending) {
        if (!pay.hidden) hide(pay);
        cart.clear();
        clientId = null;
        renderCart();
      }
    });
  }

  function showReceipt(status) {
    const receipt = $("[data-receipt]");
    receipt.textContent = T[status] || "";
    receipt.className = `receipt-status receipt-${status}`;
    $("[data-reprint]").hidden = status === "none" || status === "printing";
  }

  $("[data-next]").addEventListener("click", () => {
    hideDone();
    products.focus();
  });
  $("[data-reprint]").addEventListener("click", () => {
    if (shownSale) printReceipt(shownSale);
  });

  // --- sales the server refused after they waited on the tablet (outbox.js) ------------
  const refusedBox = $("[data-refused]");
  const clock = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });
  async function renderRefused() {
    const outbox = await outboxReady;
    const refused = outbox ? (await outbox.list()).filter((e) => e.state === "refused") : [];
    refusedBox.hidden = !refused.length;
    $("[data-refused-list]").replaceChildren(...refused.map((e) => {
      const li = document.createElement("li");
      li.textContent = `${clock.format(new Date(e.sold_at))} · ${money(e.total_cents ?? 0)} : ${e.message} `;
      const again = document.createElement("button");
      again.type = "button";
      again.className = "button";
      again.dataset.takeBack = e.client_id;
      again.textContent = T.takeback;
      li.append(again);
      return li;
    }));
  }
  refusedBox.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-take-back]");
    const outbox = await outboxReady;
    if (!button || pending || !outbox) return;
    const entry = (await outbox.list()).find((e) => e.client_id === button.dataset.takeBack);
    if (!entry || !entry.body.lines.every((line) => catalogue.has(line.sku))) return;
    edit(() => { for (const line of entry.body.lines) cart.add(line.sku, line.qty); });
    await outbox.remove(entry.client_id); // in the cart now (kept across a reload), to sell again
  });
  outboxReady.then((outbox) => outbox?.subscribe(() => renderRefused()));
  renderRefused();

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
    showDone(body, { title: fill(T.voided, { n: number }), label: T.giveback,
      amount: -body.total_cents });
    if (screen.auto_receipt) printReceipt(body);
  });

  // --- helpers ------------------------------------------------------------------------
  function setBusy(busy) {
    for (const b of pay.querySelectorAll("button")) b.disabled = busy;
    pay.setAttribute("aria-busy", String(busy));
    const status = $("[data-pay-status]");
    status.textContent = busy ? T.sending : "";
    status.hidden = !busy;
  }
  function showError(text) {
    payError.textContent = text;
    payError.hidden = false;
  }
  function hideError() {
    payError.hidden = true;
    retry.hidden = true;
    reopen.hidden = true;
  }
  function show(box) {
    box.hidden = false;
    root.inert = true;
  }
  function hide(box) {
    box.hidden = true;
    root.inert = false;
  }

  // Locked after a few idle minutes, the cart kept beneath; another volunteer unlocking
  // starts her own cart, under her own session: the page starts afresh for her.
  startIdleLock({
    box: $("[data-lock]"), afterMs: screen.idle_lock_ms, post: api.post, texts: T,
    onOtherVolunteer: () => { // her own cart; the last one's parked until she is back
      parkCart(cart.entries(), screen.user);
      try { sessionStorage.removeItem(cartKey); } catch { /* nothing kept */ }
      window.location.reload();
    },
  });

  // A cart kept while a new drawer was opened (offerNewDrawer) comes back.
  // The cart of this page before a reload first (restoreCart), then a cart kept while a
  // new drawer was opened (offerNewDrawer), which edit() keeps across a reload in turn.
  restoreCart();
  const kept = takeKeptCart(screen.user);
  if (kept.length) edit(() => kept.forEach(([sku, qty]) => cart.add(sku, qty)));
  const parked = takeParkedCart(screen.user); // hers, from before another unlocked
  if (parked.length) edit(() => parked.forEach(([sku, qty]) => cart.add(sku, qty)));
  renderCart();
}
