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
from kiosk.vocabulary import MAX_HELD_BY_TABLET, MAX_ID

SaleNumber = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{6}$")]


class HeldSaleBody(Body):
    client_id: UUID
    cash_session_id: Id
    number: SaleNumber | None = None


class HeadBody(Body):
    entries: Annotated[int, Field(ge=0, le=MAX_ID)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class WitnessBody(Body):
    tablet_id: UUID  # the tablet's own id (localStorage), as in the heartbeat
    # the sales it made since `seen` (all it keeps when it names no head)
    held: Annotated[list[HeldSaleBody], Field(max_length=MAX_HELD_BY_TABLET)]
    # the drawers of all it keeps, to hear which are closed
    drawers: Annotated[list[Id], Field(max_length=100)] = Field(default_factory=list)
    seen: HeadBody | None = None  # the journal head of the server's last answer


@endpoint("/tablets/witness", "POST", body=WitnessBody,
          summary="A tablet lists the sales it made for drawers still open (those since the "
                  "head it last heard, when it names one); the server says what it holds "
                  "(journal head, each drawer's last number), which of them it lacks, for "
                  "the tablet to send again, and whether that head is still in its chain",
          responses={200: "{head: {entries, hash}, drawers: {ID: {open, last_number, sales} "
                          "| null}, missing: [client_id], seen_holds: bool | null}"})
def tablet_witness(data: WitnessBody):
    with write_transaction(db.session):
        answer = check(db.session, str(data.tablet_id),
                       [HeldSale(str(s.client_id), s.cash_session_id, s.number)
                        for s in data.held], data.drawers,
                       None if data.seen is None else (data.seen.entries, data.seen.hash))
    return jsonify({
        "head": {"entries": answer.head[0], "hash": answer.head[1]},
        "drawers": {str(i): None if d is None else {"open": d.open,
                                                     "last_number": d.last_number,
                                                     "sales": d.sales}
                    for i, d in answer.drawers.items()},
        "missing": answer.missing, "seen_holds": answer.seen_holds})
