"""The sale screen on the wire: what a tablet downloads on a weak Wi-Fi.

`python -m bench.bench_wire` (also part of `make bench`). The demo with a drawer open, the
kiosk served on loopback over plain HTTP (werkzeug, as the tests serve it) and over its
own HTTPS (cheroot, as `KIOSK_TLS=1 make run`), and Chromium counting through its
DevTools protocol every request and the bytes received for it (headers included, as they
travel, compressed where the server compressed):
- cold: `/sell` in a fresh browser (nothing cached), the volunteer logged in beforehand
  without loading a page;
- warm: `/sell` opened again after that first visit (the next morning, the tablet's
  cache kept);
- after a sale: /sell again, changed (stock, the sale to void);
- a sale: tap a tile, "Encaisser", "Montant exact": the bytes of POST /api/v1/sales;
- tap → cart: from a tap on a tile to the cart drawn, CPU throttled 4×.
Targets (issue 14): cold ≤ 20 KB, warm ≤ 4 KB (what the kiosk sends: received by the
tablet), ≤ 1.5 KB per sale (both ways).

Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--host-resolver-rules=MAP kiosk.lan 127.0.0.1"]
TARGETS = {"cold": 20 * 1024, "warm": 4 * 1024, "sale": 1.5 * 1024}  # bytes
BOTH_WAYS = {"sale"}  # the page's targets count what the tablet receives


class Wire:
    """A TCP proxy on loopback between the browser and the kiosk, counting every byte each
    way (TLS handshakes and certificates included): what the stall's Wi-Fi carries."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = self.up = self.connections = 0
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(("127.0.0.1", self.target), timeout=30)
            self.open += [client, server]
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._pipe, args=(client, server, "up"), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, "down"),
                             daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, way: str) -> None:
        try:
            while data := source.recv(65536):
                with self.lock:
                    setattr(self, way, getattr(self, way) + len(data))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def reset(self) -> tuple[int, int, int]:
        with self.lock:
            counted = (self.down, self.up, self.connections)
            self.down = self.up = self.connections = 0
        return counted

    def close(self) -> None:
        self.listener.close()
        for sock in self.open:
            sock.close()


class Requests:
    """The WSGI app, noting each request's method and path (what reached the server)."""

    def __init__(self, app) -> None:
        self.app, self.seen = app, []

    def __call__(self, environ, start_response):
        self.seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        return self.app(environ, start_response)

    def reset(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


def _log_in(context, base: str, port: int, scheme: str) -> None:
    """A logged-in cookie without loading a page (its files would warm the cache): logged
    in straight at the server by Playwright's own HTTP client (which does not know
    kiosk.lan), the cookie then handed to kiosk.lan."""
    direct = f"{scheme}://127.0.0.1:{port}"
    login = context.request.get(direct + "/login", ignore_https_errors=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login.text()).group(1)
    answer = context.request.post(direct + "/login", form={
        "csrf_token": token, "user": "Vendeuse", "pin": "3456"}, max_redirects=0,
        ignore_https_errors=True, headers={"Referer": direct + "/login"})  # (CSRF over TLS)
    assert answer.status == 302, answer.status
    cookies = [{**c, "domain": "kiosk.lan"} for c in context.cookies()]
    context.clear_cookies()
    context.add_cookies(cookies)


def _tap_to_cart(page) -> list[float]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    timings = page.evaluate("""async () => {
        const tiles = [...document.querySelectorAll('.product')];
        const total = document.querySelector('[data-cart-total]');
        const out = [];
        for (let i = 0; i < 40; i++) {
            const tile = tiles[i % tiles.length];
            const t0 = performance.now();
            tile.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true}));
            tile.click();
            void document.querySelector('[data-cart-lines]').offsetHeight;
            void total.getBoundingClientRect();
            out.push(performance.now() - t0);
            await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
        }
        return out;
    }""")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    return timings


def _settle(wire: Wire, requests: Requests | None = None, scheme: str = "http") -> None:
    """Until no byte has moved for half a second (bounded: 10 s). Over HTTPS, after a
    navigation, also until the browser has asked whether the service worker changed (it
    does so a moment after each navigation): that check belongs to the page load."""
    deadline = time.monotonic() + 10
    if requests is not None and scheme == "https":
        while time.monotonic() < deadline and "GET /sw.js" not in requests.seen:
            time.sleep(0.1)
    last = None
    while time.monotonic() < deadline:
        now = (wire.down, wire.up)
        if now == last:
            return
        last = now
        time.sleep(0.5)


def measure(browser, wire: Wire, requests: Requests, scheme: str) -> dict:
    base = f"{scheme}://kiosk.lan:{wire.port}"
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True,
                                  locale="fr-FR")
    _log_in(context, base, requests.app_port, scheme)
    page = context.new_page()
    figures = {}
    _settle(wire)
    wire.reset(), requests.reset()
    page.goto(base + "/sell")
    page.locator('.product[data-sku="SAC-IKEA"]').wait_for()
    if scheme == "https":  # the service worker has what it needs
        page.locator("html[data-offline='ready']").wait_for(state="attached")
    _settle(wire)
    figures["cold"] = (*wire.reset(), requests.reset())
    page.goto("about:blank")
    _settle(wire)
    wire.reset(), requests.reset()
    page.goto(base + "/sell")  # the first visit is past: the cache is warm
    page.locator('.product[data-sku="SAC-IKEA"]').wait_for()
    _settle(wire, requests, scheme)
    figures["warm"] = (*wire.reset(), requests.reset())
    page.locator('.product[data-sku="SAC-IKEA"]').tap()
    _settle(wire)
    wire.reset(), requests.reset()
    page.locator("[data-checkout]").tap()
    page.locator('[data-cash="exact"]').tap()
    page.locator("[data-done]").wait_for(state="visible")
    _settle(wire)
    figures["sale"] = (*wire.reset(), requests.reset())
    page.locator("[data-next]").tap()
    page.goto("about:blank")
    _settle(wire)
    wire.reset(), requests.reset()
    page.goto(base + "/sell")  # after a sale the page differs (stock, the sale to void)
    page.locator('.product[data-sku="SAC-IKEA"]').wait_for()
    _settle(wire, requests, scheme)
    figures["changed"] = (*wire.reset(), requests.reset())
    figures["taps"] = _tap_to_cart(page)
    context.close()
    return figures


