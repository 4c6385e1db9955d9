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

# The bodies the sale screen posts while selling: their validators are built at the
# server's start (kiosk/serve.py), not by the day's first sale (about 15 ms here for a
# sale's, three times that on a small board); every other body is built when first used.
SALE_SCREEN_BODIES = (routes_sales.SaleBody, routes_auth.UnlockBody,
                      routes_tablets.HeartbeatBody, routes_witness.WitnessBody)


def warm() -> None:
    for body in SALE_SCREEN_BODIES:
        body.model_rebuild()
