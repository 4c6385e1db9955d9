// The sale screen's tiles, categories and search field, its wiring: a tap on a tile, a
// category chosen, words typed, a code typed by a scanner or read by the camera (scan.js).
// Which tiles show and which product a code names are finder.js's.
import { fold, lookUp, swatchColour, tileHidden } from "./finder.js";
import { bindScanner } from "./scan.js";
import { $ } from "./sell_dom.js";
import { fill } from "./words.js";

// s: sell.js's screen; a product found goes to its gifts (a free price asks first) or its
// basket.
export function bindFinder(s) {
  const { root, catalogue, T } = s;
  const products = $("[data-products]");
  const find = $("[data-find]");
  const findMessage = $("[data-find-message]");
  let category = "";

  for (const tile of products.querySelectorAll(".product")) {
    const swatch = tile.querySelector(".product-swatch");
    const colour = swatchColour(catalogue.get(tile.dataset.sku));
    if (swatch && colour) swatch.style.backgroundColor = colour;
  }
  const take = (sku) => { if (!s.gifts.tapped(sku)) s.basket.add(sku, 1); };
  products.addEventListener("click", (event) => {
    const tile = event.target.closest(".product");
    if (tile) take(tile.dataset.sku);
  });

  $(".categories").addEventListener("click", (event) => {
    const button = event.target.closest("[data-category]");
    if (!button) return;
    category = button.dataset.category;
    for (const b of document.querySelectorAll(".category")) {
      b.setAttribute("aria-pressed", String(b === button));
    }
    filter();
  });
  find.addEventListener("input", filter);
  // A keyboard-wedge scanner types the label's code and presses Enter.
  find.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (!find.value.trim()) return;
    if (scanned(find.value)) {
      find.value = "";
      filter();
    }
  });

  // A code read from a label, typed by a scanner or read by the camera.
  function scanned(text) {
    const found = lookUp(text, [...catalogue.keys()]);
    if (!found.sku) {
      findMessage.textContent = fill(T.unknown, { code: found.shown });
      findMessage.hidden = false;
      return false;
    }
    findMessage.hidden = true;
    take(found.sku);
    return true;
  }
  // The camera reads a label's QR (scan.js); the field above is the scanner's input.
  bindScanner($("[data-scan]"), (sku) => scanned(sku));

  function filter() {
    const words = fold(find.value.trim());
    for (const tile of products.querySelectorAll(".product")) {
      tile.hidden = tileHidden(catalogue.get(tile.dataset.sku), category, words);
    }
  }

  // A scanner types into whatever has the focus: a tile or the done panel once tapped.
  // Its keys go to the search field, where Enter reads the code (above).
  document.addEventListener("keydown", (event) => {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (root.inert || event.target.closest("input, textarea, select, [contenteditable]")) return;
    find.focus(); // the key itself then lands in the field
  });

  return { focus: () => products.focus() };
}
