"""API routes: a tablet, witness of the sales it made, asks what the server still holds
(kiosk/services/witness.py, static/js/witness.js)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from flask import jsonify
from pydantic import Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Id
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.services.witness import HeldSale, check
from kiosk.vocabulary import MAX_HELD_BY_TABLET

SaleNumber = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{6}$")]


class HeldSaleBody(Body):
    client_id: UUID
    cash_session_id: Id
    number: SaleNumber | None = None


class WitnessBody(Body):
    tablet_id: UUID  # the tablet's own id (localStorage), as in the heartbeat
    held: Annotated[list[HeldSaleBody], Field(max_length=MAX_HELD_BY_TABLET)]


@endpoint("/tablets/witness", "POST", body=WitnessBody,
          summary="A tablet lists the sales it made for drawers still open; the server says "
                  "what it holds (journal head, each drawer's last number) and which of them "
                  "it lacks, for the tablet to send again",
          responses={200: "{head: {entries, hash}, drawers: {ID: {open, last_number, sales} "
                          "| null}, missing: [client_id]}"})
def tablet_witness(data: WitnessBody):
    with write_transaction(db.session):
        answer = check(db.session, str(data.tablet_id),
                       [HeldSale(str(s.client_id), s.cash_session_id, s.number)
                        for s in data.held])
    return jsonify({
        "head": {"entries": answer.head[0], "hash": answer.head[1]},
        "drawers": {str(i): None if d is None else {"open": d.open,
                                                     "last_number": d.last_number,
                                                     "sales": d.sales}
                    for i, d in answer.drawers.items()},
        "missing": answer.missing})
