// Sending the finished sale, the sale screen's wiring: through the tablet's outbox
// (outbox.js), which keeps it when the server gives no answer within a few seconds, so the
// volunteer goes on selling; "Réessayer" when there is no outbox and no answer; "Ouvrir
// une nouvelle caisse" when the drawer was closed under the tablet. Which state follows
// each answer is sale.js's.
import { keepCart } from "./cart_store.js";
import { outboxReady } from "./pending.js";
import { fromOutbox, outcome } from "./sale.js";
import { $ } from "./sell_dom.js";

// s: sell.js's screen; errors: the pay panel's error line; render: draws the pay panel.
export function bindSending(s, { errors, render }) {
  const { cart, sale, api, screen, T } = s;
  const box = $("[data-pay]");
  const retry = $("[data-retry]");
  const reopen = $("[data-reopen]");
  retry.addEventListener("click", () => send());
  // The drawer was closed under this tablet: open a new one, and come back with the cart.
  reopen.addEventListener("click", () => {
    keepCart(cart.entries(), screen.user);
    window.location.assign(screen.open_url);
  });

  // The outbox first: an answer within a few seconds, or the sale waits there.
  async function recordSale(body) {
    const outbox = await outboxReady;
    if (!outbox) return api.postSale(body); // no IndexedDB (a private window): as before
    await outbox.add(outbox.entry(body, { total_cents: cart.total(), change_cents: cart.change() }));
    const result = fromOutbox(await outbox.sendNow(body.client_id));
    if (!result.ok) await outbox.remove(body.client_id); // refused: corrected, sent again
    return result;
  }

  async function send() {
    const body = sale.body();
    retry.hidden = true;
    setBusy(true);
    const change = cart.change();
    const result = await recordSale(body);
    setBusy(false);
    const next = outcome(result);
    if (next === "kept") return s.done.keptOnTablet(change);
    if (next === "unanswered") return unanswered(result);
    if (next === "done") return s.done.recorded(result.body ?? {});
    refused(result);
  }

  // No answer: the same body again on "Réessayer" (a sale that did arrive is not sold twice).
  function unanswered(result) {
    errors.show(result.message);
    retry.hidden = false;
    retry.focus();
  }

  // Refused (4xx): nothing was recorded; the cart may be changed and sent again.
  function refused(result) {
    const drawerClosed = sale.refused(result);
    render();
    errors.show(result.message);
    if (drawerClosed) {
      reopen.hidden = false;
      reopen.focus();
    }
  }

  function setBusy(busy) {
    for (const b of box.querySelectorAll("button")) b.disabled = busy;
    box.setAttribute("aria-busy", String(busy));
    const status = $("[data-pay-status]");
    status.textContent = busy ? T.sending : "";
    status.hidden = !busy;
  }

  return { send };
}
