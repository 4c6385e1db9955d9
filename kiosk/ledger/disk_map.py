"""A mapping kept in a private temporary SQLite database: `verify` holds one entry for every
row the journal guards (millions, after years of sales), and with a dict its memory grew
with the history (325 MB at 100,000 sales, gigabytes at a million: more than a small board
has). Here SQLite keeps a few megabytes of pages in memory and the rest in a temporary
file it deletes when the mapping is closed or dropped (an empty file name: SQLite's private
temporary database). Keys and values are what JSON holds; tuples come back as tuples.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, MutableMapping
from typing import Any

CACHE_KIB = 8 * 1024  # the pages kept in memory, at most


def _load(text: str) -> Any:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


class DiskMap(MutableMapping):
    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE m (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO m (k, v) VALUES (?, ?)",
                         (json.dumps(key), json.dumps(value)))

    def __getitem__(self, key: Any) -> Any:
        row = self._db.execute("SELECT v FROM m WHERE k = ?", (json.dumps(key),)).fetchone()
        if row is None:
            raise KeyError(key)
        return _load(row[0])

    def __delitem__(self, key: Any) -> None:
        if self._db.execute("DELETE FROM m WHERE k = ?", (json.dumps(key),)).rowcount == 0:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return self._db.execute("SELECT 1 FROM m WHERE k = ?",
                                (json.dumps(key),)).fetchone() is not None

    def __iter__(self) -> Iterator[Any]:
        for (key,) in self._db.execute("SELECT k FROM m ORDER BY k"):
            yield _load(key)

    def items(self) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        for key, value in self._db.execute("SELECT k, v FROM m ORDER BY k"):
            yield _load(key), _load(value)

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM m").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # (at the interpreter's end, maybe gone)
            self._db.close()
