"""Backups while the kiosk runs: SQLite's online backup API, pg_dump for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk.models import JournalEntry
from kiosk.models.journal import GENESIS_HASH
from kiosk.private import private_file

# Journal events that took a sale number (the year's sequence, without gap or repeat).
NUMBERED_EVENTS = ("sale", "void", "refund", "consignment")
# How long a restore waits for a write lock held by another program before it gives up.
RESTORE_WAIT_SECONDS = 30.0


class DatabaseInUse(ValueError):
    """Another program holds the database's write lock: the restore did nothing."""


def backup_database(engine: Engine, path: str) -> None:
    target = Path(path)
    if target.exists():
        raise ValueError(f"{path} existe déjà : choisissez un autre nom")
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        _backup_sqlite(engine, target)
    elif engine.dialect.name == "postgresql":
        _backup_postgresql(engine, target)
    else:
        raise ValueError(f"base {engine.dialect.name} non prise en charge")


def _backup_sqlite(engine: Engine, target: Path) -> None:
    # The backup API copies a consistent snapshot page by page while others keep writing.
    partial = private_file(target.with_suffix(target.suffix + ".partial"))  # 0600
    source = sqlite3.connect(engine.url.database)
    try:
        with sqlite3.connect(partial) as copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    os.replace(partial, target)


