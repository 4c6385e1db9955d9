// The tablet's outbox: finished sales kept in IndexedDB until the server has recorded them,
// so a Wi-Fi that drops, refuses or swallows a sale never loses it, and a reload, a closed
// tab or a second tab of the same tablet neither loses nor doubles it. No page here: the
// sale screen adds sales and waits a few seconds for the answer (sell.js), the small script
// of every page shows the count and reports it to the server (pending.js).
//
//   import { openOutbox } from "./outbox.js";
//   const outbox = await openOutbox({ send: (body, signal) => api.post(url, body, { signal }) });
//   await outbox.add(outbox.entry(body, { total_cents, change_cents }));
//   const result = await outbox.sendNow(body.client_id);  // {state: sent|refused|waiting}
//
// Sent in order, one at a time, by one tab at a time (navigator.locks where the browser has
// it, i.e. in a secure context; on the stall's plain http://192.168.x.y, a lease held in
// IndexedDB, whose transactions the browser runs one after the other across tabs). A second
// send of the same sale is harmless anyway: the server records one sale per client_id and
// answers the same sale again.

const DB_NAME = "kiosk-outbox";
const SALES = "sales"; // {seq, client_id, body, sold_at, state: waiting|refused, ...}
const META = "meta"; // {name: "lease", owner, until}
// The tablet as witness (witness.js): every sale the server recorded, kept with its number
// while its drawer is open, to send again if the server comes back without it.
// {client_id, body, sold_at, number, sale_id, cash_session_id, kept_at, confirmed}
const KEPT = "kept";
const CHANNEL = "kiosk-outbox";
const LOCK = "kiosk-outbox-sender";

export const SEND_TIMEOUT_MS = 6000; // a sale with no answer by then waits on the tablet
const RETRY_MS = 2500; // while sales wait, how often the server is tried again
const LEASE_MS = 15000; // a sender that vanished (tab closed) frees the lease after this

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

function openDatabase() {
  const request = indexedDB.open(DB_NAME, 2);
  request.onupgradeneeded = (event) => {
    const db = request.result;
    if (event.oldVersion < 1) {
      const sales = db.createObjectStore(SALES, { keyPath: "seq", autoIncrement: true });
      sales.createIndex("client_id", "client_id", { unique: true });
      db.createObjectStore(META, { keyPath: "name" });
    }
    if (event.oldVersion < 2) db.createObjectStore(KEPT, { keyPath: "client_id" });
  };
  return done(request);
}

