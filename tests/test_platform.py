"""Set-up promises: migrations match the models, config from the environment, headers."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk import create_app
from kiosk.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "run: flask --app kiosk db migrate -d kiosk/migrations"


def test_sqlite_runs_in_wal_with_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        # 2 = FULL: a commit is on disk before the sale is acknowledged (power cut)
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_config_comes_from_kiosk_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_PRINTER", "tcp://127.0.0.1:9100")
    monkeypatch.setenv("KIOSK_PAPER_WIDTH", "58")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}"},
                     str(tmp_path / "instance"))
    assert app.config["PRINTER"] == "tcp://127.0.0.1:9100"
    assert app.config["LABEL_PRINTER"] == "tcp://127.0.0.1:9100"
    assert app.config["PAPER_WIDTH"] == 58


def test_secret_key_is_generated_once_per_installation(tmp_path):
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}"}
    first = create_app(config, str(tmp_path / "instance"))
    second = create_app(config, str(tmp_path / "instance"))
    other = create_app(config, str(tmp_path / "other"))
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    assert (Path(first.instance_path) / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_DATABASE_URL", raising=False)
    app = create_app(None, str(tmp_path / "instance"))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'kiosk.sqlite3'}")


def test_security_headers_on_pages(demo, client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_outside(demo, client):
    import re

    page = client.get("/login").get_data(as_text=True)
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
    css = Path(create_app.__globals__["paths"].static_dir() / "css" / "kiosk.css").read_text()
    assert "@import" not in css and "url(http" not in css


def test_french_by_default_english_on_request(demo, client):
    assert "Touchez votre prénom" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Tap your name" in english
    assert 'lang="en"' in english


def test_two_first_writers_create_the_journal_head_once(app):
    """On an empty database the first journaled writes create the head row: two at the
    same moment must both go through, one after the other, chained."""
    import threading
    import time

    from sqlalchemy import text

    from kiosk.database import write_transaction
    from kiosk.ledger import journal, write

    assert db.session.execute(text("SELECT count(*) FROM journal_head")).scalar() == 0
    db.session.rollback()
    start, errors = threading.Barrier(2), []

    def writer(n: int) -> None:
        with app.app_context():
            try:
                start.wait(5)
                time.sleep(0.1 * n)  # the second starts while the first still writes
                with write_transaction(db.session):
                    write.record_event(db.session, "test", f"writer-{n}", [], None)
                    time.sleep(0.4 * (1 - n))  # the first holds its uncommitted head
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    db.session.rollback()
    assert journal.head(db.session)[0] == 2
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems


def test_headers_for_secure_origins_only_go_over_https(demo, client):
    """Over the stall's plain HTTP, Chromium ignores Cross-Origin-Opener-Policy and logs a
    console error on every page: it is sent over HTTPS only; the others always."""
    plain = client.get("/login")
    assert "Cross-Origin-Opener-Policy" not in plain.headers
    assert plain.headers["Content-Security-Policy"].startswith("default-src 'self'")
    secure = client.get("/login", base_url="https://kiosk.lan")
    assert secure.headers["Cross-Origin-Opener-Policy"] == "same-origin"
