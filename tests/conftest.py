"""Fixtures: a fresh app and a real database per test, on SQLite or PostgreSQL.

KIOSK_TEST_DB picks the database (`make test` runs the suite once with each):
- sqlite: the schema is migrated once into a template file, copied for every test;
- postgresql: a database of its own per run on the local server (or the server of
  KIOSK_TEST_DATABASE_URL), migrated once and emptied between tests.
Without a reachable server those tests are skipped with the reason, or fail when
KIOSK_TEST_STRICT=1 (CI).

The demo is seeded once per run too: a test that uses `demo` starts from a copy of the
seeded template file (SQLite) or gets the seeded rows copied back in (PostgreSQL).
PINs are hashed at a low cost in tests (KIOSK_PIN_HASH_COST), servers started as
subprocesses included: the production cost takes most of a second per PIN.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule

from kiosk import create_app
from kiosk.database import write_transaction
from kiosk.extensions import db

STRICT = os.environ.get("KIOSK_TEST_STRICT") == "1"
BACKEND = os.environ.get("KIOSK_TEST_DB", "sqlite")
PG_SERVER_URL = os.environ.get(
    "KIOSK_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("KIOSK_PIN_HASH_COST", "128")  # the least scrypt cost werkzeug takes
# One journal key for every app of a run: the seeded template is sealed with it.
os.environ.setdefault("KIOSK_JOURNAL_KEY", "tests-journal-key")
# Property tests are judged on their examples, not on how fast the machine draws them: a
# loaded CI machine (two workers, PostgreSQL, Chromium) must not fail them on time alone.
settings.register_profile("kiosk", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kiosk")


def _roomy_tmpfs(path: str = "/dev/shm", room: int = 2 << 30) -> bool:
    """A memory file system with room, where programs may run (test_update's venv)."""
    try:
        fs = os.statvfs(path)
    except OSError:
        return False
    return (os.access(path, os.W_OK) and fs.f_bavail * fs.f_frsize >= room
            and not fs.f_flag & os.ST_NOEXEC)


# The run's temporary files (every test's SQLite database, instance folders, wheels) in
# memory when the machine has room: the kiosk's SQLite commits wait for the disk
# (synchronous=FULL, 5-30 ms each on a busy virtual disk), which a test gains nothing from
# (a killed process loses nothing the page cache holds). Read by pytest's tmp_path_factory
# (workers get their folder from the controller); --basetemp or a set value wins.
if "PYTEST_DEBUG_TEMPROOT" not in os.environ and _roomy_tmpfs():
    os.environ["PYTEST_DEBUG_TEMPROOT"] = "/dev/shm"


# Most of create_app's time (a test's app: 0.2-0.3 s, ~90% of it) is werkzeug writing and
# compiling, for each of ~150 rules, two URL-building functions from an AST. The function
# depends only on the rule's parsed parts and its defaults (converters are called through
# the rule it is bound to), so every app of a run can share it: built once per rule text.
_BUILDERS: dict[tuple, object] = {}
_compile_builder = Rule._compile_builder


def _shared_builder(self: Rule, append_unknown: bool = True):
    defaults = self.defaults or {}
    if any(dynamic and part in defaults for dynamic, part in self._trace):
        return _compile_builder(self, append_unknown)  # a default baked in by a converter
    key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _shared_builder


class _SharedTemplateCode(BytecodeCache):
    """Every app of a run compiles each template once: Jinja's own bytecode cache, kept in
    memory and shared (a template's code is checked against its source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()
_create_jinja_environment = Flask.create_jinja_environment


def _jinja_environment_sharing_code(self: Flask):
    environment = _create_jinja_environment(self)
    environment.bytecode_cache = _TEMPLATE_CODE
    return environment


Flask.create_jinja_environment = _jinja_environment_sharing_code


class LiveServer:
    """The app served by a real threaded HTTP server on a loopback port."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.thread.is_alive():  # (shutdown() waits forever for a loop that is not running)
            self.server.shutdown()
            self.thread.join(5)
        self.server.server_close()


@dataclass
class ServedApp:
    """One test's app, as its browser reaches it."""

    url: str
    app: Flask


class AppSwitch:
    """The WSGI app of a server that serves one test's app after another (SharedServer).
    Between two tests it answers 503: a request the last test's page left on the way
    never reaches the next test's database."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.busy = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:  # (read and counted at once: serving() waits for what it counts)
            app = self.app
            if app is not None:
                self.busy += 1
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test is running"]
        try:
            answer = app(environ, start_response)
            try:  # read whole here (the kiosk streams no endless answer), then closed
                return list(answer)
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        finally:
            with self.idle:
                self.busy -= 1
                self.idle.notify_all()


class SharedServer(LiveServer):
    """One server for the browser tests of a worker, each test's app in turn at the same
    address: the tablet's tab, its HTTP cache and its compiled scripts then go from test
    to test (tests/browser/conftest.py, `page`) instead of a new browser context each."""

    def __init__(self) -> None:
        self.switch = AppSwitch()
        super().__init__(self.switch)

    @contextmanager
    def serving(self, app: Flask) -> Iterator[ServedApp]:
        if self.switch.app is not None:
            raise RuntimeError("the shared server already serves a test's app")
        self.switch.app = app
        try:
            yield ServedApp(self.url, app)
        finally:
            with self.switch.idle:  # the last test's requests end in its own app
                self.switch.app = None
                if not self.switch.idle.wait_for(lambda: self.switch.busy == 0, timeout=10):
                    raise RuntimeError("a request of the test still runs 10 s after it")


def missing(what: str) -> None:
    """Skip, saying plainly what is missing; under KIOSK_TEST_STRICT=1, fail instead."""
    if STRICT:
        pytest.fail(f"{what} (KIOSK_TEST_STRICT=1: this is a failure)", pytrace=False)
    pytest.skip(what)


def pytest_report_header(config) -> str:
    second = ("; second pass: the tests that touch no database ran in the first"
              if SECOND_PASS else "")
    return f"kiosk database: {BACKEND}; strict: {STRICT}{second}"


# Modules whose tests take seconds each (real servers, subprocesses, Chromium): run first,
# so that xdist's workers end the run on short tests instead of one waiting for the other's
# long one (worksteal hands the idle worker the short tests queued behind them).
# In this order: test_box's mDNS cannot run in a process where the browser tests' Playwright
# has started (its event loop runs in the main thread: zeroconf refuses or blocks), so
# the browser comes last, after every module that needs no browser.
LONG_MODULES = ("tests/test_box.py", "tests/test_api_fuzz.py", "tests/test_replica.py",
                "tests/test_update.py", "tests/test_clock_restart.py",
                "tests/test_journal_checks.py", "tests/test_power_cut.py",
                "tests/test_light_start.py", "tests/test_sales_concurrency.py",
                "tests/browser/")


def _rank(item: pytest.Item) -> int:
    return next((rank for rank, prefix in enumerate(LONG_MODULES)
                 if item.nodeid.startswith(prefix)), len(LONG_MODULES))


# `make test` runs the suite twice, on SQLite then on PostgreSQL. A test that touches no
# database (no `database_template` among its fixtures: the JS modules in Chromium, the
# Node tests, the printer emulator, the architecture, servers started on a SQLite file of
# their own) runs the same both times: the second pass (KIOSK_TEST_SECOND_PASS=1, set by
# the Makefile) leaves it to the first, and says how many it left.
SECOND_PASS = os.environ.get("KIOSK_TEST_SECOND_PASS") == "1"


def touches_a_database(item: pytest.Item) -> bool:
    return "database_template" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long modules first, each kept whole and in its own order (a stable sort); on the
    second pass, only the tests that touch a database."""
    if SECOND_PASS:
        ran_already = [item for item in items if not touches_a_database(item)]
        if ran_already:
            config.hook.pytest_deselected(items=ran_already)
            items[:] = [item for item in items if touches_a_database(item)]
    items.sort(key=_rank)


def _migrate(url: str, instance: Path) -> None:
    from kiosk.cli import upgrade_schema

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "tests"}, str(instance))
    with app.app_context():
        upgrade_schema()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Iterator[str]:
    """The migrated, empty database this run's tests start from."""
    instance = tmp_path_factory.mktemp("instance")
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _migrate(f"sqlite:///{path}", instance)
        yield str(path)
        return
    if BACKEND != "postgresql":
        pytest.fail(f"KIOSK_TEST_DB must be sqlite or postgresql, not {BACKEND!r}")
    server = make_url(PG_SERVER_URL)
    name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={
            "connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # Commits need not wait for the server's disk: nothing here outlives a crash
            # of the server, and every connection sees the same rows either way.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as exc:
        missing(f"PostgreSQL unreachable at {server.render_as_string()}: {exc.__class__.__name__}")
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url, instance)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed_the_demo() -> None:
    """`seed-demo`'s data, into the current app's database (unless already there)."""
    from kiosk.demo.seed import seed_demo

    with write_transaction(db.session):
        seed_demo(db.session)