// One transaction; `work(stores)` queues its requests and may return a request whose result
// the transaction answers once committed.
function transact(db, names, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    Promise.resolve(work(stores, tx)).then((value) => { result = value; }, reject);
    tx.oncomplete = () => resolve(result instanceof IDBRequest ? result.result : result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// An answer that says "not now" rather than "not this sale": the server failing (5xx), too
// many requests, the login gone or its CSRF token stale (sent again once logged in anew).
export function notYet(result) {
  return result.status >= 500 || [401, 403, 408, 429].includes(result.status)
    || (result.status === 400 && result.body?.error === "csrf");
}

export function randomId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

// send(body, signal) posts one sale and answers api.js's {reached, ok, status, body,
// message}; it never throws. timeoutMs: how long one send may go unanswered. tab: this
// tab's id, the same across its reloads (sessionStorage), so a reload in the middle of a
// send takes the lease back at once instead of waiting for it to expire.
export async function openOutbox({ send, timeoutMs = SEND_TIMEOUT_MS, tab = randomId() }) {
  const db = await openDatabase();
  // Ask the browser not to evict the outbox when space runs short (Odoo's lost orders).
  navigator.storage?.persist?.().catch(() => {});
  return new Outbox(db, send, timeoutMs, tab);
}

export class Outbox {
  constructor(db, send, timeoutMs, tab) {
    this.db = db;
    this.send = send;
    this.timeoutMs = timeoutMs;
    this.tab = tab;
    this.listeners = new Set();
    this.flushing = null;
    this.timer = null;
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
    if (this.channel) this.channel.onmessage = (event) => this.heard(event.data);
  }

  // --- what is kept ------------------------------------------------------------------
  // A finished sale as the outbox keeps it: the body of POST /api/v1/sales, the tablet's
  // time of the sale, and what the screen shows while it waits.
  entry(body, shown = {}) {
    return { client_id: body.client_id, body, sold_at: new Date().toISOString(),
             state: "waiting", waited: false, ...shown };
  }

  // Keeps `entry` (a second add of the same client_id keeps the first). A sale added
  // while others wait goes after them, and carries its time when it is sent.
  async add(entry) {
    const waiting = await this.waitingCount();
    const kept = { ...entry, waited: entry.waited || waiting > 0 };
    await transact(this.db, [SALES], "readwrite", async ({ sales }) => {
      const known = await done(sales.index("client_id").getKey(entry.client_id));
      if (known === undefined) sales.add(kept);
    });
    this.changed();
    return kept;
  }

  // Every sale kept, oldest first.
  list() {
    return transact(this.db, [SALES], "readonly", ({ sales }) => sales.getAll());
  }

  async count() {
    return (await this.list()).length;
  }

  async waitingCount() {
    return (await this.list()).filter((e) => e.state === "waiting").length;
  }

  async has(clientId) {
    const key = await transact(this.db, [SALES], "readonly",
      ({ sales }) => sales.index("client_id").getKey(clientId));
    return key !== undefined;
  }

  async remove(clientId) {
    await transact(this.db, [SALES], "readwrite", async ({ sales }) => {
      const key = await done(sales.index("client_id").getKey(clientId));
      if (key !== undefined) sales.delete(key);
    });
    this.changed();
  }

  async update(entry) {
    await transact(this.db, [SALES], "readwrite", ({ sales }) => sales.put(entry));
  }

  // --- kept as witness (witness.js) -------------------------------------------------
  // Recorded by the server: out of the waiting sales and into the kept ones, at once.
  async settle(entry, sale) {
    await transact(this.db, [SALES, KEPT], "readwrite", async ({ sales, kept }) => {
      const key = await done(sales.index("client_id").getKey(entry.client_id));
      if (key !== undefined) sales.delete(key);
      kept.put({ client_id: entry.client_id, body: entry.body, sold_at: entry.sold_at,
                 number: sale?.number ?? null, sale_id: sale?.id ?? null,
                 cash_session_id: entry.body.cash_session_id, kept_at: Date.now(),
                 confirmed: false });
    });
    this.changed();
  }

  kept() {
    return transact(this.db, [KEPT], "readonly", ({ kept }) => kept.getAll());
  }

  // The server said it holds these (witness.js names only the others next time).
  async confirm(clientIds) {
    if (!clientIds.length) return;
    await transact(this.db, [KEPT], "readwrite", async ({ kept }) => {
      for (const id of clientIds) {
        const entry = await done(kept.get(id));
        if (entry && !entry.confirmed) kept.put({ ...entry, confirmed: true });
      }
    });
  }

  async forget(clientIds) {
    await transact(this.db, [KEPT], "readwrite", ({ kept }) => {
      for (const id of clientIds) kept.delete(id);
    });
  }

  // The server lacks these kept sales: they wait again, in the order of their numbers,
  // with the tablet's time of the sale; the server records them once (same client_id).
  async giveBack(clientIds) {
    const wanted = new Set(clientIds);
    await transact(this.db, [SALES, KEPT], "readwrite", async ({ sales, kept }) => {
      const all = (await done(kept.getAll())).filter((e) => wanted.has(e.client_id));
      all.sort((a, b) => String(a.number).localeCompare(String(b.number)));
      for (const entry of all) {
        const waiting = await done(sales.index("client_id").getKey(entry.client_id));
        if (waiting === undefined) {
          sales.add({ client_id: entry.client_id, body: entry.body, sold_at: entry.sold_at,
                      state: "waiting", waited: true, given_back: entry.number });
        }
        kept.delete(entry.client_id);
      }
    });
    this.changed();
    return this.flush();
  }

  // --- news, in this tab and the others ----------------------------------------------
  // listener({type: "changed"} | {type: "sent", client_id, sale} |
  //          {type: "refused", client_id, message, status})
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tell(news) {
    for (const listener of this.listeners) listener(news);
    this.channel?.postMessage(news);
  }

  heard(news) {
    for (const listener of this.listeners) listener(news);
  }

  changed() {
    this.tell({ type: "changed" });
  }

  // --- sending -----------------------------------------------------------------------
  // Tries the sale `clientId` now (after any that wait before it) and answers within
  // timeoutMs: {state: "sent", sale}, {state: "refused", message, status} (nothing was
  // recorded), or {state: "waiting"} (no answer: the outbox keeps trying).
  async sendNow(clientId) {
    const first = (await this.list()).find((e) => e.state === "waiting");
    if (first && first.client_id !== clientId) { // others wait before it: no use waiting
      this.flush();
      return { state: "waiting" };
    }
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop();
        resolve(result);
      };
      const stop = this.subscribe((news) => {
        if (news.client_id !== clientId) return;
        if (news.type === "sent") finish({ state: "sent", sale: news.sale });
        if (news.type === "refused") {
          finish({ state: "refused", message: news.message, status: news.status, body: news.body });
        }
      });
      const timer = setTimeout(() => finish({ state: "waiting" }), this.timeoutMs + 500);
      this.flush().then((outcome) => {
        if (outcome === "network") finish({ state: "waiting" }); // offline: say so at once
      });
    });
  }

  // Sends what waits, in order, one at a time, if no other tab is sending. Answers
  // "done" (nothing waits), "network" (the server did not answer) or "busy".
  flush() {
    if (!this.flushing) {
      this.flushing = this.withSenderLock(() => this.drain())
        .catch(() => "network")
        .finally(() => { this.flushing = null; this.schedule(); });
    }
    return this.flushing;
  }

  async drain() {
    for (;;) {
      const next = (await this.list()).find((e) => e.state === "waiting");
      if (!next) return "done";
      if (!(await this.renewLease())) return "busy";
      const result = await this.post(next);
      if (!result.reached || notYet(result)) {
        if (!next.waited) await this.update({ ...next, waited: true });
        return "network";
      }
      if (result.ok) {
        await this.settle(next, result.body);
        this.tell({ type: "sent", client_id: next.client_id, sale: result.body });
      } else {
        // Refused (4xx): nothing was recorded. Kept aside, never dropped, and said.
        await this.update({ ...next, state: "refused", message: result.message,
                            status: result.status });
        this.changed();
        this.tell({ type: "refused", client_id: next.client_id, message: result.message,
                    status: result.status, body: result.body });
      }
    }
  }

  // One try, given up after timeoutMs (a Wi-Fi that swallows the request never answers).
  async post(entry) {
    const body = entry.waited ? { ...entry.body, sold_at: entry.sold_at } : entry.body;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      return await this.send(body, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  // Keeps trying while sales wait: now and then, and as soon as the browser is online.
  start() {
    globalThis.addEventListener?.("online", () => this.flush());
    // A reload or a closed tab frees the lease at once rather than after LEASE_MS.
    globalThis.addEventListener?.("pagehide", () => { this.releaseLease().catch(() => {}); });
    this.flush();
  }

  schedule() {
    clearTimeout(this.timer);
    this.waitingCount().then((n) => {
      if (n) this.timer = setTimeout(() => this.flush(), RETRY_MS);
    });
  }

  // --- one sender per tablet ---------------------------------------------------------
  async withSenderLock(work) {
    if (navigator.locks?.request) {
      return navigator.locks.request(LOCK, { ifAvailable: true },
        async (lock) => (lock ? work() : "busy"));
    }
    if (!(await this.renewLease())) return "busy";
    try {
      return await work();
    } finally {
      await this.releaseLease();
    }
  }

  // Takes or extends the lease when it is free, expired or this tab's own.
  renewLease() {
    if (navigator.locks?.request) return Promise.resolve(true); // the lock is held
    return transact(this.db, [META], "readwrite", async ({ meta }) => {
      const lease = await done(meta.get("lease"));
      const now = Date.now();
      if (lease && lease.owner !== this.tab && lease.until > now) return false;
      meta.put({ name: "lease", owner: this.tab, until: now + LEASE_MS });
      return true;
    });
  }

  releaseLease() {
    return transact(this.db, [META], "readwrite", async ({ meta }) => {
      const lease = await done(meta.get("lease"));
      if (lease && lease.owner === this.tab) meta.delete("lease");
    });
  }
}
