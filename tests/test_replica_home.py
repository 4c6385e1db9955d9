"""What the home page says of the live copy (KIOSK_REPLICA): to the treasurer and the admin,
in words, when it is stopped or the stick is out; nothing to a seller, nothing unset."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import web_login


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    return {"DATABASE_URL": database_url, "SECRET_KEY": "tests", "TESTING": True,
            "PRINTER": "none", "REPLICA": str(tmp_path / "stick")}


def home(client, name: str, pin: str) -> str:
    web_login(client, name, pin)
    return client.get("/").get_data(as_text=True)


def test_the_stick_out_is_said_to_the_treasurer(demo, client, database_url):
    page = home(client, "Tresoriere", "2345")
    if not database_url.startswith("sqlite"):
        assert "data-replica" not in page  # PostgreSQL: its own tools (README)
        return
    assert 'data-replica="unplugged"' in page
    assert "La clé de copie n&#39;est plus branchée" in page


def test_a_copy_not_running_is_said_to_the_admin(demo, client, database_url, tmp_path):
    (tmp_path / "stick").mkdir()
    page = home(client, "Admin", "1234")
    if database_url.startswith("sqlite"):
        assert 'data-replica="missing"' in page and "est arrêtée" in page


def test_a_seller_is_not_worried_with_it(demo, client, tmp_path):
    assert "data-replica" not in home(client, "Vendeuse", "3456")


def test_nothing_is_said_without_a_replica(demo, app, client):
    app.config["REPLICA"] = None
    assert "data-replica" not in home(client, "Tresoriere", "2345")


@pytest.mark.parametrize("copies", [0, -1, "14", True, 4000])
def test_a_wrong_number_of_copies_is_refused_at_start(copies, tmp_path):
    from kiosk import create_app

    with pytest.raises(ValueError, match="KIOSK_REPLICA_COPIES"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/k.sqlite3", "SECRET_KEY": "t",
                    "REPLICA_COPIES": copies}, str(tmp_path / "instance"))
