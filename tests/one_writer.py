"""A watch on the database for journaled rows written by another way than the ledger's one
writer (kiosk.ledger.write.write_events, which record_event and write_event go through).

`watching()` records, for every INSERT, UPDATE or DELETE of a journaled table (and of the
journal's entries), whether the one writer was writing at that moment. Used by
tests/test_one_writer.py; also a pytest plugin, to run the watch across any test files:

    KIOSK_TEST_DB=sqlite .venv/bin/python -m pytest -p tests.one_writer tests/test_closing.py

fails every test that writes a journaled row outside the writer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from kiosk.ledger import write
from kiosk.ledger.journal import JOURNALED_TABLES

WATCHED = frozenset(JOURNALED_TABLES) | {"journal_entries"}
WRITES = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Seen:
    by_the_writer: set[str] = field(default_factory=set)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (table, statement)


@contextmanager
def watching() -> Iterator[Seen]:
    seen = Seen()

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:
        for table in WRITES.findall(statement):
            if table not in WATCHED:
                continue
            if write.WRITING.get():
                seen.by_the_writer.add(table)
            else:
                seen.elsewhere.append((table, " ".join(statement.split())[:160]))

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", before)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):  # the plugin: every test of the run under the watch
    with watching() as seen:
        yield
    if seen.elsewhere:
        pytest.fail(f"journaled rows written outside the one writer: {seen.elsewhere[:5]}",
                    pytrace=False)
