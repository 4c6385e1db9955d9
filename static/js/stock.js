// Stock pages: counters, and a scanned label picks the product (or counts one more).
import { bindCounters } from "./keypad.js";
import { TABLET_TIME_HEADER, tabletTime } from "./clock.js";
import { bindScanner } from "./scan.js";

bindCounters(document);

const scan = document.querySelector("[data-scan]");
bindScanner(scan, (sku) => {
  const radio = document.querySelector(`[data-products] input[value="${CSS.escape(sku)}"]`);
  if (radio) {
    radio.checked = true;
    radio.closest("label").scrollIntoView({ block: "center", behavior: "smooth" });
    return;
  }
  const counted = document.getElementById(`qty-${sku}`);
  if (counted) {  // counting: each scan is one more piece on the table
    counted.value = String((Number(counted.value) || 0) + 1);
    counted.closest(".count-row").scrollIntoView({ block: "center", behavior: "smooth" });
    counted.dispatchEvent(new Event("input", { bubbles: true }));
  }
});

// Printing labels on the label printer: post, then follow the batch until it is done.
const printForm = document.querySelector("[data-print-labels]");
const progress = document.querySelector("[data-print-progress]");
if (printForm && progress) {
  printForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = printForm.querySelector("button");
    button.disabled = true;
    progress.textContent = printForm.dataset.msgSending || "Envoi à l'imprimante…";
    try {
      const response = await fetch(printForm.action, {
        method: "POST", body: new FormData(printForm),
        headers: { Accept: "application/json", [TABLET_TIME_HEADER]: tabletTime() },
      });
      const job = await response.json();
      progress.textContent = job.message;
      let state = job;
      while (state.status === "queued" && state.poll) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        state = await (await fetch(state.poll, { headers: { Accept: "application/json" } })).json();
        progress.textContent = state.message;
      }
    } catch (_) {
      progress.textContent = printForm.dataset.msgFailed || "L'imprimante ne répond pas : réessayez.";
    } finally {
      button.disabled = false;
    }
  });
}
