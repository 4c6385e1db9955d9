// Every page, once a volunteer is logged in: the badge that says how many finished sales wait
// on this tablet for the server ([data-pending], CONTRACT.md), the sending of those sales as
// soon as the server answers again (outbox.js), their report to the server so a closing from
// another device knows (POST /api/v1/tablets/heartbeat), and no logout while sales wait.
import { apiClient, newClientId } from "./api.js";
import { openOutbox, randomId } from "./outbox.js";
import { startWitness } from "./witness.js";

const HEARTBEAT_MS = 30000; // while sales wait, the server hears of them this often
const REPORT_AFTER_MS = 1000; // a change is told once the outbox has settled this long

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const api = apiClient({ csrf });

// The tablet's own id, made once: its report replaces its last one.
function tabletId() {
  let id = localStorage.getItem("kiosk-tablet-id");
  if (!id) {
    id = newClientId();
    localStorage.setItem("kiosk-tablet-id", id);
  }
  return id;
}

// This tab's id, kept across its reloads: the outbox's sender lease is held by a tab.
function tabId() {
  let id = sessionStorage.getItem("kiosk-tab-id");
  if (!id) {
    id = randomId();
    sessionStorage.setItem("kiosk-tab-id", id);
  }
  return id;
}

// The one outbox of this page (the sale screen adds its sales to it).
export const outboxReady = typeof indexedDB === "undefined" ? Promise.resolve(null)
  : openOutbox({ send: (body, signal) => api.post("/api/v1/sales", body, { signal }),
                 tab: tabId() })
    .catch(() => null); // (a private window may refuse IndexedDB: sold as before)

const badge = document.querySelector("[data-pending]");
if (badge) watch();

async function watch() {
  const outbox = await outboxReady;
  if (!outbox) return;
  const box = badge.closest("[data-pending-box]") || badge;
  let reported = null; // the client_ids last told to the server, as one string

  let later = null;
  async function render() {
    const kept = await outbox.list();
    badge.textContent = String(kept.length);
    badge.hidden = box.hidden = kept.length === 0;
    badge.dataset.pendingRead = ""; // the count is the outbox's now, not the page's first 0
    const refused = kept.filter((e) => e.state === "refused").length;
    box.classList.toggle("pending-refused", refused > 0);
    // Told to the server once things settle: 50 sales arriving make one report, not 50.
    clearTimeout(later);
    later = setTimeout(async () => report(await outbox.list()), REPORT_AFTER_MS);
  }

  async function report(kept, force = false) {
    const waiting = kept.map((e) => ({ client_id: e.client_id,
                                       cash_session_id: e.body.cash_session_id }));
    const said = JSON.stringify(waiting);
    if (said === reported && !force) return;
    // Nothing waits and the server was never told otherwise (by any page of this tablet).
    const told = localStorage.getItem("kiosk-outbox-told") === "1";
    if (!waiting.length && reported === null && !told && !force) return;
    const result = await api.post("/api/v1/tablets/heartbeat",
                                  { tablet_id: tabletId(), waiting });
    if (!result.ok) return;
    reported = said;
    if (waiting.length) localStorage.setItem("kiosk-outbox-told", "1");
    else localStorage.removeItem("kiosk-outbox-told");
  }

  outbox.subscribe(() => render());
  await render();
  outbox.start();
  // The sales this tablet made for open drawers: sent again if the server lost them.
  startWitness(outbox, { post: (url, body) => api.post(url, body), tabletId: tabletId() });
  setInterval(async () => {
    const kept = await outbox.list();
    if (kept.length) report(kept, true);
  }, HEARTBEAT_MS);

  // Logging out ends the session the outbox sends with: not while sales wait.
  const logout = document.querySelector("[data-logout]");
  const refusal = document.querySelector("[data-logout-refused]");
  logout?.addEventListener("submit", async (event) => {
    if (logout.dataset.checked) return;
    event.preventDefault();
    const n = await outbox.count();
    if (!n) {
      logout.dataset.checked = "1";
      logout.requestSubmit();
      return;
    }
    refusal.textContent = refusal.dataset.text.replace("{n}", String(n));
    refusal.hidden = false;
    refusal.focus?.();
  });
}
