"""The treasurer's figures as JSON: the same as the reports page (CONTRACT.md)."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify
from pydantic import Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Day
from kiosk.database import utcnow
from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.models.people import Role
from kiosk.services import report_figures
from kiosk.vocabulary import PARIS


class ReportQuery(Body):
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")


@endpoint("/reports", summary="Takings, products, places, envelopes and the impact, "
          "for Paris days from..to (default: this year)", role=Role.TREASURER,
          query=ReportQuery)
def report(query: ReportQuery):
    today = utcnow().astimezone(PARIS).date()
    date_from = query.date_from or date(today.year, 1, 1)
    date_to = query.date_to or today
    if date_to < date_from:
        raise InvalidInput("period", "La fin de la période est avant son début.")
    built = report_figures.build(db.session, date_from, date_to,
                          low_stock=int(current_app.config["REPORT_LOW_STOCK"]),
                          grams_per_m2=int(current_app.config["BANNER_GRAMS_PER_M2"]))
    return jsonify(built.as_json())
