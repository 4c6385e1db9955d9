// The sale screen's calls to the JSON API (CONTRACT.md, "JSON API"): recording a sale,
// printing its receipt again, voiding the seller's last sale. No page here: each call
// answers a plain result the screen turns into words.
//
//   import { apiClient, newClientId } from "./api.js";
//   const api = apiClient({ csrf, networkMessage });
//   const result = await api.postSale(cart.body(newClientId(), sessionId));
//   if (!result.reached) ...  // nothing came back: retry with the same body
//   else if (!result.ok) say(result.message);

// A sale's client_id, made once per cart: the server records one sale per client_id, so a
// retry after a lost answer never sells twice. crypto.randomUUID only exists in a secure
// context, and the tablet on the stall's Wi-Fi opens plain http://192.168.x.y (see
// FIELD-NOTES.md): there, a version 4 UUID is made from crypto.getRandomValues.
export function newClientId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The server refused this client_id for another sale (409 client_id_reused): the cart
// needs a new one before it is sent again.
export function clientIdReused(result) {
  return result.status === 409 && result.body?.error === "client_id_reused";
}

// csrf: the page's <meta name="csrf-token">; networkMessage: what to say when the server
// does not answer, or answers with no message of its own.
export function apiClient({ csrf, networkMessage = "" }) {
  // POST a JSON body with the session cookie and the CSRF header. Never throws: answers
  // {reached, ok, status, body, message}. reached is false when nothing came back (Wi-Fi,
  // server down); body is the parsed answer, or null when it was not JSON.
  // signal: an AbortSignal that gives the request up (outbox.js, a Wi-Fi that swallows it).
  async function post(url, payload, { signal } = {}) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        // the tablet's clock, which the server checks its own against (js/clock.js)
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf,
                   "X-Kiosk-Tablet-Time": String(Date.now()) },
        body: JSON.stringify(payload),
        signal,
      });
    } catch {
      return { reached: false, ok: false, status: 0, body: null, message: networkMessage };
    }
    const body = await response.json().catch(() => null); // (an abort here: no answer)
    if (body === null && signal?.aborted) {
      return { reached: false, ok: false, status: 0, body: null, message: networkMessage };
    }
    const message = response.ok ? "" : body?.message || networkMessage;
    return { reached: true, ok: response.ok, status: response.status, body, message };
  }

  return {
    post,
    // POST /api/v1/sales: the body from Cart.body(); send the very same body on a retry.
    postSale: (body) => post("/api/v1/sales", body),
    // POST /api/v1/sales/ID/receipt: print it again.
    reprint: (saleId) => post(`/api/v1/sales/${saleId}/receipt`, {}),
    // POST /api/v1/sales/ID/void: the seller's own last sale, with the reason tapped. Its
    // receipt is asked for afterwards (reprint), as a sale's is: a hanging printer never
    // holds the answer.
    voidSale: (saleId, reason) =>
      post(`/api/v1/sales/${saleId}/void`, { reason, print_receipt: false }),
  };
}

// The receipt's status after a reprint: the server's word; "failed" when its answer says
// none; "queued" (waiting for the printer) when no readable answer came back;
// "unconfirmed" when the printer took it and never answered (queued, sent: true).
export function receiptStatus(result) {
  if (!result.reached || result.body === null) return "queued";
  const receipt = result.body.receipt;
  if (receipt?.status === "queued" && receipt.sent) return "unconfirmed";
  return receipt?.status || "failed";
}
