"""Backups while the kiosk runs: SQLite's online backup API, pg_dump for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine


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
    partial = target.with_suffix(target.suffix + ".partial")
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
    # pg_dump takes one snapshot: the dump is consistent while sales continue.
    subprocess.run(["pg_dump", "--format=custom", "--file", str(target),
                    url.render_as_string(hide_password=False)], check=True)


def restore_database(engine: Engine, path: str) -> None:
    """Put a backup back in place of the database (the app must be stopped).

    SQLite: the backup API copies the file's pages over the live database, so the WAL and
    any open connection see the restored content. PostgreSQL: pg_restore --clean.
    """
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{path} n'existe pas")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as copy, sqlite3.connect(engine.url.database) as target:
            copy.backup(target)
        copy.close()
        target.close()
    elif engine.dialect.name == "postgresql":
        if shutil.which("pg_restore") is None:
            raise ValueError("pg_restore est introuvable : installez postgresql-client")
        url = engine.url.set(drivername="postgresql")
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--dbname",
                        url.render_as_string(hide_password=False), str(source)], check=True)
    else:
        raise ValueError(f"base {engine.dialect.name} non prise en charge")
