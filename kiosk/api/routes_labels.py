"""API routes: QR price labels, one as a PNG or a whole A4 sticker sheet as a PDF."""

from __future__ import annotations

from typing import Annotated

from flask import Response, current_app
from flask_babel import gettext as _
from pydantic import Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Sku
from kiosk.documents import labels
from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.services.stock import find_product
from kiosk.vocabulary import MAX_QTY
from printer.printouts import Label

MAX_LABELS = 2000  # 95 sheets: more is a typing mistake, not a batch


class SheetQuery(Body):
    sku: Annotated[list[Sku], Field(min_length=1, max_length=200)]
    copies: Annotated[int, Field(ge=1, le=MAX_QTY)] = 1
    start: Annotated[int, Field(ge=0, le=29)] = 0  # first free position on the sheet


def label_data(sku: str) -> Label:
    return labels.label_for(find_product(db.session, sku), current_app.config.get("PUBLIC_URL"))


@endpoint("/products/<sku>/label.png", summary="One QR price label (PNG, 300 dpi)",
          produces="image/png")
def label_png(sku: str):
    return Response(labels.label_png(label_data(sku)), mimetype="image/png")


@endpoint("/labels.pdf", summary="An A4 sheet of QR price labels (Avery L7160 by default)",
          query=SheetQuery, produces="application/pdf")
def labels_pdf(query: SheetQuery):
    if len(query.sku) * query.copies > MAX_LABELS:
        raise InvalidInput("copies", _("%(n)s étiquettes au plus à la fois : "
                                        "imprimez-les en plusieurs fois.", n=MAX_LABELS))
    items = [label_data(sku) for sku in query.sku]
    pdf = labels.labels_pdf([item for item in items for _ in range(query.copies)],
                            labels.load_layout(db.session), query.start)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="etiquettes.pdf"'})
