// The sales the server refused after they waited on the tablet (outbox.js), their wiring:
// listed above the screen, kept there, never dropped, until "Reprendre dans le panier"
// puts their articles back into the cart. Which and how they read are refused.js's.
import { outboxReady } from "./pending.js";
import { refusedLine, refusedOf, takeBack } from "./refused.js";
import { $ } from "./sell_dom.js";

// s: sell.js's screen.
export function bindRefused(s) {
  const { sale, cart, catalogue, T, money } = s;
  const box = $("[data-refused]");
  const clock = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });
  const time = (date) => clock.format(date);

  async function render() {
    const outbox = await outboxReady;
    const refused = outbox ? refusedOf(await outbox.list()) : [];
    box.hidden = !refused.length;
    $("[data-refused-list]").replaceChildren(...refused.map((entry) => {
      const li = document.createElement("li");
      li.textContent = refusedLine(entry, time, money);
      const again = document.createElement("button");
      again.type = "button";
      again.className = "button";
      again.dataset.takeBack = entry.client_id;
      again.textContent = T.takeback;
      li.append(again);
      return li;
    }));
  }
  box.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-take-back]");
    const outbox = await outboxReady;
    if (!button || sale.pending || !outbox) return;
    const entry = (await outbox.list()).find((e) => e.client_id === button.dataset.takeBack);
    const lines = takeBack(entry, catalogue);
    if (!lines) return;
    s.basket.edit(() => { for (const line of lines) cart.add(line.sku, line.qty); });
    await outbox.remove(entry.client_id); // in the cart now (kept across a reload), to sell again
  });
  outboxReady.then((outbox) => outbox?.subscribe(() => render()));
  render();
}
