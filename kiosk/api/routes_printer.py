"""GET /api/v1/printer: the receipt printer's paper and what waits for it, for the sale
screen's status line (static/js/printer-status.js) and scripts."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import func, select

from kiosk.api.endpoint import endpoint
from kiosk.documents import queue
from kiosk.extensions import db
from kiosk.models import PrintJob


def paper_message(state: str, waiting: int) -> str:
    """The sentence a volunteer reads, or "" when all is well."""
    if state == "out":
        if waiting:
            return _("Plus de papier : changez le rouleau. %(n)s ticket(s) attendent et "
                     "s'imprimeront ensuite.", n=waiting)
        return _("Plus de papier : changez le rouleau.")
    if state == "low":
        return _("Le rouleau de papier est presque fini : gardez-en un autre sous la main.")
    return ""


@endpoint("/printer", summary="The receipt printer: paper (ok, low, out, unknown) and how "
          "many documents wait for it", responses={200: "printer status"})
def printer_status():
    device = queue.get_printer("receipt")
    state = queue.paper("receipt")
    waiting = db.session.scalar(select(func.count()).select_from(PrintJob).where(
        PrintJob.target == "receipt", PrintJob.status == queue.QUEUED))
    return jsonify({"configured": device.enabled, "paper": state, "waiting": waiting,
                    "message": paper_message(state, waiting) or None})
