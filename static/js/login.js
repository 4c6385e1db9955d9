// Login: tapping a name moves to the PIN; the on-screen keypad types into it.
import { bindKeypads } from "./keypad.js";

const form = document.querySelector("[data-login]");
if (form) {
  const pin = form.querySelector("#pin");
  bindKeypads(form);
  form.querySelectorAll('input[name="user"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      pin.value = "";
      pin.focus({ preventScroll: false });
    });
  });
}
