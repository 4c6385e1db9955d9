"""The sell area's pages."""

from flask import Blueprint

from kiosk.services.receipts import register_documents

bp = Blueprint("sell", __name__)
register_documents()  # the print queue knows how to print a sale's receipt

from kiosk.sell import routes  # noqa: E402,F401
