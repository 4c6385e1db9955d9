"""API routes: cash sessions (opening here; closing below)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Code, DenominationCounts, Name
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import CashSession, Location
from kiosk.services.cash import get_cash_session, open_cash_session, open_sessions


class OpenSessionBody(Body):
    name: Name
    location: Code
    opening_float: DenominationCounts


def session_json(cash_session: CashSession) -> dict:
    location = db.session.get(Location, cash_session.location_id)
    return {"id": cash_session.id, "name": cash_session.name, "location": location.code,
            "status": "open" if cash_session.is_open else "closed",
            "opened_at": cash_session.opened_at.isoformat(),
            "float_cents": cash_session.float_cents}


@endpoint("/cash-sessions", "POST", summary="Open a cash session with its counted float",
          body=OpenSessionBody, responses={201: "the session, open"})
def open_session(data: OpenSessionBody):
    counts = {int(denomination): count for denomination, count in data.opening_float.items()}
    with write_transaction(db.session):
        cash_session = open_cash_session(db.session, data.name, data.location, counts,
                                         current_user.id)
    return jsonify(session_json(cash_session)), 201


@endpoint("/cash-sessions", summary="The open cash sessions")
def list_open_sessions():
    return jsonify([session_json(s) for s in open_sessions(db.session)])


@endpoint("/cash-sessions/<int:session_id>", summary="One cash session")
def show_session(session_id: int):
    return jsonify(session_json(get_cash_session(db.session, session_id)))


# --- closing ---
