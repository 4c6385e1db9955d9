// The tablet as witness: it keeps every sale the server recorded for a drawer still open,
// with its number (outbox.js, store "kept"), and asks the server now and then whether it
// still holds them (POST /api/v1/tablets/witness). A server rebuilt from a copy a few
// seconds behind (its disk died) answers which it lacks: the tablet sends them again,
// through the outbox, so each is recorded once (same client_id) with the next numbers, and
// the Z report names them. A drawer the server says is closed is forgotten.
//
// Light on the Wi-Fi: the tablet remembers the journal head of the server's last answer
// and names only the sales made since. While the server's chain still passes through that
// head, every sale it held then it holds still; when it does not (the server went back),
// the tablet names all it keeps.
//
//   import { startWitness } from "./witness.js";
//   startWitness(outbox, { post: (url, body) => api.post(url, body), tabletId });

export const WITNESS_MS = 20000; // how often the server is asked, while sales are kept
const MAX_HELD = 2000; // at most this many named at once (MAX_HELD_BY_TABLET on the server)
const MAX_DRAWERS = 100;
const SEEN = "kiosk-witness-seen"; // localStorage: the head of the last answer
const URL = "/api/v1/tablets/witness";

function readSeen(storage) {
  try {
    const seen = JSON.parse(storage.getItem(SEEN) || "null");
    return seen && Number.isInteger(seen.entries) && typeof seen.hash === "string" ? seen : null;
  } catch {
    return null;
  }
}

const named = (entries) => entries.slice(-MAX_HELD).map((e) => ({
  client_id: e.client_id, cash_session_id: e.cash_session_id,
  ...(e.number ? { number: e.number } : {}) }));

export async function witnessOnce(outbox, { post, tabletId, storage = localStorage }) {
  const kept = await outbox.kept();
  if (!kept.length) return { asked: false };
  kept.sort((a, b) => (a.kept_at ?? 0) - (b.kept_at ?? 0));
  const drawers = [...new Set(kept.map((e) => e.cash_session_id))].slice(-MAX_DRAWERS);
  const seen = readSeen(storage);
  let held = seen ? kept.filter((e) => !e.confirmed) : kept;
  let result = await post(URL, { tablet_id: tabletId, held: named(held), drawers,
                                 ...(seen ? { seen } : {}) });
  if (result.ok && result.body?.seen_holds === false) { // the server went back: name all
    held = kept;
    result = await post(URL, { tablet_id: tabletId, held: named(held), drawers });
  }
  if (!result.ok) return { asked: true, answered: false };
  const { drawers: states = {}, missing = [], head = null } = result.body || {};
  if (missing.length) await outbox.giveBack(missing);
  const lacking = new Set(missing);
  await outbox.confirm(held.filter((e) => !lacking.has(e.client_id)).map((e) => e.client_id));
  if (head) storage.setItem(SEEN, JSON.stringify(head));
  const closed = new Set(Object.entries(states)
    .filter(([, drawer]) => drawer && !drawer.open).map(([id]) => Number(id)));
  const done = kept.filter((e) => closed.has(e.cash_session_id) && !lacking.has(e.client_id))
    .map((e) => e.client_id);
  if (done.length) await outbox.forget(done);
  return { asked: true, answered: true, named: held.length, missing, forgotten: done.length };
}

export function startWitness(outbox, options, everyMs = WITNESS_MS) {
  const run = () => witnessOnce(outbox, options).catch(() => ({ asked: false }));
  run();
  return setInterval(run, everyMs);
}
