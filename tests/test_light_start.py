"""A start pays only for what starts (issue 29): the heavy libraries a sale does not need
are imported where they are used, and what they do still works."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Imported by printing, PDFs, spreadsheets, certificates and migrations; never by a start.
HEAVY = ("escpos", "fpdf", "fontTools", "openpyxl", "cryptography", "alembic",
         "flask_migrate", "mako", "PIL", "qrcode", "yaml", "packaging", "brotli")
# How many malloc arenas glibc has made (malloc_info's <heap> elements) once eight threads
# have each allocated and are all still alive.
ARENAS_AFTER_EIGHT_THREADS = """
import ctypes, tempfile, threading
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
together = threading.Barrier(8)
threads = [threading.Thread(target=lambda: (libc.malloc(4096), together.wait()))
           for _ in range(8)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
with tempfile.NamedTemporaryFile() as report:
    handle = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, handle)
    libc.fclose(handle)
    arenas = open(report.name).read().count("<heap nr=")
"""


def _python(code: str, database_url: str, tmp_path: Path, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "KIOSK_DATABASE_URL": database_url, "KIOSK_SECRET_KEY": "t",
             "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_start_imports_none_of_the_heavy_libraries(database_url, tmp_path):
    code = f"""
import sys
from kiosk import create_app
app = create_app(instance_path={str(tmp_path / "instance")!r})
client = app.test_client()
assert client.get("/login").status_code in (200, 302)
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
"""
    assert _python(code, database_url, tmp_path, KIOSK_PRINTER="none").strip() == "[]"


def test_a_printer_set_still_starts_light_and_warms_in_the_background(database_url,
                                                                       tmp_path):
    code = f"""
import sys
from kiosk import create_app, documents
app = create_app(instance_path={str(tmp_path / "instance")!r})
print("escpos" in sys.modules)
documents.warm(app).join(120)
print("escpos.printer" in sys.modules and "qrcode" in sys.modules)
"""
    lines = _python(code, database_url, tmp_path, KIOSK_PRINTER="tcp://127.0.0.1:9").split()
    assert lines == ["False", "True"]


def test_no_printer_nothing_to_warm(app):
    from kiosk import documents

    assert documents.warm(app) is None


def test_flask_db_still_answers(database_url, tmp_path):
    """`flask db …` (Flask-Migrate) is imported when called, and works."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "kiosk", "db", "current"], cwd=ROOT,
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "KIOSK_DATABASE_URL": database_url, "KIOSK_SECRET_KEY": "t",
             "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "(head)" in done.stdout


def test_migrations_run_through_the_lazy_extension(app):
    from flask import current_app
    from flask_migrate import upgrade

    from kiosk import paths

    upgrade(directory=str(paths.MIGRATIONS_DIR))  # at head already: nothing to do, no error
    assert current_app.extensions["migrate"].db is not None
    assert type(current_app.extensions["migrate"]).__name__ == "_MigrateConfig"


def test_escpos_keeps_its_profiles_pickled_in_a_private_folder(tmp_path):
    cache = tmp_path / "cache"
    code = "import os, printer; print(os.environ.get('ESCPOS_CAPABILITIES_PICKLE_DIR'))"
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={**env, "XDG_CACHE_HOME": str(cache)}, timeout=120)
    folder = Path(done.stdout.strip())
    assert folder == cache / "kiosk-escpos" and folder.is_dir()
    assert folder.stat().st_mode & 0o077 == 0
    cache.chmod(0o755)
    folder.chmod(0o777)  # another user could plant a pickle there: not used
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={**env, "XDG_CACHE_HOME": str(cache)}, timeout=120)
    assert done.stdout.strip() == "None"


