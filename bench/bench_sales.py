"""Sale latency against history, next to a floor; the sale screen's weight and tap speed.

`python -m bench.bench_sales` (or `make bench`). KIOSK_BENCH_DB=sqlite or postgresql
picks one database; KIOSK_BENCH_SALES and KIOSK_BENCH_HISTORY change the counts.

For SQLite and, when reachable, PostgreSQL (KIOSK_BENCH_PG, default the local server),
with 1,000 and 100,000 past sales written by seed_sales: median and 95th percentile of
POST /api/v1/sales (3 lines, cash) over 500 sales, and of a floor measured in the same
run: a bare Flask route doing one INSERT and one COMMIT on the same database. Both go
through the same in-process WSGI client, so the network is left out of both.

Targets: 100k/1k median ratio <= 1.2, sale/floor median ratio <= 3; /sell under 100 KB
(HTML, CSS, JS); a tap on a tile updates the cart in under 50 ms with Chromium's CPU
throttled 4x.
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SALES = int(os.environ.get("KIOSK_BENCH_SALES", "500"))
HISTORIES = tuple(int(h) for h in os.environ.get("KIOSK_BENCH_HISTORY", "1000,100000")
                  .split(","))
PG_SERVER = os.environ.get("KIOSK_BENCH_PG",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASES = os.environ.get("KIOSK_BENCH_DB", "sqlite,postgresql").split(",")
CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
SKUS = ("POCH-TGV", "ETIQ-TGV", "SAC-IKEA", "TAB-IKEA", "TROU-IKEA", "ETIQ-IKEA")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _app(url: str, instance: str):
    from kiosk import create_app
    from kiosk.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PRINTER": "none"},
                     instance)

    @app.post("/bench/floor")
    def floor():  # the least a write can cost here: one INSERT, one COMMIT
        db.session.execute(text("INSERT INTO bench_floor (payload) VALUES (:p)"),
                           {"p": uuid.uuid4().hex})
        db.session.commit()
        return {"ok": True}

    from kiosk.extensions import csrf

    csrf.exempt(floor)
    return app


def _prepare(app, history: int) -> tuple[str, int]:
    """Schema, demo, past sales, an open drawer and a token: (token, session id)."""
    from kiosk.cli import upgrade_schema
    from kiosk.database import write_transaction
    from kiosk.demo.bulk import seed_sales
    from kiosk.demo.seed import seed_demo
    from kiosk.extensions import db
    from kiosk.models import User
    from kiosk.services.auth import issue_token
    from kiosk.services.cash import open_cash_session

    with app.app_context():
        upgrade_schema()
        with db.engine.begin() as conn:
            ident = ("SERIAL PRIMARY KEY" if db.engine.dialect.name == "postgresql"
                     else "INTEGER PRIMARY KEY AUTOINCREMENT")
            conn.execute(text(f"CREATE TABLE IF NOT EXISTS bench_floor (id {ident}, "
                              "payload VARCHAR(64) NOT NULL)"))
        with write_transaction(db.session):
            seed_demo(db.session)
        started = time.perf_counter()
        seed_sales(db.session, history)
        seeded = time.perf_counter() - started
        with write_transaction(db.session):
            seller = db.session.query(User).filter_by(name="Vendeuse").one()
            token = issue_token(db.session, seller, 30, "bench")
            cash_session = open_cash_session(db.session, "Banc d'essai", "ikea",
                                             {10000: 10}, seller.id)
            session_id = cash_session.id
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:  # fresh statistics, as autovacuum would
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(text("VACUUM ANALYZE"))
                conn.execute(text("CHECKPOINT"))  # the bulk load's writes, out of the way
        db.session.remove()
    print(f"    {history} ventes passées écrites en {seeded:.1f} s", flush=True)
    return token, session_id


def _measure(app, token: str, session_id: int) -> tuple[list[float], list[float]]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    sale_times, floor_times = [], []
    for i in range(SALES + 20):  # 20 to warm up, not counted
        lines = [{"sku": SKUS[(i + k) % len(SKUS)], "qty": 1 + k % 2} for k in range(3)]
        body = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
                "lines": lines, "payments": [{"method": "cash", "amount_cents": 10000}]}
        started = time.perf_counter()
        response = client.post("/api/v1/sales", json=body, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"sale refused: {response.get_json()}")
        started = time.perf_counter()
        response = client.post("/bench/floor")
        floor_elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError("floor route failed")
        if i >= 20:
            sale_times.append(elapsed * 1000)
            floor_times.append(floor_elapsed * 1000)
    return sale_times, floor_times


def _databases(tmp: Path):
    """(label, url, cleanup) for each database to measure."""
    if "sqlite" in DATABASES:
        yield "SQLite", lambda name: (f"sqlite:///{tmp / (name + '.sqlite3')}", lambda: None)
    if "postgresql" not in DATABASES:
        return
    server = make_url(PG_SERVER)
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 3})
        with admin.connect():
            pass
    except Exception as exc:
        print(f"PostgreSQL injoignable ({exc.__class__.__name__}) : mesure sautée.")
        return

    def make(name: str):
        db_name = f"kiosk_bench_{name}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db_name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))

        return server.set(database=db_name).render_as_string(hide_password=False), drop

    yield "PostgreSQL", make


def bench_latency() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for label, make in _databases(tmp):
            for history in HISTORIES:
                print(f"  {label}, {history} ventes passées…", flush=True)
                url, cleanup = make(f"h{history}")
                try:
                    app = _app(url, str(tmp / f"instance-{label}-{history}"))
                    token, session_id = _prepare(app, history)
                    # No app context around the requests: each one gets its own, with
                    # its own session and login, as under the real server.
                    sales, floor = _measure(app, token, session_id)
                    with app.app_context():
                        from kiosk.extensions import db

                        db.engine.dispose()
                finally:
                    cleanup()
                results[(label, history)] = (sales, floor)
    print()
    print(f"POST /api/v1/sales, 3 lignes, espèces, {SALES} ventes (ms)")
    print(f"{'base':<11}{'passé':>8}{'médiane':>10}{'p95':>8}{'plancher':>10}"
          f"{'p95 pl.':>9}{'vente/pl.':>11}")
    for (label, history), (sales, floor) in results.items():
        ratio = statistics.median(sales) / statistics.median(floor)
        print(f"{label:<11}{history:>8}{statistics.median(sales):>10.2f}"
              f"{percentile(sales, 0.95):>8.2f}{statistics.median(floor):>10.2f}"
              f"{percentile(floor, 0.95):>9.2f}{ratio:>11.2f}")
    labels = dict.fromkeys(label for label, _ in results)
    if len(HISTORIES) >= 2:
        small, large = min(HISTORIES), max(HISTORIES)
        for label in labels:
            if (label, small) in results and (label, large) in results:
                growth = (statistics.median(results[(label, large)][0])
                          / statistics.median(results[(label, small)][0]))
                print(f"{label} : médiane {large}/{small} = {growth:.2f} (cible <= 1,2)")
    return results


def _serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def bench_screen() -> None:
    """The sale screen's transfer size, and a tap with the CPU throttled 4x."""
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        app = _app(f"sqlite:///{tmp / 'screen.sqlite3'}", str(tmp / "instance"))
        _prepare(app, 0)
        client = app.test_client()
        from tests.conftest import web_login

        web_login(client, "Vendeuse", "3456")
        html = client.get("/sell", headers={"Accept-Encoding": "gzip"})
        assets = re.findall(r'(?:href|src)="(/(?:static|assets)/[^"]+\.(?:css|js))"', html.text)
        queue, seen, sizes = list(assets), set(), {"/sell": (len(html.data),
                                                            html.headers.get(
                                                                "Content-Encoding"))}
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
            sizes[path] = (len(response.data), response.headers.get("Content-Encoding"))
            body = response.get_data()
            if path.endswith(".js"):
                for module in re.findall(rb'from\s+"\./([^"]+)"', body):
                    queue.append(path.rsplit("/", 1)[0] + "/" + module.decode())
            response.close()
        total = sum(size for size, _ in sizes.values())
        gz = sum(len(gzip.compress(client.get(p).get_data())) if p != "/sell" else
                 len(gzip.compress(html.data)) for p in sizes)
        print("\n/sell : ce que la tablette charge")
        for path, (size, encoding) in sizes.items():
            print(f"  {path:<28}{size / 1024:>7.1f} Ko {encoding or '(non compressé)'}")
        print(f"  total transféré : {total / 1024:.1f} Ko (cible < 100 Ko) ; "
              f"compressé gzip il ferait {gz / 1024:.1f} Ko")
        _tap_latency(app)


