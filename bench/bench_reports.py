"""Reports over the whole history: every report page, the JSON and the impact PDF.

`python -m bench.bench_reports` (or `make bench`). KIOSK_BENCH_DB=sqlite or postgresql
picks one database; KIOSK_BENCH_REPORT_SALES (default 10000,100000,1000000) the histories,
each written by `seed_sales` as `seed-demo --sales N` does (its time is printed too).

Median and 95th percentile of 20 requests (after 3 to warm up) through the in-process WSGI
client, from the first day the kiosk knows to today. Targets: each under 100 ms, growing
less than 2x from the smallest history to the largest: the reports read the day's totals
(DailyTotal), never every sale.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_sales import _databases, percentile

HISTORIES = tuple(int(h) for h in os.environ.get(
    "KIOSK_BENCH_REPORT_SALES", "10000,100000,1000000").split(","))
RUNS, WARM = 20, 3


def _pages(first_day: str, today: str) -> dict[str, str]:
    period = f"from={first_day}&to={today}"
    return {"/reports": f"/reports?{period}",
            "/reports/impact": f"/reports/impact?{period}",
            "/reports/impact.pdf": f"/reports/impact.pdf?{period}",
            "/reports/months.csv": f"/reports/months.csv?{period}",
            "/api/v1/reports": f"/api/v1/reports?{period}"}


def _prepare(url: str, instance: str, history: int):
    from kiosk import create_app
    from kiosk.cli import upgrade_schema
    from kiosk.database import write_transaction
    from kiosk.demo.bulk import seed_sales
    from kiosk.demo.seed import seed_demo
    from kiosk.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PRINTER": "none",
                      "PIN_HASH_COST": 128}, instance)
    with app.app_context():
        upgrade_schema()
        with write_transaction(db.session):
            seed_demo(db.session)
        started = time.perf_counter()
        seed_sales(db.session, history)
        seeded = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                from sqlalchemy import text

                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
    return app, seeded


def _measure(app) -> dict[str, list[float]]:
    from kiosk.database import utcnow
    from kiosk.vocabulary import FIRST_DAY, PARIS

    web, api = app.test_client(), app.test_client()
    page = web.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[-1].split('"', 1)[0]
    if 'name="csrf_token"' not in page:
        raise RuntimeError("no CSRF token on /login")
    answer = web.post("/login", data={"user": "Tresoriere", "pin": "2345",
                                      "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError("the treasurer could not log in")
    bearer = api.post("/api/v1/login", json={"user": "Tresoriere", "pin": "2345"}).get_json()
    headers = {"Authorization": f"Bearer {bearer['token']}"}
    today = utcnow().astimezone(PARIS).date().isoformat()
    times: dict[str, list[float]] = {}
    for name, path in _pages(FIRST_DAY.isoformat(), today).items():
        client, extra = (api, headers) if name.startswith("/api") else (web, {})
        times[name] = []
        for run in range(RUNS + WARM):
            started = time.perf_counter()
            response = client.get(path, headers=extra)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
            if run >= WARM:
                times[name].append(elapsed)
    return times


def main() -> None:
    print("Bilans sur tout l'historique (ms, médiane / p95)", flush=True)
    results: dict[tuple[str, int], dict[str, list[float]]] = {}
    seeding: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for label, make in _databases(tmp):
            for history in HISTORIES:
                print(f"  {label}, {history} ventes passées…", flush=True)
                url, cleanup = make(f"r{history}")
                try:
                    app, seeded = _prepare(url, str(tmp / f"i-{label}-{history}"), history)
                    print(f"    écrites en {seeded:.1f} s", flush=True)
                    seeding[(label, history)] = seeded
                    results[(label, history)] = times = _measure(app)
                    print("    " + " · ".join(  # at once: a long run shows as it goes
                        f"{n} {statistics.median(t):.1f}/{percentile(t, 0.95):.1f}"
                        for n, t in times.items()), flush=True)
                    with app.app_context():
                        from kiosk.extensions import db

                        db.engine.dispose()
                finally:
                    cleanup()
    print()
    names = list(_pages("", ""))
    print(f"{'base':<11}{'ventes':>9}{'écrites':>10}  "
          + "  ".join(f"{n:>22}" for n in names))
    for (label, history), times in results.items():
        cells = [f"{statistics.median(times[n]):>10.1f} / {percentile(times[n], 0.95):>8.1f}"
                 for n in names]
        print(f"{label:<11}{history:>9}{seeding[(label, history)]:>9.1f}s  "
              + "  ".join(f"{c:>22}" for c in cells))
    small, large = min(HISTORIES), max(HISTORIES)
    for label in dict.fromkeys(label for label, _history in results):
        if (label, small) in results and (label, large) in results and small != large:
            growth = max(statistics.median(results[(label, large)][n])
                         / statistics.median(results[(label, small)][n]) for n in names)
            slowest = max(statistics.median(results[(label, large)][n]) for n in names)
            print(f"{label} : {large}/{small}, la plus forte croissance = {growth:.2f} "
                  f"(cible < 2) ; la plus lente à {large} = {slowest:.1f} ms (cible < 100)")


if __name__ == "__main__":
    main()
