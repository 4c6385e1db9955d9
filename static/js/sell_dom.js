// The sale screen's few page helpers, shared by sell.js and its sell_*.js wiring.
//
//   import { $, overlay, say } from "./sell_dom.js";
//   const { open, close } = overlay(root);  open(box);  // the screen under it inert

export const $ = (selector, root = document) => root.querySelector(selector);
export const readJson = (id) => JSON.parse(document.getElementById(id).textContent);

// `text` in `box`, which is hidden when there is none.
export function say(box, text) {
  box.textContent = text;
  box.hidden = !text;
}

// A box shown over the screen ([data-sell] `root`), which stays inert until it closes.
export function overlay(root) {
  return {
    open(box) {
      box.hidden = false;
      root.inert = true;
    },
    close(box) {
      box.hidden = true;
      root.inert = false;
    },
  };
}
