"""Issue 24, hardening round three: what an attacker's pass broke, run again as the same
attacks (real servers, real databases, the app's own functions)."""

from __future__ import annotations

import os
import stat
from collections import Counter

from sqlalchemy import select, text

from kiosk import create_app
from kiosk.extensions import db
from kiosk.models import User
from kiosk.services.auth import create_user
from tests.conftest import BACKEND, LiveServer, csrf_token, web_login
from tests.test_idle_unlock import unlock
from tests.test_login_security import _at_once, _login


def _locked(names) -> list[str]:
    db.session.rollback()
    return sorted(db.session.scalars(select(User.name).where(
        User.name.in_(names), User.locked_until.is_not(None))))


# --- item 2: the unlock counts like the login ---------------------------------------------

def test_unlock_from_a_locked_screen_is_slowed_like_the_login(demo, client):
    """5 wrong PINs each for 5 names from one sale screen locked all five (Admin too);
    now the third name wrong slows the device, and a slowed attempt checks nothing."""
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    token = csrf_token(client, "/")
    for name in ("Extra1", "Extra2"):
        create_user(db.session, name, "seller", "4567")
    db.session.commit()
    statuses: list[int] = []
    for name in ("Admin", "Tresoriere", "Extra1", "Extra2", "Vendeuse"):
        for _ in range(5):
            statuses.append(unlock(client, name, "0000", {"X-CSRFToken": token}).status_code)
    slowed = unlock(client, "Admin", "0000", {"X-CSRFToken": token})
    assert slowed.status_code == 429 and slowed.get_json()["error"] == "slowed"
    # as at login: two names may be mistyped until they lock, the third name's first wrong
    # PIN slows the device, and nothing after it is checked (before: all five locked)
    assert _locked(["Admin", "Tresoriere", "Extra1", "Extra2", "Vendeuse"]) == [
        "Admin", "Tresoriere"]
    assert statuses[:10] == ([401] * 4 + [429]) * 2
    assert statuses[10:] == [401] + [429] * 14
    assert db.session.scalar(select(User.failed_pins).where(User.name == "Extra1")) == 1
    assert db.session.scalar(select(User.failed_pins).where(User.name == "Vendeuse")) == 0


# --- item 12: twenty names at once right after a right PIN --------------------------------

def test_twenty_names_at_once_after_a_right_pin_check_three(demo):
    names = [f"Benevole{i:02d}" for i in range(20)]
    for name in names:
        create_user(db.session, name, "seller", "4567")
    db.session.commit()
    with LiveServer(demo) as server:
        assert _login(server.url, "Vendeuse", "3456") == 200  # clears the device
        statuses = _at_once(server.url, [(name, "0000") for name in names])
    assert 500 not in statuses, statuses
    assert Counter(statuses) == {401: 3, 429: 17}, statuses
    db.session.rollback()
    counted = db.session.scalar(select(db.func.sum(User.failed_pins)).where(
        User.name.in_(names)))
    assert counted == 3


def test_a_slowed_device_still_lets_one_volunteer_mistype(demo):
    """The in-flight count is by name: one volunteer on one tablet sending twice at once
    is one name, never slowed."""
    with LiveServer(demo) as server:
        statuses = _at_once(server.url, [("Vendeuse", "0000")] * 3)
        assert Counter(statuses) == {401: 3}, statuses
        assert _login(server.url, "Vendeuse", "3456") == 200





# --- item 11: files others could read -----------------------------------------------------

def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_its_backups_and_the_instance_folder_are_the_kiosks_own(
        demo, app, runner, tmp_path):
    assert _mode(app.instance_path) == 0o700
    if BACKEND == "sqlite":
        database = db.engine.url.database
        assert _mode(database) == 0o600
        for companion in (database + "-wal", database + "-shm"):
            if os.path.exists(companion):
                assert _mode(companion) == 0o600
    target = tmp_path / "sauvegardes" / ("copie.sqlite3" if BACKEND == "sqlite" else "copie.dump")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600


def test_a_new_sqlite_database_is_never_readable_by_others(tmp_path):
    """Made 0600 before SQLite first opens it (an instance folder made wide is narrowed)."""
    wide = tmp_path / "instance"
    wide.mkdir(mode=0o755)
    os.chmod(wide, 0o755)
    database = tmp_path / "neuve.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "t"}, str(wide))
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    assert _mode(database) == 0o600 and _mode(wide) == 0o700
    for companion in (tmp_path / "neuve.sqlite3-wal", tmp_path / "neuve.sqlite3-shm"):
        if companion.exists():
            assert _mode(companion) == 0o600
