"""POST /api/v1/login: a volunteer's name and PIN give a bearer token. POST /api/v1/unlock:
the sale screen's idle lock, opened by a name and a PIN."""

from __future__ import annotations

from flask import current_app, jsonify, session
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user as start_session

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Name, Pin
from kiosk.common.errors import ApiError
from kiosk.common.login import (
    WEB_SESSION_KEY,
    authenticated_by_token,
    lockout_from_config,
    login_throttle,
    seconds_until,
    web_session_hours,
)
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.services.auth import (
    AuthError,
    check_pin,
    end_web_session,
    issue_token,
    start_web_session,
)


def _slowed(refused: AuthError) -> ApiError:
    return ApiError(429, "slowed", _(
        "Trop de prénoms essayés depuis cet appareil : attendez %(seconds)s "
        "secondes, puis réessayez.", seconds=seconds_until(refused.locked_until)),
        retry_at=refused.locked_until.isoformat())


class LoginBody(Body):
    user: Name
    pin: Pin


@endpoint("/login", "POST", summary="Log in with name and PIN; answers a bearer token",
          role=None, body=LoginBody, responses={200: "token"})
def login(data: LoginBody):
    try:
        throttle, address = login_throttle()
        user = check_pin(db.session, data.user, data.pin, lockout_from_config(),
                         throttle, address)
    except AuthError as refused:
        if refused.code == "slowed":
            raise _slowed(refused) from None
        if refused.code == "locked":
            raise ApiError(429, "locked", _(
                "Trop de codes faux : ce compte est bloqué. Réessayez à %(time)s.",
                time=format_time(refused.locked_until, "HH:mm")),
                retry_at=refused.locked_until.isoformat()) from None
        raise ApiError(401, "bad_credentials",
                       _("Nom ou code secret incorrect.")) from None
    with write_transaction(db.session):
        token = issue_token(db.session, user, int(current_app.config["TOKEN_DAYS"]),
                            "api login")
    return jsonify({"token": token, "user": user.name, "role": user.role})


class UnlockBody(Body):
    user: Name
    pin: Pin


@endpoint("/unlock", "POST", summary="Unlock the sale screen after its idle lock: the same "
          "volunteer goes on, another one takes the browser's session",
          body=UnlockBody, responses={200: "{user, same}"})
def unlock(data: UnlockBody):
    """The PIN is checked as at login, with the same lockout. The volunteer who locked
    goes on where she was (`same`); another one gets a web session of her own, the
    previous one ending, so what she sells is hers."""
    if authenticated_by_token():
        raise ApiError(400, "not_a_screen", _(
            "Seul un écran connecté par son prénom et son code se déverrouille."))
    locked_by = current_user.id
    try:
        # Counted as at login: the same lock per name and the same slow-down per device,
        # or a locked screen would let a stranger walk down the list of names.
        throttle, address = login_throttle()
        user = check_pin(db.session, data.user, data.pin, lockout_from_config(),
                         throttle, address)
    except AuthError as refused:
        if refused.code == "slowed":
            raise _slowed(refused) from None
        if refused.code == "locked":
            raise ApiError(429, "locked", _(
                "Trop de codes faux : ce compte est bloqué. Réessayez à %(time)s.",
                time=format_time(refused.locked_until, "HH:mm")),
                retry_at=refused.locked_until.isoformat()) from None
        raise ApiError(401, "bad_credentials",
                       _("Ce code n'est pas le bon. Tapez-le à nouveau, doucement.")) from None
    same = user.id == locked_by
    if not same:
        previous = session.get(WEB_SESSION_KEY)
        with write_transaction(db.session):
            if isinstance(previous, str):
                end_web_session(db.session, previous)
            sid = start_web_session(db.session, user.id, web_session_hours())
        session[WEB_SESSION_KEY] = sid
        start_session(user)
    return jsonify({"user": user.name, "same": same})
