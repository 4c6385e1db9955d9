"""POST /api/v1/unlock: the sale screen's idle lock opened by a name and a PIN. The same
volunteer goes on; another one takes the browser's session; wrong PINs lock as at login."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import WebSession
from tests.conftest import api_login, csrf_token, web_login


def unlock(client, name: str, pin: str, headers: dict | None = None):
    headers = headers if headers is not None else {"X-CSRFToken": csrf_token(client, "/")}
    return client.post("/api/v1/unlock", json={"user": name, "pin": pin}, headers=headers)


def who(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return page.split('<span class="who">', 1)[1].split("<", 1)[0]


def live_web_sessions() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(WebSession.id)).where(
        WebSession.ended_at.is_(None)))


def test_the_same_volunteer_goes_on_in_the_same_session(demo, client):
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    sessions = live_web_sessions()
    response = unlock(client, "Vendeuse", "3456")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"user": "Vendeuse", "same": True}
    assert who(client) == "Vendeuse" and live_web_sessions() == sessions


def test_another_volunteer_takes_the_screen_and_the_first_session_ends(demo, client, app):
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    copy = app.test_client()  # another copy of the first volunteer's cookie
    copy.set_cookie("session", client.get_cookie("session").value)
    assert who(copy) == "Vendeuse"
    response = unlock(client, "Tresoriere", "2345")
    assert response.get_json() == {"user": "Tresoriere", "same": False}
    assert who(client) == "Tresoriere"
    assert live_web_sessions() == 1
    assert copy.get("/sell").status_code == 302  # the first volunteer's session is over


def test_wrong_pins_are_refused_then_lock_that_volunteer(demo, client):
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    wrong = unlock(client, "Tresoriere", "0000")
    assert wrong.status_code == 401
    assert wrong.get_json()["message"] == "Ce code n'est pas le bon. Tapez-le à nouveau, doucement."
    for _ in range(4):
        last = unlock(client, "Tresoriere", "0000")
    assert last.status_code == 429 and "Réessayez à" in last.get_json()["message"]
    assert unlock(client, "Tresoriere", "2345").status_code == 429  # locked: even the right one
    assert who(client) == "Vendeuse"  # nothing changed hands
    assert unlock(client, "Vendeuse", "3456").get_json()["same"] is True


def test_unlock_is_for_a_screen_with_its_csrf_token(demo, client):
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    assert unlock(client, "Vendeuse", "3456", headers={}).status_code == 400  # no CSRF token
    bearer = api_login(demo.test_client(), "Vendeuse", "3456")
    refused = unlock(demo.test_client(), "Vendeuse", "3456", headers=bearer)
    assert refused.status_code == 400 and refused.get_json()["error"] == "not_a_screen"
    assert unlock(client, "Vendeuse", "12").status_code == 400  # not a PIN: the schema says so
