"""The JSON API under /api/v1: token login, then the same services as the pages."""

from flask import Blueprint

from kiosk.common.errors import API_BLUEPRINT, API_PREFIX

bp = Blueprint(API_BLUEPRINT, __name__, url_prefix=API_PREFIX)

from kiosk.api import (  # noqa: E402,F401
    openapi,
    routes_auth,
    routes_cash,
    routes_catalogue,
    routes_envelopes,
    routes_journal,
    routes_labels,
    routes_meetings,
    routes_partner_orders,
    routes_printer,
    routes_reports,
    routes_sales,
    routes_stock,
    routes_tablets,
    routes_witness,
)
