"""The tablet's outbox: 50 sales made offline, then the network returns.

`python -m bench.bench_outbox` (also part of `make bench`). A fresh SQLite database made with
the command line, the kiosk served as `make run` serves it (`python -m kiosk.serve`), and
Debian's Chromium opening it as the stall's tablet does: http://kiosk.lan:PORT, an insecure
origin (so the outbox's sender holds its lease in IndexedDB, not a Web Lock). The seller
makes KIOSK_BENCH_WAITING (50) sales by touch with the browser offline, each kept in the
outbox; then the network returns. Reports the time from the network's return to the last
waiting sale recorded (target < 10 s), and the bytes on the wire per sale (request and
answer, headers included; target <= 1.5 KB), for one sale sent as it is made and for the
waiting ones (their heartbeats counted in). Then verify-journal must say the journal is
intact.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import tempfile
import time
from pathlib import Path

from bench.bench_load import _call, _flask, _free_port, _open_drawer, _serve

WAITING = int(os.environ.get("KIOSK_BENCH_WAITING", "50"))
CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
WIRE = re.compile(r"/api/v1/(sales|tablets/heartbeat)$")


def _bytes(request) -> int:
    sizes = request.sizes()
    return (sizes["requestHeadersSize"] + sizes["requestBodySize"]
            + sizes["responseHeadersSize"] + sizes["responseBodySize"])


def _sell(page, sku: str) -> None:
    page.locator(f'.product[data-sku="{sku}"]').tap()
    page.get_by_role("button", name="Encaisser").tap()
    page.get_by_role("button", name="Montant exact").tap()
    page.locator("[data-done]").wait_for(state="visible")
    page.get_by_role("button", name="Vente suivante").tap()
    page.locator("[data-done]").wait_for(state="hidden")


def _recorded(port: int, token: str, session_id: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, body = _call(conn, "GET", f"/api/v1/sales?cash_session_id={session_id}",
                         token=token)
    conn.close()
    return len(body) if status == 200 else -1


def run(url: str) -> dict:
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "KIOSK_DATABASE_URL": url, "KIOSK_SECRET_KEY": "bench",
           "KIOSK_PRINTER": "none"}
    _flask(env, "init-db")
    _flask(env, "seed-demo")
    port = _free_port()
    server = _serve(env, port)
    try:
        session_id = _open_drawer(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token = _call(conn, "POST", "/api/v1/login",
                      {"user": "Tresoriere", "pin": "2345"})[1]["token"]
        conn.close()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic",
                      "--host-resolver-rules=MAP kiosk.lan 127.0.0.1"])
            context = browser.new_context(viewport={"width": 1024, "height": 768},
                                          has_touch=True, locale="fr-FR",
                                          base_url=f"http://kiosk.lan:{port}")
            page = context.new_page()
            page.goto("/login")
            page.get_by_role("radio", name="Vendeuse", exact=True).tap()
            for digit in "3456":
                page.locator(f'.keypad [data-key="{digit}"]').tap()
            with page.expect_navigation():
                page.get_by_role("button", name="OK").tap()
            page.goto(f"/sell?session={session_id}")
            secure = page.evaluate("window.isSecureContext")

            # one sale sent as it is made: its bytes on the wire
            with page.expect_request_finished(lambda r: r.url.endswith("/api/v1/sales")) as sale:
                _sell(page, "SAC-IKEA")
            live_bytes = _bytes(sale.value)

            context.set_offline(True)
            for n in range(WAITING):
                _sell(page, ("SAC-IKEA", "POCH-TGV", "ETIQ-TGV")[n % 3])
            page.wait_for_function(
                "n => document.querySelector('[data-pending]').textContent === String(n)",
                arg=WAITING)
            finished: list = []
            context.on("requestfinished",
                       lambda r: finished.append(r) if WIRE.search(r.url) else None)
            started = time.monotonic()
            context.set_offline(False)  # the network returns
            deadline = started + 120
            while _recorded(port, token, session_id) < WAITING + 1 and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            synced = time.monotonic() - started
            page.locator("[data-pending]").wait_for(state="hidden", timeout=60000)
            page.wait_for_timeout(1500)  # the last heartbeat, saying 0, is counted in
            wire = [_bytes(r) for r in finished]
            parts = sale.value.sizes()
            if os.environ.get("KIOSK_BENCH_SHOW_HEADERS"):
                print(json.dumps({"request": sale.value.all_headers(),
                                  "response": sale.value.response().all_headers()},
                                 indent=1), flush=True)
            browser.close()
        recorded = _recorded(port, token, session_id)
    finally:
        server.terminate()
        server.wait(10)
    journal = _flask(env, "verify-journal").strip().splitlines()[0]
    result = {"waiting": WAITING, "secure_context": secure, "recorded": recorded,
              "synced_s": round(synced, 2), "bytes_per_sale_live": live_bytes,
              "bytes_per_sale_waiting": round(sum(wire) / WAITING),
              "requests_while_syncing": len(wire), "live_sale_parts": parts,
              "journal": journal}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main() -> None:
    if not Path(CHROMIUM).exists():
        print(f"skipped: Chromium not found at {CHROMIUM}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        r = run(f"sqlite:///{tmp}/outbox.sqlite3")
    print("| waiting sales | network back → last recorded | bytes per sale (live / waiting) |")
    print("| --- | --- | --- |")
    print(f"| {r['waiting']} | {r['synced_s']} s | {r['bytes_per_sale_live']} B / "
          f"{r['bytes_per_sale_waiting']} B |")


if __name__ == "__main__":
    main()
