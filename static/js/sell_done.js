// The done panel, its wiring: shown over the cart once a sale is recorded (or voided, or
// kept on the tablet), with the change to give back and the receipt's line, until the next
// customer's first tile; the receipt asked for once the sale is recorded. Its words are
// done.js's.
//
// [data-sell] receives "kiosk:done" (detail: the sale) when the panel shows one; its
// buttons sit in [data-done-actions].
import { receiptStatus } from "./api.js";
import { changeLine, keptReceiptLine, keptWords, printLater, printedWhere, receiptLine, receiptOf, saleWords } from "./done.js";
import { $ } from "./sell_dom.js";

// s: sell.js's screen. Returns {show, hide, recorded, keptOnTablet, printReceipt}.
export function bindDone(s) {
  const { root, sale, screen, T, money, api } = s;
  const box = $("[data-done]");
  const cartBox = $("[data-cart]");
  const printNotice = $("[data-print-notice]");
  let shown = null; // the sale on the panel

  $("[data-next]").addEventListener("click", () => {
    hide();
    s.finder.focus();
  });
  $("[data-reprint]").addEventListener("click", () => {
    if (shown) printReceipt(shown);
  });

  // The sale is recorded: the cart empties, the done panel shows its change.
  function recorded(answer) {
    s.pay.close();
    sale.recorded(answer);
    s.basket.render();
    s.voiding.offer();
    show(answer, saleWords(answer, T));
    if (screen.auto_receipt) printReceipt(answer);
  }

  // The done panel, over the cart (not over the tiles): what to give back, the receipt.
  // words: {title, label, amount} (done.js).
  function show(answer, { title, label, amount }) {
    shown = answer;
    printNotice.hidden = true;
    $("[data-done-title]").textContent = title;
    $("[data-change-label]").textContent = label;
    showChange(amount);
    showReceipt(receiptLine(receiptOf(answer), T));
    s.gifts.done(answer);
    $("[data-sale-link]").href = screen.sale_url + answer.id;
    $("[data-sale-link]").hidden = false;
    open();
    root.dispatchEvent(new CustomEvent("kiosk:done", { bubbles: true, detail: answer }));
  }

  // No answer from the server: the sale waits in the outbox, the change is given now.
  function keptOnTablet(change) {
    s.pay.close();
    sale.kept();
    s.basket.render();
    s.voiding.withdraw();
    shown = null;
    const words = keptWords(change, T);
    $("[data-done-title]").textContent = words.title;
    $("[data-change-label]").textContent = words.label;
    showChange(words.amount);
    showReceipt(keptReceiptLine(T));
    $("[data-sale-link]").hidden = true;
    // no gift and no ticket for a sale the server has not got yet (gift.js shows them again)
    for (const el of document.querySelectorAll("[data-gift-done] > *")) el.hidden = true;
    printNotice.hidden = true;
    open();
  }

  // The receipt, once the sale is recorded: "Impression…" at once, and the next sale may
  // start meanwhile; a receipt that does not print is said even after she moved on.
  async function printReceipt(answer) {
    showReceipt(receiptLine("printing", T));
    const status = receiptStatus(await api.reprint(answer.id));
    const where = printedWhere(status, shown === answer && !box.hidden);
    if (where === "panel") return showReceipt(receiptLine(status, T));
    if (where === "none") return;
    printNotice.textContent = printLater(answer, status, T);
    printNotice.hidden = false;
  }

  function showChange(amount) {
    const line = changeLine(amount, money);
    $("[data-change]").textContent = line.text;
    $("[data-change]").hidden = line.hidden;
  }

  function showReceipt(line) {
    const receipt = $("[data-receipt]");
    receipt.textContent = line.text;
    receipt.className = line.className;
    $("[data-reprint]").hidden = !line.reprint;
  }

  function open() {
    box.hidden = false;
    cartBox.hidden = true;
    box.focus(); // not a button: a scanner's Enter must not press anything here
  }

  function hide() {
    box.hidden = true;
    cartBox.hidden = false;
  }

  return { show, hide, recorded, keptOnTablet, printReceipt };
}
