// Closing: the +/- counters of the drawer, and the counted total shown as they change.
import { bindCounters } from "./keypad.js";

const form = document.querySelector(".close-form");
if (form) {
  const shown = document.createElement("p");
  shown.className = "counted-live";
  shown.setAttribute("aria-live", "polite");
  const counters = form.querySelector(".counters");
  counters.after(shown);
  const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  const update = () => {
    let cents = 0;
    form.querySelectorAll('input[name^="count-"]').forEach((input) => {
      cents += Number(input.name.slice(6)) * (Number(input.value) || 0);
    });
    shown.textContent = `Compté : ${euros.format(cents / 100)}`;
  };
  bindCounters(form, update);
  update();
}
