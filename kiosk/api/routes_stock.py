"""API routes: stock levels and moves."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from kiosk import sales
from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Code, Name, Note, PriceCents, Qty, Sku
from kiosk.database import write_transaction
from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.models.people import Role
from kiosk.services import catalogue, stock
from kiosk.vocabulary import MAX_AMOUNT_CENTS, MAX_QTY


class StockQuery(Body):
    location: Code


class MoveBody(Body):
    sku: Sku
    # Pieces moved; for a count, what is on the table (0 allowed).
    qty: Annotated[int, Field(ge=0, le=MAX_QTY)]
    reason: Literal["production", "transfer", "count", "gift", "loss"]
    to_location: Code | None = None
    from_location: Code | None = None
    banner_lot: Code | None = None
    note: Note = ""


@endpoint("/stock", summary="Levels at one location", query=StockQuery)
def stock_at(query: StockQuery):
    return jsonify([{"sku": sku, "qty": qty}
                    for sku, qty in stock.levels_at(db.session, query.location)])


def _need(value: str | None, field: str) -> str:
    if not value:
        raise InvalidInput(field, _("%(field)s : dites de quel lieu il s'agit.", field=field))
    return value


@endpoint("/stock/moves", "POST", body=MoveBody, responses={201: "the moves recorded"},
          summary="Record production, a transfer, a count (qty = what was counted), "
                  "a gift or a loss")
def post_move(data: MoveBody):
    user = current_user.id
    with write_transaction(db.session):
        if data.reason == "production":
            moves = [stock.produce(db.session, data.sku, data.qty, user,
                                   lot_code=data.banner_lot, location_code=data.to_location,
                                   note=data.note)]
        elif data.reason == "transfer":
            moves = stock.transfer(db.session, data.sku, data.qty,
                                   _need(data.from_location, "from_location"),
                                   _need(data.to_location, "to_location"), user, data.note)
        elif data.reason == "count":
            where = _need(data.to_location or data.from_location, "to_location")
            _lines, moves = stock.count(db.session, where, {data.sku: data.qty}, user,
                                        data.note)
        else:
            where = _need(data.from_location or data.to_location, "from_location")
            moves = [stock.remove(db.session, data.sku, data.qty, where, data.reason, user,
                                  data.note)]
        product = stock.find_product(db.session, data.sku)
        places = catalogue.locations(db.session)
        levels = {loc.code: stock.level(db.session, product.id, loc.id) for loc in places}
        codes = {loc.id: loc.code for loc in places}
        body = {"moves": [{"id": m.id, "sku": product.sku, "location": codes.get(m.location_id),
                           "qty": m.qty, "reason": m.reason} for m in moves],
                "stock": levels}
    return jsonify(body), 201


class StatementLineBody(Body):
    sku: Sku
    qty: Qty
    unit_price_cents: PriceCents | None = None


class StatementBody(Body):
    location: Code
    period: Name
    lines: Annotated[list[StatementLineBody], Field(min_length=1, max_length=200)]
    commission_cents: Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS)] | None = None
    paid_cents: Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS)] | None = None
    confirm: bool = False  # more pieces than on deposit: said on purpose


@endpoint("/consignment-statements", "POST", role=Role.TREASURER, body=StatementBody,
          responses={201: "the consignment sale"},
          summary="A consignment shop's statement: what it sold, its commission, what it paid")
def post_statement(data: StatementBody):
    with write_transaction(db.session):
        sale, statement = sales.record_statement(
            db.session, data.location, data.period,
            [sales.StatementLine(line.sku, line.qty, line.unit_price_cents)
             for line in data.lines], current_user.id,
            commission_cents=data.commission_cents, paid_cents=data.paid_cents,
            confirm=data.confirm)
        body = {"id": sale.id, "number": sale.number, "kind": sale.kind,
                "total_cents": sale.total_cents, "commission_cents": statement.commission_cents,
                "paid_cents": statement.paid_cents}
    return jsonify(body), 201
