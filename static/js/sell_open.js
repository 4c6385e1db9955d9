// Opening a drawer: the float's total shows as the volunteer counts notes and coins.
import { bindCounters } from "./keypad.js";

const form = document.querySelector("[data-open-session]");
if (form) {
  const out = form.querySelector("[data-float-total]");
  const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  const update = () => {
    let cents = 0;
    form.querySelectorAll("[data-denomination]").forEach((row) => {
      const count = Number(row.querySelector("input").value) || 0;
      cents += Number(row.dataset.denomination) * Math.max(0, count);
    });
    out.textContent = euros.format(cents / 100);
  };
  bindCounters(form, update);
  update();
}
