"""POST /api/v1/login: a volunteer's name and PIN give a bearer token."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import format_time
from flask_babel import gettext as _

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Name, Pin
from kiosk.common.errors import ApiError
from kiosk.common.login import lockout_from_config, login_throttle, seconds_until
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.services.auth import AuthError, check_pin, issue_token


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
            raise ApiError(429, "slowed", _(
                "Trop de prénoms essayés depuis cet appareil : attendez %(seconds)s "
                "secondes, puis réessayez.", seconds=seconds_until(refused.locked_until)),
                retry_at=refused.locked_until.isoformat()) from None
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