def _backup_postgresql(engine: Engine, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise ValueError("pg_dump est introuvable : installez postgresql-client")
    url = engine.url.set(drivername="postgresql")
    private_file(target)  # 0600 before pg_dump writes into it (it keeps the mode)
    try:
        # pg_dump takes one snapshot: the dump is consistent while sales continue.
        subprocess.run(["pg_dump", "--format=custom", "--file", str(target),
                        url.render_as_string(hide_password=False)], check=True)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


@dataclass
class RestorePlan:
    """What putting a copy back would do to the database as it is now."""

    copy_seq: int
    copy_hash: str
    current_seq: int
    same_history: bool  # the copy's last entry is in this database's chain, unchanged
    lost_numbers: list[str] = field(default_factory=list)  # sale numbers given since

    @property
    def older(self) -> bool:
        return self.copy_seq < self.current_seq

    @property
    def lost_entries(self) -> int:
        return max(self.current_seq - self.copy_seq, 0)

    def refusal(self, force: bool) -> str | None:
        """Why this copy is not put back without --force (None: it may be). The one rule
        for every restore: an older copy, or one whose journal does not lead to or from
        this database's (another installation), whatever its length."""
        if force or not (self.older or not self.same_history):
            return None
        if not self.same_history:
            return ("Refusé : cette copie vient d'une autre caisse (ou l'une des deux a été "
                    "modifiée) ; elle remplacerait tout ce que cette base contient. Si c'est "
                    "bien voulu, relancez avec --yes --force.")
        return ("Refusé : cette copie effacerait ce qui a été enregistré depuis. Si c'est "
                "bien voulu (la base est abîmée), relancez avec --yes --force.")

    def warnings(self) -> list[str]:
        """Plain French sentences: what the treasurer must know before saying yes."""
        said = [f"La copie s'arrête à l'écriture n° {self.copy_seq} du journal ; la base "
                f"actuelle en est à l'écriture n° {self.current_seq}."]
        if not self.same_history:
            said.append("Cette copie ne vient pas de cette base (ou l'une des deux a été "
                        "modifiée) : son journal ne suit pas celui de la base actuelle.")
        if self.older:
            said.append(f"La copie est plus ancienne : {self.lost_entries} écriture(s) "
                        "enregistrée(s) depuis seront perdues.")
        if self.lost_numbers:
            said.append(
                f"Les tickets n° {self.lost_numbers[0]} à {self.lost_numbers[-1]} "
                f"({len(self.lost_numbers)}) ont été donnés depuis la copie : après la "
                "restauration, ces numéros seront donnés à nouveau à d'autres ventes. Gardez "
                "les tickets papier de ces ventes à part et ressaisissez-les.")
        return said


def copy_head(engine: Engine, path: str) -> tuple[int, str]:
    """The journal head (length, hash) a backup holds, read without restoring it."""
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{path} n'existe pas")
    if engine.dialect.name == "sqlite":
        try:
            with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as copy:
                row = copy.execute("SELECT seq, hash FROM journal_head WHERE id = 1").fetchone()
            copy.close()
        except sqlite3.DatabaseError:
            raise ValueError(f"{path} n'est pas une copie de la caisse") from None
        return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)
    if shutil.which("pg_restore") is None:
        raise ValueError("pg_restore est introuvable : installez postgresql-client")
    listed = subprocess.run(["pg_restore", "--data-only", "--table=journal_head", "--file=-",
                             str(source)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise ValueError(f"{path} n'est pas une copie de la caisse")
    return _head_from_copy_data(listed.stdout)


def _head_from_copy_data(sql: str) -> tuple[int, str]:
    """The journal_head row out of pg_restore's `COPY … FROM stdin;` text."""
    lines = iter(sql.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "journal_head" in line:
            columns = [c.strip() for c in line[line.index("(") + 1:line.index(")")].split(",")]
            for data in lines:
                if data == "\\.":
                    break
                values = dict(zip(columns, data.split("\t"), strict=True))
                if values.get("id") == "1":
                    return int(values["seq"]), values["hash"]
    return 0, GENESIS_HASH


def copy_entry_hash(engine: Engine, path: str, seq: int) -> str | None:
    """The hash of the copy's journal entry number `seq` (None: it has no such entry)."""
    source = Path(path)
    if engine.dialect.name == "sqlite":
        try:
            with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as copy:
                row = copy.execute("SELECT hash FROM journal_entries WHERE seq = ?",
                                   (seq,)).fetchone()
            copy.close()
        except sqlite3.DatabaseError:
            raise ValueError(f"{path} n'est pas une copie de la caisse") from None
        return str(row[0]) if row else None
    listed = subprocess.run(["pg_restore", "--data-only", "--table=journal_entries",
                             "--file=-", str(source)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise ValueError(f"{path} n'est pas une copie de la caisse")
    return _entry_hash_from_copy_data(listed.stdout, seq)


def _entry_hash_from_copy_data(sql: str, seq: int) -> str | None:
    """The hash of entry `seq` out of pg_restore's `COPY journal_entries … FROM stdin;`."""
    lines = iter(sql.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "journal_entries" in line:
            columns = [c.strip() for c in line[line.index("(") + 1:line.index(")")].split(",")]
            for data in lines:
                if data == "\\.":
                    break
                values = dict(zip(columns, data.split("\t"), strict=False))
                if values.get("seq") == str(seq):
                    return values.get("hash")
    return None


def compare_copy(session: Session, copy_seq: int, copy_hash: str,
                 hash_in_copy: Callable[[int], str | None]) -> RestorePlan:
    """What putting back a copy whose journal ends at (copy_seq, copy_hash) would do; the
    copy's entry of any number is `hash_in_copy(seq)`. Read only. A copy of any origin (a
    backup file, a replica) is judged here, the same way, whatever its length:

    - shorter than this database's journal: this database must hold its last entry,
      unchanged (the copy is this database, earlier);
    - longer: the copy must hold this database's last entry, unchanged (this database is
      the copy, earlier: it leads to the copy);
    - anything else is another installation (or one of the two was changed)."""
    current, current_hash = session.execute(
        select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc())
        .limit(1)).one_or_none() or (0, GENESIS_HASH)
    if copy_seq == 0 or current == 0:
        same = True  # an empty journal leads to any other
    elif copy_seq <= current:
        same = session.scalar(select(JournalEntry.hash).where(JournalEntry.seq == copy_seq)) \
            == copy_hash
    else:
        same = hash_in_copy(current) == current_hash
    lost = list(session.scalars(select(JournalEntry.ref).where(
        JournalEntry.seq > copy_seq, JournalEntry.event.in_(NUMBERED_EVENTS))
        .order_by(JournalEntry.seq)))
    session.rollback()
    return RestorePlan(copy_seq, copy_hash, current, bool(same), lost)


def restore_plan(session: Session, engine: Engine, path: str) -> RestorePlan:
    """Compare a backup file with the database it would replace (read only)."""
    seq, digest = copy_head(engine, path)
    return compare_copy(session, seq, digest,
                        lambda number: copy_entry_hash(engine, path, number))


def restore_database(engine: Engine, path: str, wait_seconds: float | None = None) -> None:
    """Put a backup back in place of the database (the app must be stopped).

    SQLite: the backup API copies the file's pages over the live database, so the WAL and
    any open connection see the restored content. PostgreSQL: pg_restore --clean.
    """
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{path} n'existe pas")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _restore_sqlite(source, engine.url.database,
                        RESTORE_WAIT_SECONDS if wait_seconds is None else wait_seconds)
    elif engine.dialect.name == "postgresql":
        if shutil.which("pg_restore") is None:
            raise ValueError("pg_restore est introuvable : installez postgresql-client")
        url = engine.url.set(drivername="postgresql")
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--dbname",
                        url.render_as_string(hide_password=False), str(source)], check=True)
    else:
        raise ValueError(f"base {engine.dialect.name} non prise en charge")


def _restore_sqlite(source: Path, database: str, wait_seconds: float) -> None:
    """SQLite's backup API waits, with no end of its own, while another connection
    holds the write lock (a kiosk still running and writing): past `wait_seconds` it
    gives up with a plain sentence, and the database is left as it was."""
    deadline = time.monotonic() + wait_seconds

    def give_up_when_held_too_long(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) \
                and time.monotonic() > deadline:
            raise DatabaseInUse(
                f"la base est occupée depuis {wait_seconds:.0f} s par un autre programme "
                "(la caisse tourne encore ?) : arrêtez la caisse, puis relancez la "
                "restauration. Rien n'a été changé.")

    # the first step waits a second for the lock, each next one 250 ms (CPython's sleep)
    with closing(sqlite3.connect(source)) as copy, \
            closing(sqlite3.connect(database, timeout=1)) as target:
        copy.backup(target, progress=give_up_when_held_too_long)