def _tap_latency(app) -> None:
    if not Path(CHROMIUM).exists():
        print(f"Chromium absent ({CHROMIUM}) : mesure du toucher sautée.")
        return
    from playwright.sync_api import sync_playwright

    server, url = _serve(app)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            context = browser.new_context(viewport={"width": 1280, "height": 800},
                                          has_touch=True, base_url=url)
            page = context.new_page()
            page.goto("/login")
            page.get_by_role("radio", name="Vendeuse", exact=True).tap()
            for digit in "3456":
                page.locator(f'.keypad [data-key="{digit}"]').tap()
            with page.expect_navigation():
                page.get_by_role("button", name="OK").tap()
            page.goto("/sell")
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            # From the tap to the cart drawn: the handler runs and layout is forced.
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
            # and as a real tap through the browser's input pipeline
            real = []
            tile = page.locator(".product").first
            for _ in range(10):
                page.evaluate("""() => { window.__t = null;
                    new MutationObserver((m, o) => {
                        window.__t = performance.now(); o.disconnect(); })
                      .observe(document.querySelector('[data-cart-total]'),
                               {childList: true, characterData: true, subtree: true}); }""")
                started = page.evaluate("() => performance.now()")
                tile.tap()
                done = page.evaluate("() => window.__t")
                if done is not None:
                    real.append(done - started)
            browser.close()
    finally:
        server.shutdown()
    tap_median, tap_max = statistics.median(timings), max(timings)
    print(f"\nToucher une tuile → panier à jour, CPU ralenti 4× : médiane {tap_median:.1f} ms, "
          f"max {tap_max:.1f} ms (cible < 50 ms)")
    if real:
        print(f"  par un vrai toucher Playwright (aller-retour de l'outil compris) : "
              f"médiane {statistics.median(real):.1f} ms")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print("Banc d'essai des ventes")
    bench_latency()
    bench_screen()


if __name__ == "__main__":
    main()
