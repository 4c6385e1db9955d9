// Finding a product on the sale screen, with no page: which tiles a category and the
// search words leave, and which product a code read from a label names. Tested in Node
// (tests/js/finder.test.mjs); the search field and the tiles are sell_find.js's.
//
//   import { fold, tileHidden, lookUp } from "./finder.js";
//   tileHidden(product, "sac", fold("écru"));
//   lookUp("https://kiosk.example/p/sac-ikea", ["SAC-IKEA"])  // {sku: "SAC-IKEA"}
import { skuFromCode } from "./scan.js";

// Lower case, without accents: "Écru" and "ecru" find the same.
export const fold = (text) => text.toLowerCase().normalize("NFD").replace(/\p{Diacritic}/gu, "");

// Whether a tile is hidden: another category is chosen, or the words (folded) are in
// neither its name nor its SKU.
export const tileHidden = (product, category, words) => Boolean(
  (category && product.category !== category)
  || (words && !fold(`${product.name} ${product.sku}`).includes(words)));

// A product tile's colour swatch, when the catalogue gives a colour like "#1a2b3c".
export const swatchColour = (product) => (/^#[0-9a-fA-F]{6}$/.test(product?.colour || "")
  ? product.colour : null);

// The product a code names (a bare SKU or PUBLIC_URL/p/SKU, any case), among `skus`:
// {sku}, or {sku: null, shown}: what to say back, the code as typed, or from a label's URL
// the SKU in it.
export function lookUp(text, skus) {
  const typed = String(text).trim();
  const code = skuFromCode(typed);
  const sku = code && skus.find((k) => k.toLowerCase() === code.toLowerCase());
  if (sku) return { sku };
  return { sku: null, shown: !code || code === typed.toUpperCase() ? typed : code };
}
