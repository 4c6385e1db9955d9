"""The coordinator manages the volunteers: a new PIN, a role, deactivation, on the admin
page and on the command line; each change logs her out of every browser and token."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import User
from tests.closing_helpers import open_session, sell
from tests.conftest import api_login, csrf_token, web_login


def user_id(name: str) -> int:
    return db.session.scalar(select(User.id).where(User.name == name))


def login_names(client) -> list[str]:
    page = client.get("/login").get_data(as_text=True)
    return re.findall(r'name="user" value="([^"]+)"', page)


def admin_client(app):
    admin = app.test_client()
    assert web_login(admin, "Admin", "1234").status_code == 302
    return admin


def post_change(admin, name: str, what: str, data: dict):
    page = f"/admin/users/{user_id(name)}"
    assert admin.get(page).status_code == 200
    data = {"csrf_token": csrf_token(admin, page), **data}
    return admin.post(f"{page}/{what}", data=data)


def test_admin_resets_a_forgotten_pin_and_her_open_browser_and_token_stop(demo, client):
    seller_page = demo.test_client()
    assert web_login(seller_page, "Vendeuse", "3456").status_code == 302
    token = api_login(demo.test_client(), "Vendeuse", "3456")
    admin = admin_client(demo)
    assert "Code, rôle, désactiver" in admin.get("/admin/").get_data(as_text=True)

    short = post_change(admin, "Vendeuse", "pin", {"pin-pin": "12"})
    assert short.status_code == 400 and "4 à 6 chiffres" in short.get_data(as_text=True)
    assert seller_page.get("/sell").status_code == 200  # nothing changed yet

    done = post_change(admin, "Vendeuse", "pin", {"pin-pin": "8642"})
    assert done.status_code == 302
    assert "nouveau code secret" in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert seller_page.get("/sell").headers["Location"].startswith("/login")
    assert client.get("/api/v1/journal/head", headers=token).status_code == 401
    assert web_login(client, "Vendeuse", "3456").status_code == 401
    assert web_login(client, "Vendeuse", "8642").status_code == 302


def test_a_role_change_applies_at_once_and_ends_her_sessions(demo, client):
    seller = demo.test_client()
    assert web_login(seller, "Vendeuse", "3456").status_code == 302
    admin = admin_client(demo)
    assert post_change(admin, "Vendeuse", "role", {"role-role": "treasurer"}).status_code == 302
    assert db.session.get(User, user_id("Vendeuse")).role == "treasurer"
    assert seller.get("/sessions").headers["Location"].startswith("/login")
    assert web_login(seller, "Vendeuse", "3456").status_code == 302
    assert seller.get("/sessions").status_code == 200  # a treasurer's page now


def test_a_deactivated_volunteer_leaves_the_login_list_and_keeps_her_sales(demo, client):
    seller_headers = api_login(client, "Vendeuse", "3456")
    session_id = open_session(client, seller_headers)
    sale = sell(client, seller_headers, session_id, [{"sku": "ETIQ-TGV", "qty": 1}],
                [{"method": "cash", "amount_cents": 400}]).get_json()
    admin = admin_client(demo)
    assert "Vendeuse" in login_names(demo.test_client())

    done = post_change(admin, "Vendeuse", "active", {"active-active": "0"})
    assert done.status_code == 302
    assert "Vendeuse" not in login_names(demo.test_client())
    assert web_login(demo.test_client(), "Vendeuse", "3456").status_code == 400
    assert client.get("/api/v1/journal/head", headers=seller_headers).status_code == 401
    receipt_page = admin.get(f"/sell/sales/{sale['id']}").get_data(as_text=True)
    assert "Vendeuse" in receipt_page

    assert post_change(admin, "Vendeuse", "active", {"active-active": "1"}).status_code == 302
    assert "Vendeuse" in login_names(demo.test_client())
    assert web_login(demo.test_client(), "Vendeuse", "3456").status_code == 302


def test_the_last_admin_cannot_be_deactivated_or_demoted(demo):
    admin = admin_client(demo)
    for what, data in (("active", {"active-active": "0"}), ("role", {"role-role": "seller"})):
        refused = post_change(admin, "Admin", what, data)
        assert refused.status_code == 400, what
        assert "seule coordinatrice active" in refused.get_data(as_text=True)
    user = db.session.get(User, user_id("Admin"))
    assert (user.role, user.active) == ("admin", True)
    assert admin.get("/admin/").status_code == 200


def test_the_command_line_resets_a_pin_changes_a_role_and_deactivates(demo, runner, client):
    again = runner.invoke(args=["create-user", "Vendeuse", "--role", "seller", "--pin", "1111"])
    assert again.exit_code == 2
    assert "ce nom existe déjà" in again.output and "set-pin" in again.output
    token = api_login(client, "Vendeuse", "3456")

    result = runner.invoke(args=["set-pin", "Vendeuse", "--pin", "7777"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/journal/head", headers=token).status_code == 401
    assert web_login(demo.test_client(), "Vendeuse", "7777").status_code == 302
    assert runner.invoke(args=["set-pin", "Vendeuse", "--pin", "77"]).exit_code == 2

    result = runner.invoke(args=["set-role", "Vendeuse", "--role", "treasurer"])
    assert result.exit_code == 0, result.output
    assert db.session.get(User, user_id("Vendeuse")).role == "treasurer"

    result = runner.invoke(args=["deactivate", "Vendeuse"])
    assert result.exit_code == 0, result.output
    assert "Vendeuse" not in login_names(demo.test_client())
    result = runner.invoke(args=["reactivate", "Vendeuse"])
    assert result.exit_code == 0 and "Vendeuse" in login_names(demo.test_client())

    unknown = runner.invoke(args=["set-pin", "Personne", "--pin", "1234"])
    assert unknown.exit_code == 2 and "personne ne s'appelle « Personne »" in unknown.output
    last = runner.invoke(args=["deactivate", "Admin"])
    assert last.exit_code == 2 and "seule coordinatrice" in last.output
