// The sale screen's cart, its wiring: its lines drawn with their −, + and ×, a change that
// starts a new customer's sale, and the cart kept across a reload (cart_store.js). The
// cart's rules are cart.js's, the sale's states sale.js's.
import { keepForReload, keptForReload, reloadSnapshot, restoreSnapshot } from "./cart_store.js";
import { outboxReady } from "./pending.js";
import { $ } from "./sell_dom.js";

// s: sell.js's screen. Returns {edit, add, render, keep, restore}.
export function bindBasket(s) {
  const { root, cart, sale, catalogue, T, money } = s;
  const lines = $("[data-cart-lines]");
  const empty = $("[data-cart-empty]");
  const totalOut = $("[data-cart-total]");
  const checkout = $("[data-checkout]");

  // Every change to the cart: none while a sale is being sent (the cart is frozen until it
  // is answered). The next customer's first tile (or scan) starts her cart: the done panel,
  // which kept the last change readable until then, makes way for it.
  function edit(change) {
    const step = sale.edit();
    if (step === "frozen") return;
    if (step === "start") {
      s.done.hide();
      root.dispatchEvent(new CustomEvent("kiosk:cart-start", { bubbles: true }));
    }
    change();
    render();
  }
  const add = (sku, step) => edit(() => cart.add(sku, step));

  lines.addEventListener("click", (event) => {
    const button = event.target.closest("[data-line-step], [data-line-remove]");
    if (!button) return;
    const sku = button.closest("[data-line]").dataset.line;
    if (button.dataset.lineRemove !== undefined) edit(() => cart.remove(sku));
    else add(sku, Number(button.dataset.lineStep));
  });

  function render() {
    keep();
    lines.replaceChildren(...cart.entries().map(([sku, qty]) => line(sku, qty)));
    empty.hidden = cart.size > 0;
    totalOut.textContent = money(cart.total());
    checkout.disabled = cart.size === 0;
  }

  function line(sku, qty) {
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
    return li;
  }

  // The cart, its client_id and, while the pay panel is open, its payments, in this tab's
  // sessionStorage until it is sold (cart_store.js).
  function keep() {
    const paying = !$("[data-pay]").hidden;
    keepForReload(s.cartKey, reloadSnapshot(cart, sale.clientId, paying));
  }

  function restore() {
    const kept = keptForReload(s.cartKey);
    const back = restoreSnapshot(cart, kept);
    if (!back) return;
    sale.resume(kept.clientId);
    if (back.paying) s.pay.open();
    // Sold just before the reload (it is in the outbox): that cart is done with.
    outboxReady.then(async (outbox) => {
      if (outbox && sale.clientId === kept.clientId && await outbox.has(kept.clientId)
          && !sale.pending) {
        if (s.pay.isOpen()) s.pay.close();
        sale.drop();
        render();
      }
    });
  }

  return { edit, add, render, keep, restore };
}
