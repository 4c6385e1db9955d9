"""The first start of a new database (the demo, or for real), and the DÉMO ribbon."""

from flask import Blueprint

bp = Blueprint("start", __name__)

from kiosk.start import routes  # noqa: E402,F401
