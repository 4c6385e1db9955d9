"""The JSON API under /api/v1: token login, then the same services as the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from kiosk.api import (  # noqa: E402,F401
    errors,
    openapi,
    routes_auth,
    routes_cash,
    routes_catalogue,
    routes_envelopes,
    routes_journal,
    routes_labels,
    routes_sales,
    routes_stock,
)
