// The outbox's word on an answer (static/js/outbox.js, notYet) under Node: which answers
// mean "not now, try again" and which mean "not this sale" (kept aside as refused). The
// sending itself, in IndexedDB across tabs, is tests/browser/test_outbox_module.py's.
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./load.mjs";

const { notYet, SEND_TIMEOUT_MS } = await load("outbox.js");

test("the server failing, a login gone, too many requests: tried again later", () => {
  for (const status of [500, 502, 503, 401, 403, 408, 429]) {
    assert.equal(notYet({ status, body: null }), true, String(status));
  }
  assert.equal(notYet({ status: 400, body: { error: "csrf" } }), true); // a stale token
});

test("a refusal of the sale itself is final: kept aside, never sent again by itself", () => {
  for (const status of [400, 404, 409, 413, 422, 499]) {
    assert.equal(notYet({ status, body: { error: "stock" } }), false, String(status));
  }
  assert.equal(notYet({ status: 400, body: null }), false);
  assert.equal(notYet({ status: 409, body: { error: "session_closed" } }), false);
});

test("a sale waits on the tablet after six seconds without an answer", () => {
  assert.equal(SEND_TIMEOUT_MS, 6000);
});
