"""The command line of CONTRACT.md."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select, text

from kiosk.extensions import db
from kiosk.models import Product, User
from tests.conftest import BACKEND, api_login, web_login


def test_create_user_then_token(app, runner, client):
    result = runner.invoke(args=["create-user", "Odette", "--role", "seller", "--pin", "4821"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-token", "Odette"])
    assert result.exit_code == 0
    token = result.output.strip()
    response = client.get("/api/v1/journal/head", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_create_user_refuses_bad_input_with_status_2(app, runner):
    for args in (["Odette", "--role", "seller", "--pin", "12"],
                 ["Odette", "--role", "seller", "--pin", "abcd"],
                 ["", "--role", "seller", "--pin", "1234"],
                 ["x" * 121, "--role", "seller", "--pin", "1234"],
                 ["Odette", "--role", "boss", "--pin", "1234"]):
        result = runner.invoke(args=["create-user", *args])
        assert result.exit_code == 2, (args, result.output)
    runner.invoke(args=["create-user", "Odette", "--role", "seller", "--pin", "1234"])
    again = runner.invoke(args=["create-user", "Odette", "--role", "admin", "--pin", "1234"])
    assert again.exit_code == 2
    assert db.session.scalar(select(User).where(User.name == "Odette")).role == "seller"


def test_create_token_for_nobody_is_refused(app, runner):
    assert runner.invoke(args=["create-token", "Personne"]).exit_code == 2


def test_seed_demo_loads_the_group_catalogue_once(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    names = set(db.session.scalars(select(Product.name)))
    assert {"Pochette TGV Rhin-Rhône", "Tablier IKEA", "Sac à linge IKEA",
            "Étiquette de valise TGV", "Trousse de toilette IKEA"} <= names
    users = {u.name: u.role for u in db.session.scalars(select(User))}
    assert users == {"Admin": "admin", "Tresoriere": "treasurer", "Vendeuse": "seller"}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "déjà" in second.output
    assert runner.invoke(args=["verify-journal"]).exit_code == 0


def test_production_database_starts_with_no_user(app):
    assert db.session.scalar(select(User.id)) is None


def test_verify_journal_names_a_row_changed_behind_the_apps_back(demo, runner):
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    db.session.execute(text("UPDATE stock_moves SET qty = 21 WHERE id = 1"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1
    assert "stock_moves n° 1 : modifiée" in result.output


def test_verify_journal_finds_deleted_and_inserted_rows(demo, runner):
    db.session.execute(text("DELETE FROM split_rule_parts WHERE id = 2"))
    db.session.execute(text(
        "INSERT INTO stock_moves (product_id, location_id, qty, reason, note, created_at) "
        "VALUES (1, 1, 5, 'production', '', '2026-01-01 00:00:00')"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1
    assert "split_rule_parts n° 2 : supprimée" in result.output
    assert "ligne ajoutée hors de l'application" in result.output
    assert "aucun niveau en cache" not in result.output
    assert "d'après les mouvements" in result.output  # the cached level disagrees now


def test_verify_journal_finds_a_tampered_entry(demo, runner):
    db.session.execute(text("UPDATE journal_entries SET ref = 'x' WHERE seq = 3"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1
    assert "entrée n° 3" in result.output


def test_backup_makes_a_usable_copy(demo, runner, tmp_path):
    target = tmp_path / "copie.sqlite3"
    if BACKEND != "sqlite":
        target = tmp_path / "copie.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    if BACKEND == "sqlite":
        with sqlite3.connect(target) as copy:
            assert copy.execute("SELECT count(*) FROM products").fetchone()[0] == 12
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 2  # never overwrites a backup


def test_verify_journal_survives_unreadable_values(demo, runner):
    if BACKEND != "sqlite":
        return  # PostgreSQL's typed columns refuse such values in the first place
    db.session.execute(text("UPDATE stock_moves SET created_at = 'lundi' WHERE id = 2"))
    db.session.execute(text("UPDATE journal_entries SET rows = '{\"a\": 1}' WHERE seq = 4"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1, result.output
    assert "stock_moves n° 2 : valeur illisible" in result.output
    assert "entrée n° 4" in result.output and "contenu illisible" in result.output


def test_a_blob_written_behind_the_apps_back_is_named_never_a_crash(demo, runner, client):
    if BACKEND != "sqlite":
        return  # PostgreSQL's typed columns refuse bytes in a text or integer column
    db.session.execute(text("UPDATE stock_moves SET note = X'1b40' WHERE id = 2"))
    db.session.execute(text("UPDATE split_rule_parts SET weight = X'00ff' WHERE id = 1"))
    db.session.commit()
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1, result.output
    assert "stock_moves n° 2 : modifiée" in result.output
    assert "split_rule_parts n° 1 : modifiée" in result.output
    headers = api_login(client, "Tresoriere", "2345")
    verdict = client.get("/api/v1/journal/verify", headers=headers)
    assert verdict.status_code == 200 and verdict.get_json()["ok"] is False
    web_login(client, "Tresoriere", "2345")
    page = client.get("/journal")
    assert page.status_code == 200
    assert "stock_moves n° 2" in page.get_data(as_text=True)