def _report(label: str, figures: dict) -> None:
    print(f"\n/sell {label}")
    names = {"cold": "à froid (premier chargement)", "warm": "à chaud, page inchangée",
             "changed": "à chaud, après une vente", "sale": "une vente"}
    for when, name in names.items():
        down, up, connections, seen = figures[when]
        target = TARGETS.get(when)
        counted = down + up if when in BOTH_WAYS else down
        verdict = "" if target is None else (
            f" (cible ≤ {target / 1024:g} Ko {'aller-retour' if when in BOTH_WAYS else 'reçus'}"
            f" : {'OK' if counted <= target else 'AU-DESSUS'})")
        print(f"  {name:<30}: {len(seen):>2} requêtes, {connections} connexions neuves, "
              f"reçu {down / 1024:5.1f} Ko, envoyé {up / 1024:4.1f} Ko, "
              f"total {(down + up) / 1024:5.1f} Ko{verdict}")
        print(f"      {', '.join(path.split(' ', 1)[1].split('/')[-1] or '/' for path in seen)}")
    taps = figures["taps"]
    print(f"  toucher → panier, CPU ralenti 4× : médiane {statistics.median(taps):.1f} ms, "
          f"max {max(taps):.1f} ms (cible < 50 ms)")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if not Path(CHROMIUM).exists():
        print(f"Chromium absent ({CHROMIUM}) : banc sauté.")
        return
    from playwright.sync_api import sync_playwright
    from waitress import create_server

    from bench.bench_sales import _app, _prepare
    from kiosk import tls
    from kiosk.serve import tls_server

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        app = _app(f"sqlite:///{tmp / 'wire.sqlite3'}", str(tmp / "instance"))
        _prepare(app, 0)
        requests = Requests(app)
        plain = create_server(requests, host="127.0.0.1", port=0, threads=8, ident="kiosk")
        threading.Thread(target=plain.run, daemon=True).start()
        certificates = tls.ensure_certificates(app.instance_path)
        secure = tls_server(requests, "127.0.0.1", 0, certificates)
        secure.prepare()
        threading.Thread(target=secure.serve, daemon=True).start()
        spki = tls.spki_hash(certificates.cert.read_bytes())
        wires = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True,
                    args=[*ARGS, f"--ignore-certificate-errors-spki-list={spki}"])
                print("Banc : /sell sur le fil (octets des deux sens, en-têtes et TLS compris)")
                for scheme, port, label in (
                        ("http", plain.effective_port,
                         "en http (le Wi-Fi du stand, sans KIOSK_TLS)"),
                        ("https", secure.bind_addr[1],
                         "en https (KIOSK_TLS=1, avec le service worker)")):
                    wire = Wire(port)
                    wires.append(wire)
                    requests.app_port = port
                    _report(label, measure(browser, wire, requests, scheme))
                browser.close()
        finally:
            for wire in wires:
                wire.close()
            plain.close()
            secure.stop()


if __name__ == "__main__":
    main()
