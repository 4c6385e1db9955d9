"""Is the database's schema already the newest? Answered without Alembic (issue 29).

The server brings the schema up to date at each start. Importing Alembic (and Mako) to
learn that there is nothing to do costs its import time and some 13 MB that stay in the
server's memory all day; so the start first compares the revision the database records
(`alembic_version`) with the heads of kiosk/migrations/versions, read with `ast` (each
script's `revision` and `down_revision`), and runs the migrations only when they differ.
Anything unexpected (a script it cannot read, no table) counts as "not current": Alembic
then decides, as before.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from kiosk import paths


def heads(directory: Path | None = None) -> set[str] | None:
    """The revisions no other script follows; None when a script cannot be read."""
    folder = Path(directory or paths.MIGRATIONS_DIR) / "versions"
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in sorted(folder.glob("*.py")):
        values: dict[str, object] = {}
        try:
            tree = ast.parse(script.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            return None
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in ("revision", "down_revision")):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    return None
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        for earlier in (down if isinstance(down, (tuple, list)) else (down,)):
            if isinstance(earlier, str):
                followed.add(earlier)
    return (revisions - followed) or None


def recorded(engine: Engine) -> set[str] | None:
    """The revisions the database says it is at; None when it says nothing."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return set(rows) or None
    except SQLAlchemyError:
        return None


def is_current(engine: Engine) -> bool:
    newest = heads()
    return newest is not None and recorded(engine) == newest
