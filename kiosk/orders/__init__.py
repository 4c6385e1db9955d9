"""The partner orders area's pages (treasurer): orders, quotes, deliveries, invoices."""

from flask import Blueprint

bp = Blueprint("orders", __name__)

from kiosk.orders import routes  # noqa: E402,F401
