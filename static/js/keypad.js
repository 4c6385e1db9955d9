// On-screen keypads: each [data-keypad=ID] types digits into the input #ID.
export function bindKeypads(root = document) {
  root.querySelectorAll("[data-keypad]").forEach((pad) => {
    const input = document.getElementById(pad.dataset.keypad);
    if (!input) return;
    pad.addEventListener("click", (event) => {
      const key = event.target.closest("[data-key]");
      if (!key) return;
      const max = Number(input.getAttribute("maxlength") || 12);
      if (key.dataset.key === "back") {
        input.value = input.value.slice(0, -1);
      } else if (input.value.length < max) {
        input.value += key.dataset.key;
      }
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
}

// +/- counters: [data-counter] holding buttons [data-step] and a number input.
export function bindCounters(root = document, onChange = () => {}) {
  root.querySelectorAll("[data-counter]").forEach((counter) => {
    const input = counter.querySelector("input");
    counter.addEventListener("click", (event) => {
      const button = event.target.closest("[data-step]");
      if (!button) return;
      const max = Number(input.max || 9999);
      const next = Math.min(max, Math.max(0, (Number(input.value) || 0) + Number(button.dataset.step)));
      input.value = String(next);
      onChange(input);
    });
    input.addEventListener("input", () => onChange(input));
  });
}
