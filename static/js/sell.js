// The sale screen: its parts bound to the page, each in a module of its own. The cart lives
// on the tablet (a tap never waits on the server); only the finished sale is sent, with a
// client_id made when the cart starts, so a double tap or a retry after a Wi-Fi drop never
// sells twice.
//
// The rules, with no page and tested in Node (tests/js/): the cart (cart.js), the sale's
// states (sale.js), paying (pay.js), the done panel's words (done.js), the refused sales
// (refused.js), finding a product (finder.js), gifts and free prices (gift.js), the cart
// kept across pages and reloads (cart_store.js). Their wiring to the page: sell_find.js
// (tiles, search, scanner), sell_cart.js (the cart's lines), sell_pay.js and sell_send.js
// (paying, sending through the outbox), sell_done.js (the done panel), sell_refused.js,
// sell_void.js, sell_gifts.js. The calls to the API are api.js's, reading a label scan.js's,
// the idle lock idle_lock.js's.
//
// Where other modules hook in: [data-sell] receives "kiosk:cart-start" when a new cart
// starts and "kiosk:done" (detail: the sale) when the done panel shows one; the done
// panel's buttons sit in [data-done-actions].
import { apiClient, newClientId } from "./api.js";
import { Cart } from "./cart.js";
import { forgetForReload, parkCart, takeKeptCart, takeParkedCart } from "./cart_store.js";
import { startIdleLock } from "./idle_lock.js";
import { Sale } from "./sale.js";
import { bindBasket } from "./sell_cart.js";
import { $, readJson } from "./sell_dom.js";
import { bindDone } from "./sell_done.js";
import { bindFinder } from "./sell_find.js";
import { bindGifts } from "./sell_gifts.js";
import { bindPay } from "./sell_pay.js";
import { bindRefused } from "./sell_refused.js";
import { bindVoid } from "./sell_void.js";
import { moneyFormat } from "./words.js";

const root = $("[data-sell]");
if (root) start(root);

function start(root) {
  const catalogue = new Map(readJson("catalogue").map((p) => [p.sku, p]));
  const screen = readJson("screen");
  const T = readJson("texts");
  const cart = new Cart(new Map([...catalogue].map(([sku, p]) => [sku, p.price])));
  // The screen: what its parts share, and the parts themselves, which reach one another
  // through it once all are bound.
  const s = {
    root, catalogue, screen, T, cart,
    api: apiClient({ csrf: $('meta[name="csrf-token"]').content, networkMessage: T.network }),
    money: moneyFormat(),
    sale: new Sale(cart, { session: screen.session, newId: newClientId, lastSale: screen.last_sale }),
    cartKey: `kiosk-cart-${screen.session}`, // sessionStorage: the cart across a reload
  };
  s.gifts = bindGifts(s);
  s.finder = bindFinder(s);
  s.basket = bindBasket(s);
  s.pay = bindPay(s);
  s.done = bindDone(s);
  bindRefused(s);
  s.voiding = bindVoid(s);

  // Locked after a few idle minutes, the cart kept beneath; another volunteer unlocking
  // starts her own cart, under her own session: the page starts afresh for her.
  startIdleLock({
    box: $("[data-lock]"), afterMs: screen.idle_lock_ms, post: s.api.post, texts: T,
    onOtherVolunteer: () => { // her own cart; the last one's parked until she is back
      parkCart(cart.entries(), screen.user);
      forgetForReload(s.cartKey);
      window.location.reload();
    },
  });

  // The cart of this page before a reload first, then a cart kept while a new drawer was
  // opened (sell_send.js), then hers parked before another volunteer unlocked; edit()
  // keeps each across a reload in turn.
  s.basket.restore();
  const kept = takeKeptCart(screen.user);
  if (kept.length) s.basket.edit(() => kept.forEach(([sku, qty]) => cart.add(sku, qty)));
  const parked = takeParkedCart(screen.user);
  if (parked.length) s.basket.edit(() => parked.forEach(([sku, qty]) => cart.add(sku, qty)));
  s.basket.render();
}
