"""Admin pages: volunteers, API tokens and settings."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from kiosk.admin import catalogue, categories, printer, routes, tablet  # noqa: E402,F401
