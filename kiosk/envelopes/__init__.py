"""The envelopes area's pages."""

from flask import Blueprint

bp = Blueprint("envelopes", __name__)

from kiosk.envelopes import routes  # noqa: E402,F401
