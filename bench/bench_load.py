"""Load: eight tablets selling flat out for a bounded minute against the real server.

`python -m bench.bench_load` (also part of `make bench`). For SQLite and, when reachable,
PostgreSQL: a fresh database made with the command line (`init-db`, `seed-demo`), the
kiosk served by waitress exactly as `make run` serves it (`python -m kiosk.serve`, its
own process), one drawer opened at the IKEA stall, then KIOSK_BENCH_TABLETS threads (8)
that log in as a seller through the API at the same moment and post sales of 1-3 lines
paid cash into that drawer over HTTP on loopback, as fast as answers come back, for
KIOSK_BENCH_LOAD_SECONDS (60). Reports sales per second, median and 95th percentile
latency, and every answer that was not the expected one (an error; a refused login is
retried and counted). Then verify-journal must say the journal is intact.

Traffic goes to 127.0.0.1 only; every loop is bounded by the deadline.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TABLETS = int(os.environ.get("KIOSK_BENCH_TABLETS", "8"))
SECONDS = float(os.environ.get("KIOSK_BENCH_LOAD_SECONDS", "60"))
PG_SERVER = os.environ.get("KIOSK_BENCH_PG",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASES = os.environ.get("KIOSK_BENCH_DB", "sqlite,postgresql").split(",")
SKUS = ("POCH-TGV", "ETIQ-TGV", "SAC-IKEA", "TAB-IKEA", "TROU-IKEA", "ETIQ-IKEA")
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "kiosk", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


def _call(conn: http.client.HTTPConnection, method: str, path: str, body=None,
          token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers=headers)
    response = conn.getresponse()
    raw = response.read()
    return response.status, (json.loads(raw) if raw else {})


class Tablet(threading.Thread):
    def __init__(self, port: int, number: int, session_id: int, deadline: float) -> None:
        super().__init__(daemon=True)
        self.port, self.number, self.deadline = port, number, deadline
        self.session_id = session_id  # the stall's one drawer, shared by every tablet
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.rng = random.Random(number)

    def _error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        token = None
        while token is None and time.monotonic() < self.deadline:  # all log in at once
            status, body = _call(conn, "POST", "/api/v1/login",
                                 {"user": "Vendeuse", "pin": "3456"})
            if status == 200:
                token = body["token"]
            else:
                self._error(f"login {status}")
        session_id = self.session_id
        while time.monotonic() < self.deadline:
            lines = [{"sku": sku, "qty": self.rng.randint(1, 2)}
                     for sku in self.rng.sample(SKUS, self.rng.randint(1, 3))]
            sale = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
                    "lines": lines, "payments": [{"method": "cash", "amount_cents": 100_000}]}
            started = time.perf_counter()
            try:
                status, _body = _call(conn, "POST", "/api/v1/sales", sale, token)
            except (OSError, http.client.HTTPException) as exc:
                self._error(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            if status == 201:
                self.latencies.append((time.perf_counter() - started) * 1000)
            else:
                self._error(str(status))
        conn.close()


def _open_drawer(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, body = _call(conn, "POST", "/api/v1/login", {"user": "Tresoriere", "pin": "2345"})
    status, body = _call(conn, "POST", "/api/v1/cash-sessions", {
        "name": "Vente IKEA", "location": "ikea", "opening_float": {"50000": 4}}, body["token"])
    conn.close()
    if status != 201:
        raise RuntimeError(f"opening the drawer: {status} {body}")
    return body["id"]


def _serve(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "kiosk.serve"],
                              env={**env, "KIOSK_PORT": str(port)}, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the kiosk did not start")


def run(label: str, url: str) -> dict:
    env = {**os.environ, "KIOSK_DATABASE_URL": url, "KIOSK_SECRET_KEY": "bench",
           "KIOSK_PRINTER": "none"}
    _flask(env, "init-db")
    _flask(env, "seed-demo")
    port = _free_port()
    server = _serve(env, port)
    try:
        session_id = _open_drawer(port)
        deadline = time.monotonic() + SECONDS
        started = time.monotonic()
        tablets = [Tablet(port, n + 1, session_id, deadline) for n in range(TABLETS)]
        for tablet in tablets:
            tablet.start()
        for tablet in tablets:
            tablet.join(SECONDS + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
    latencies = sorted(ms for tablet in tablets for ms in tablet.latencies)
    errors: dict[str, int] = {}
    for tablet in tablets:
        for what, count in tablet.errors.items():
            errors[what] = errors.get(what, 0) + count
    journal = _flask(env, "verify-journal").strip().splitlines()[0]
    result = {
        "db": label, "tablets": TABLETS, "seconds": round(elapsed, 1),
        "sales": len(latencies), "sales_per_s": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "errors": sum(errors.values()), "error_kinds": errors, "journal": journal}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in DATABASES:
            results.append(run("SQLite", f"sqlite:///{tmp}/load.sqlite3"))
        if "postgresql" in DATABASES:
            server = make_url(PG_SERVER)
            name = f"kiosk_load_{uuid.uuid4().hex[:8]}"
            try:
                admin = create_engine(server, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as exc:  # a bench says what it skipped
                print(f"PostgreSQL skipped: {exc.__class__.__name__}")
            else:
                try:
                    url = server.set(database=name).render_as_string(hide_password=False)
                    results.append(run("PostgreSQL", url))
                finally:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    admin.dispose()
    print("| db | tablets | sales/s | median | p95 | errors |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['db']} | {r['tablets']} | {r['sales_per_s']} | {r['median_ms']} ms | "
              f"{r['p95_ms']} ms | {r['errors']} |")


if __name__ == "__main__":
    main()
