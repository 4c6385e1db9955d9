"""The partner orders area's pages (treasurer): orders, quotes, deliveries, invoices.

The blueprint keeps its registered name "orders": its URLs (/orders/…), its url_for names
(orders.…) and its templates (templates/orders/) are the same as before the package's name."""

from flask import Blueprint

bp = Blueprint("orders", __name__)

from kiosk.partner_orders import routes  # noqa: E402,F401
