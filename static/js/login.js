// Login: tap a name, then the PIN on the on-screen keypad. Nothing takes the focus to a
// text field, so the tablet's own keyboard never opens over the names and the keypad;
// a real keyboard still types digits (and Backspace, Enter) into the PIN.
import { bindKeypads } from "./keypad.js";

const form = document.querySelector("[data-login]");
if (form) {
  const pin = form.querySelector("#pin");
  bindKeypads(form);
  form.querySelectorAll('input[name="user"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      pin.value = "";
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9]$/.test(event.key) && pin.value.length < Number(pin.maxLength || 6)) {
      pin.value += event.key;
    } else if (event.key === "Backspace") {
      pin.value = pin.value.slice(0, -1);
    } else {
      return;
    }
    event.preventDefault();
  });
}
