// The tablet as witness: it keeps every sale the server recorded for a drawer still open,
// with its number (outbox.js, store "kept"), and asks the server now and then whether it
// still holds them (POST /api/v1/tablets/witness). A server rebuilt from a copy a few
// seconds behind (its disk died) answers which it lacks: the tablet sends them again,
// through the outbox, so each is recorded once (same client_id) with the next numbers, and
// the Z report names them. A drawer the server says is closed is forgotten.
//
//   import { startWitness } from "./witness.js";
//   startWitness(outbox, { post: (url, body) => api.post(url, body), tabletId });

export const WITNESS_MS = 20000; // how often the server is asked, while sales are kept
const MAX_HELD = 2000; // the newest sales kept are told (MAX_HELD_BY_TABLET on the server)

export async function witnessOnce(outbox, { post, tabletId }) {
  const kept = await outbox.kept();
  if (!kept.length) return { asked: false };
  kept.sort((a, b) => (a.kept_at ?? 0) - (b.kept_at ?? 0));
  const held = kept.slice(-MAX_HELD).map((e) => ({
    client_id: e.client_id, cash_session_id: e.cash_session_id,
    ...(e.number ? { number: e.number } : {}) }));
  const result = await post("/api/v1/tablets/witness", { tablet_id: tabletId, held });
  if (!result.ok) return { asked: true, answered: false };
  const { drawers = {}, missing = [] } = result.body || {};
  if (missing.length) await outbox.giveBack(missing);
  const lacking = new Set(missing);
  const closed = new Set(Object.entries(drawers)
    .filter(([, drawer]) => drawer && !drawer.open).map(([id]) => Number(id)));
  const done = kept.filter((e) => closed.has(e.cash_session_id) && !lacking.has(e.client_id))
    .map((e) => e.client_id);
  if (done.length) await outbox.forget(done);
  return { asked: true, answered: true, missing, forgotten: done.length };
}

export function startWitness(outbox, options, everyMs = WITNESS_MS) {
  const run = () => witnessOnce(outbox, options).catch(() => ({ asked: false }));
  run();
  return setInterval(run, everyMs);
}
