// Voiding the seller's own last sale, its wiring: "Annuler la dernière vente", the reason
// tapped, the done panel saying what to give back. Which sale is last is sale.js's.
import { voidWhat, voidWords } from "./done.js";
import { $, overlay } from "./sell_dom.js";

// s: sell.js's screen. Returns {recorded, offer, withdraw}: the button after a sale.
export function bindVoid(s) {
  const { root, sale, screen, T, money, api } = s;
  const box = $("[data-void]");
  const error = $("[data-void-error]");
  const button = $("[data-void-open]");
  const { open, close } = overlay(root);

  button.addEventListener("click", () => {
    if (!sale.lastSale) return;
    error.hidden = true;
    $("[data-void-what]").textContent = voidWhat(sale.lastSale, T, money);
    open(box);
    box.querySelector("[data-reason]").focus();
  });
  $("[data-void-close]").addEventListener("click", () => close(box));
  box.addEventListener("click", async (event) => {
    const reason = event.target.closest("[data-reason]");
    if (!reason || !sale.lastSale || box.dataset.busy) return;
    box.dataset.busy = "1";
    const result = await api.voidSale(sale.lastSale.id, reason.dataset.reason);
    delete box.dataset.busy;
    if (!result.ok) { // no answer, or refused: nothing was voided
      error.textContent = result.message;
      error.hidden = false;
      return;
    }
    const answer = result.body ?? {};
    const number = sale.voided();
    button.hidden = true;
    close(box);
    s.done.show(answer, voidWords(answer, number, T));
    if (screen.auto_receipt) s.done.printReceipt(answer);
  });

  const offer = () => { button.hidden = false; };
  return {
    // A sale recorded elsewhere on the screen (a gift): the one to void now.
    recorded(answer) {
      sale.remember(answer);
      offer();
    },
    offer,
    withdraw: () => { button.hidden = true; },
  };
}