def _seed_database(url: str, instance: Path) -> None:
    """The demo seeded into the database at `url` by an app of its own."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "tests", "PRINTER": "none"},
                     str(instance))
    with app.app_context():
        seed_the_demo()
        db.session.remove()
        db.engine.dispose()


def _public_tables(conn) -> list[str]:
    """The kiosk's tables, parents before children (tables the models lack, last)."""
    present = {row[0] for row in conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version'"))}
    order = [t.name for t in db.metadata.sorted_tables if t.name in present]
    return order + sorted(present - set(order))


def _empty(conn) -> None:
    """Every row gone and every sequence back at its start, as TRUNCATE … RESTART
    IDENTITY would leave them. DELETE, children first: on these few rows it is several
    times faster than TRUNCATE, which makes new files for every table and index."""
    for table in reversed(_public_tables(conn)):
        conn.execute(text(f'DELETE FROM "{table}"'))
    conn.execute(text(
        "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false) "
        "FROM pg_sequences WHERE schemaname = 'public'"))


@dataclass
class PgSnapshot:
    """The seeded demo's rows (COPY text, parents first) and its sequences' values."""

    tables: list[tuple[str, bytes]]
    sequences: list[tuple[str, int]]

    @classmethod
    def take(cls, engine) -> PgSnapshot:
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            tables = []
            for table in _public_tables(conn):
                with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    data = b"".join(bytes(block) for block in copy)
                if data:
                    tables.append((table, data))
            sequences = [(name, value) for name, value in conn.execute(text(
                "SELECT format('%I.%I', schemaname, sequencename), last_value "
                "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"))]
        return cls(tables, sequences)

    def restore(self, conn) -> None:
        """Into emptied tables (their sequences restarted), as the seed left them."""
        cursor = conn.connection.driver_connection.cursor()
        for table, data in self.tables:
            with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(data)
        for name, value in self.sequences:
            conn.execute(text("SELECT setval(:name, :value)"), {"name": name, "value": value})


@pytest.fixture(scope="session")
def pg_engine(database_template: str) -> Iterator:
    """PostgreSQL: one engine for the run's emptying and refilling between tests."""
    engine = create_engine(database_template)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_template(request, database_template: str, tmp_path_factory) -> str | PgSnapshot:
    """The demo seeded once: a template file (SQLite) or its rows (PostgreSQL)."""
    instance = tmp_path_factory.mktemp("demo-instance")
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
        shutil.copyfile(database_template, path)
        _seed_database(f"sqlite:///{path}", instance)
        return str(path)
    engine = request.getfixturevalue("pg_engine")
    with engine.begin() as conn:
        _empty(conn)
    _seed_database(database_template, instance)
    return PgSnapshot.take(engine)


@pytest.fixture
def database_url(request, database_template: str, tmp_path: Path) -> str:
    """A database for one test: empty but for the schema, or holding the demo already
    when the test uses `demo` (which then finds it there instead of seeding it)."""
    seeded = None
    if "demo" in request.fixturenames:  # (directly, or through seller_headers and the like)
        seeded = request.getfixturevalue("demo_template")
    if BACKEND == "sqlite":
        path = tmp_path / "kiosk.sqlite3"
        shutil.copyfile(seeded or database_template, path)
        return f"sqlite:///{path}"
    with request.getfixturevalue("pg_engine").begin() as conn:
        _empty(conn)
        if seeded is not None:
            seeded.restore(conn)
    return database_template


@pytest.fixture
def app_config(database_url: str) -> dict:
    """Override in a test module to change settings (printer, paper width…)."""
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none"}


class IsolatedClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    The `app` fixture keeps an app context pushed so tests can use db.session; Flask
    would reuse it for requests, sharing `g` (the logged-in user) and the session's
    identity map between them. Hiding it during a request gives each its own.
    The test's own session is rolled back around each request: it holds no lock or old
    snapshot while the request runs, and reads what the request wrote afterwards (a
    test commits what it writes itself).
    """

    def open(self, *args, **kwargs):
        self._forget()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            self._forget()

    @staticmethod
    def _forget() -> None:
        db.session.rollback()
        db.session.expire_all()  # a committed session keeps its objects: reload them


@pytest.fixture
def app(app_config: dict, tmp_path: Path):
    app = create_app(app_config, str(tmp_path / "instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo of `seed-demo`: users, locations, catalogue, stock, envelopes.

    database_url has copied it in from the seeded template already (seed_demo then sees
    it there and changes nothing); a test that asks for `demo` late gets it seeded here.
    """
    seed_the_demo()
    return app


def api_login(client, name: str, pin: str) -> dict[str, str]:
    response = client.post("/api/v1/login", json={"user": name, "pin": pin})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def seller_headers(demo, client) -> dict[str, str]:
    return api_login(client, "Vendeuse", "3456")


@pytest.fixture
def treasurer_headers(demo, client) -> dict[str, str]:
    return api_login(client, "Tresoriere", "2345")


@pytest.fixture
def admin_headers(demo, client) -> dict[str, str]:
    return api_login(client, "Admin", "1234")


def web_login(client, name: str, pin: str):
    """Log in through the page, as the browser does (CSRF token included)."""
    return client.post("/login", data={"csrf_token": csrf_token(client), "user": name,
                                       "pin": pin})


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token every page carries in its <meta name="csrf-token">."""
    import re

    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def printer_emulator():
    """A network receipt printer on 127.0.0.1 (tests/printer_emulator.py), started."""
    from tests.printer_emulator import PrinterEmulator

    with PrinterEmulator() as emulator:
        yield emulator