def test_the_schema_check_knows_the_head_without_alembic(app):
    from sqlalchemy import text

    from kiosk import schema
    from kiosk.extensions import db

    newest = schema.heads()
    assert newest is not None and len(newest) == 1
    assert schema.is_current(db.engine)  # the tests' database is migrated to the head
    try:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 's15a00000002'"))
        assert not schema.is_current(db.engine)  # behind: the server runs the migrations
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
        assert not schema.is_current(db.engine)
    finally:  # on PostgreSQL the run's later tests share this database: put it back
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS alembic_version (version_num "
                              "VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc "
                              "PRIMARY KEY (version_num))"))
            conn.execute(text("DELETE FROM alembic_version"))
            conn.execute(text("INSERT INTO alembic_version VALUES (:head)"),
                         {"head": next(iter(newest))})
    assert schema.is_current(db.engine)


def test_the_schema_check_reads_merges_and_refuses_what_it_cannot_read(tmp_path):
    from kiosk import schema

    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (versions / "b.py").write_text("revision = 'b'\ndown_revision = 'a'\n")
    (versions / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n")
    assert schema.heads(tmp_path) == {"b", "c"}
    (versions / "d.py").write_text("revision = 'd'\ndown_revision = ('b', 'c')\n")
    assert schema.heads(tmp_path) == {"d"}
    (versions / "e.py").write_text("revision = make_one()\n")
    assert schema.heads(tmp_path) is None


# What `python -m kiosk.serve` has done once it is ready to answer: waitress' server is
# started as usual, and reports instead of serving.
STARTED_SERVER = f"""
import json, sys
import waitress

create_server = waitress.create_server


def reporting_server(*args, **kwargs):
    server = create_server(*args, **kwargs)

    def run():
        from pydantic import BaseModel

        def bodies(cls):
            for sub in cls.__subclasses__():
                yield sub
                yield from bodies(sub)

{ARENAS_AFTER_EIGHT_THREADS.replace(chr(10), chr(10) + " " * 8)}
        built = sorted(b.__name__ for b in bodies(BaseModel)
                       if b.__module__.startswith("kiosk.") and b.__pydantic_complete__)
        heavy = sorted(m for m in {HEAVY!r} + ("argparse",) if m in sys.modules)
        print("REPORT " + json.dumps({{"built": built, "heavy": heavy, "arenas": arenas}}))

    server.run = run
    return server


waitress.create_server = reporting_server
from kiosk import serve
serve.main([])
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_arenas_are_counted_one_a_thread_without_the_cap(tmp_path):
    """The measure of the next test sees glibc's arenas: one a thread, uncapped."""
    done = subprocess.run([sys.executable, "-c", ARENAS_AFTER_EIGHT_THREADS + "print(arenas)"],
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 2


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_started_server_shares_its_arenas_and_builds_only_the_sale_screens_bodies(
        database_url, tmp_path):
    from kiosk.api import SALE_SCREEN_BODIES
    from kiosk.serve import MALLOC_ARENAS

    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", STARTED_SERVER], cwd=ROOT, capture_output=True, text=True,
        timeout=300, env={**env, "KIOSK_DATABASE_URL": database_url, "KIOSK_SECRET_KEY": "t",
                          "KIOSK_PRINTER": "none", "KIOSK_PORT": "0", "KIOSK_MDNS_NAME": "none",
                          "KIOSK_INSTANCE": str(tmp_path / "instance"),
                          "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.split("REPORT ", 1)[1])
    assert report["heavy"] == []  # nor argparse: no argument to read
    # Every other body is built by its first request (schemas.Body: defer_build).
    assert report["built"] == sorted(body.__name__ for body in SALE_SCREEN_BODIES)
    assert report["arenas"] <= MALLOC_ARENAS


def test_a_body_built_on_first_use_is_as_strict(app):
    from pydantic import ValidationError

    from kiosk.api.routes_cash import OpenSessionBody
    from kiosk.api.schemas import Body

    assert Body.model_config["defer_build"] and Body.model_config["strict"]
    for sent, refused in (('{"1000": "3"}', "int_type"), ('{"1000": 3}, "more": 1',
                                                          "extra_forbidden")):
        with pytest.raises(ValidationError) as caught:
            OpenSessionBody.model_validate_json(
                '{"name": "Stand", "location": "ikea", "opening_float": ' + sent + "}")
        assert [error["type"] for error in caught.value.errors()] == [refused]
