"""Settings: every one documented, and the PIN hash cost that tests turn down."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from kiosk import create_app
from kiosk.config import DEFAULTS
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import User
from kiosk.services.auth import check_pin, create_user, hash_pin
from tests.conftest import api_login, csrf_token, web_login

README = Path(__file__).resolve().parent.parent / "README.md"


def _configuration_section() -> str:
    text = README.read_text(encoding="utf-8")
    return re.search(r"^## Configuration\n(.*?)^## ", text, re.S | re.M).group(1)


def test_every_setting_is_documented_in_the_readme():
    section = _configuration_section()
    undocumented = [key for key in DEFAULTS if f"`KIOSK_{key}`" not in section]
    assert undocumented == [], "add a row to README.md's configuration table"


def test_the_production_pin_hash_is_werkzeugs_own_default():
    # Outside an app, hash_pin takes the default: what generate_password_hash did before.
    assert DEFAULTS["PIN_HASH_COST"] == 32768
    default_method = generate_password_hash("1234").split("$")[0]
    assert hash_pin("1234").split("$")[0] == default_method == "scrypt:32768:8:1"


def test_a_pin_hashed_at_one_cost_verifies_at_another(app, client):
    assert app.config["PIN_HASH_COST"] == 128  # tests/conftest.py turns it down
    with write_transaction(db.session):
        create_user(db.session, "Lucie", "seller", "4321")
    app.config["PIN_HASH_COST"] = 32768
    with write_transaction(db.session):
        create_user(db.session, "Marie", "seller", "8765")
    hashes = dict(db.session.execute(select(User.name, User.pin_hash)).all())
    assert hashes["Lucie"].startswith("scrypt:128:8:1$")
    assert hashes["Marie"].startswith("scrypt:32768:8:1$")
    assert check_pin(db.session, "Lucie", "4321").name == "Lucie"  # cheap hash, dear cost
    db.session.rollback()
    app.config["PIN_HASH_COST"] = 128
    api_login(client, "Marie", "8765")  # dear hash, cheap cost
    api_login(client, "Lucie", "4321")

@pytest.mark.parametrize("cost", [100, 1000, 0, -128, "128", 128.0])
def test_a_pin_hash_cost_scrypt_cannot_take_is_refused_at_start(cost, tmp_path):
    with pytest.raises(ValueError, match="KIOSK_PIN_HASH_COST"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
                    "SECRET_KEY": "t", "PIN_HASH_COST": cost}, str(tmp_path / "instance"))


@pytest.mark.parametrize("minutes", [-1, "trois", True, 2000])
def test_an_idle_lock_that_is_not_a_number_of_minutes_is_refused_at_start(minutes, tmp_path):
    with pytest.raises(ValueError, match="KIOSK_IDLE_LOCK_MINUTES"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
                    "SECRET_KEY": "t", "IDLE_LOCK_MINUTES": minutes}, str(tmp_path / "instance"))


def test_the_idle_lock_reaches_the_sale_screen_in_milliseconds(demo, client):
    """KIOSK_IDLE_LOCK_MINUTES=0.5 (read from the environment as JSON): 30 s."""
    demo.config["IDLE_LOCK_MINUTES"] = 0.5
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    assert client.post("/api/v1/cash-sessions", headers={"X-CSRFToken": csrf_token(client, "/")},
                       json={"name": "Stand", "location": "ikea",
                             "opening_float": {}}).status_code == 201
    page = client.get("/sell").get_data(as_text=True)
    assert '"idle_lock_ms": 30000' in page
