// Finding a product (static/js/finder.js) under Node: the tiles a category and the search
// words leave, and the product a code from a label names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./load.mjs";

const { fold, lookUp, swatchColour, tileHidden } = await load("finder.js");

const bag = { sku: "SAC-IKEA", name: "Sac cabas écru", category: "sac" };
const tag = { sku: "ETIQ-TGV", name: "Étiquette bagage", category: "etiquette" };

test("search words find names and SKUs, whatever the case and the accents", () => {
  assert.equal(tileHidden(bag, "", fold("ECRU")), false);
  assert.equal(tileHidden(tag, "", fold("etiquette")), false);
  assert.equal(tileHidden(bag, "", fold("ikea")), false);
  assert.equal(tileHidden(bag, "", fold("tgv")), true);
  assert.equal(tileHidden(bag, "", ""), false);
});

test("a category leaves its own tiles, and the words still apply within it", () => {
  assert.equal(tileHidden(bag, "sac", ""), false);
  assert.equal(tileHidden(tag, "sac", ""), true);
  assert.equal(tileHidden(bag, "sac", fold("bagage")), true);
});

test("a code names a product by its SKU or a label's URL, in any case", () => {
  const skus = ["SAC-IKEA", "ETIQ-TGV"];
  assert.deepEqual(lookUp("SAC-IKEA", skus), { sku: "SAC-IKEA" });
  assert.deepEqual(lookUp("  sac-ikea \n", skus), { sku: "SAC-IKEA" });
  assert.deepEqual(lookUp("https://kiosk.example/p/etiq-tgv", skus), { sku: "ETIQ-TGV" });
});

test("an unknown code is said back as typed, or as the SKU read from a label's URL", () => {
  const skus = ["SAC-IKEA"];
  assert.deepEqual(lookUp("nope-1", skus), { sku: null, shown: "nope-1" });
  assert.deepEqual(lookUp("https://kiosk.example/p/ZZZ", skus), { sku: null, shown: "ZZZ" });
  assert.deepEqual(lookUp("pas une étiquette", skus), { sku: null, shown: "pas une étiquette" });
});

test("a tile's swatch takes only a colour written #rrggbb", () => {
  assert.equal(swatchColour({ colour: "#1a2B3c" }), "#1a2B3c");
  assert.equal(swatchColour({ colour: "red" }), null);
  assert.equal(swatchColour({ colour: "#1a2b3" }), null);
  assert.equal(swatchColour({}), null);
  assert.equal(swatchColour(undefined), null);
});
