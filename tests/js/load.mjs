// Loads a module of static/js under Node's test runner, with the modules it imports.
//
// static/js/ has no package.json saying "type": "module" (the browser needs none), and a
// Node older than 20.19 reads such a .js file as CommonJS: the modules are copied once into
// a temporary folder as .mjs, their `from "./x.js"` made `from "./x.mjs"`, and imported
// from there (so import.meta.url is a file's, as scan.js needs). Only modules with no page
// at their top level load: the rules, not the wiring (sell_*.js).
//
//   import { load } from "./load.mjs";
//   const { Sale } = await load("sale.js");
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const JS = new URL("../../static/js/", import.meta.url);
const copy = mkdtempSync(join(tmpdir(), "kiosk-js-"));
process.on("exit", () => rmSync(copy, { recursive: true, force: true }));

for (const name of readdirSync(JS)) {
  if (!name.endsWith(".js")) continue;
  const source = readFileSync(new URL(name, JS), "utf8")
    .replace(/(from\s*"\.\/[\w.-]+)\.js"/g, '$1.mjs"');
  writeFileSync(join(copy, name.replace(/\.js$/, ".mjs")), source);
}

export const load = (name) => import(pathToFileURL(join(copy, name.replace(/\.js$/, ".mjs"))).href);

// The sale screen's texts as templates/sell/index.html gives them (French), for the words.
export const TEXTS = {
  remove: "Retirer", change: "Monnaie à rendre", nochange: "Pas de monnaie à rendre",
  giveback: "Rendez à la cliente", saved: "Vente n° {n} enregistrée", voided: "Vente n° {n} annulée",
  printing: "Impression du ticket… La vente est déjà enregistrée.",
  printlater: "Ticket de la vente n° {n} : {status}", printed: "Ticket imprimé",
  queued: "Ticket en attente : l'imprimante ne répond pas", failed: "Ticket non imprimé : vérifiez l'imprimante",
  none: "Pas d'imprimante : aucun ticket", unconfirmed: "Ticket envoyé, pas confirmé par l'imprimante",
  cash: "Espèces", cheque: "Chèque", card: "Carte", amount: "Écrivez un montant, par exemple 12,50.",
  doubtful: "Vous avez bien reçu {amount} ?", kept: "Le serveur ne répond pas : la vente est gardée sur la tablette",
  later: "Ticket et numéro dès le retour du réseau. Vous pouvez continuer à vendre.",
  voidwhat: "n° {n}, {t}",
  // gift-texts (templates/sell/_gifts.html)
  thanks: "Merci ! Don de {amount}", minimum: "Pas moins de {amount}.",
  suggested: "Prix suggéré : {amount}", giftsaved: "Don n° {n} enregistré",
  toobig: "Pas plus de {amount} pour une pièce : vérifiez le prix tapé.",
  onrequest: "Ticket sur demande : touchez « Ticket ».",
};

// cents -> "12,50 €" with a plain space, whatever the ICU data of this Node writes.
export const money = (cents) => `${(cents / 100).toFixed(2).replace(".", ",")} €`;
