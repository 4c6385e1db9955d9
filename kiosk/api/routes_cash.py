"""API routes: cash sessions (opening here; closing below)."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Code, DenominationCounts, Name
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models import CashSession, Location
from kiosk.services import replica
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
# Closing imports sit here, not at the top, so the two halves of this file merge apart.
from typing import Annotated  # noqa: E402

from pydantic import AfterValidator, Field  # noqa: E402

from kiosk.api.schemas import AmountCents, _no_control_chars  # noqa: E402
from kiosk.documents import closing as closing_documents  # noqa: E402
from kiosk.models.people import Role  # noqa: E402
from kiosk.services.closing import (  # noqa: E402
    ChequeIn,
    ClosePreview,
    close_cash_session,
    difference_in_words,
    preview_close,
)
from kiosk.vocabulary import MAX_AMOUNT_CENTS  # noqa: E402

ChequeText = Annotated[str, Field(max_length=120), AfterValidator(_no_control_chars)]


class ChequeBody(Body):
    amount_cents: AmountCents
    drawer: ChequeText = ""
    bank: ChequeText = ""
    number: Annotated[str, Field(max_length=40), AfterValidator(_no_control_chars)] = ""


class CloseBody(Body):
    counted: DenominationCounts
    cheques: Annotated[list[ChequeBody], Field(max_length=200)] = Field(default_factory=list)
    card_total_cents: Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS)] = 0
    # Close even though a tablet says sales wait on it for this drawer (they join it later).
    confirm_waiting: bool = False


def _close_args(data: CloseBody) -> tuple[dict[int, int], list[ChequeIn], int]:
    counted = {int(denomination): count for denomination, count in data.counted.items()}
    cheques = [ChequeIn(c.amount_cents, c.drawer, c.bank, c.number) for c in data.cheques]
    return counted, cheques, data.card_total_cents


def preview_json(preview: ClosePreview) -> dict:
    return {"cash_session_id": preview.cash_session_id,
            "expected_cash_cents": preview.expected_cash_cents,
            "counted_cash_cents": preview.counted_cash_cents,
            "difference_cents": preview.difference_cents,
            "difference_text": difference_in_words(preview.difference_cents),
            "revenue_cents": preview.revenue_cents,
            "donations_cents": preview.donations_cents,
            "cheque_total_cents": preview.cheque_total_cents,
            "cheque_expected_cents": preview.cheque_expected_cents,
            "card_total_cents": preview.card_total_cents,
            "card_expected_cents": preview.card_expected_cents,
            "allocations": preview.allocations, "waiting_sales": preview.waiting}


@endpoint("/cash-sessions/<int:session_id>/close/preview", "POST", role=Role.TREASURER,
          summary="What closing would record (expected, counted, difference); saves nothing",
          body=CloseBody, responses={200: "the figures"})
def preview_close_session(session_id: int, data: CloseBody):
    return jsonify(preview_json(preview_close(db.session, session_id, *_close_args(data))))


@endpoint("/cash-sessions/<int:session_id>/close", "POST", role=Role.TREASURER,
          summary="Close a cash session: count, cheques, card total; posts to the envelopes",
          body=CloseBody, responses={200: "the closure and the envelope allocations"})
def close_session(session_id: int, data: CloseBody):
    with write_transaction(db.session):
        result = close_cash_session(db.session, session_id, *_close_args(data),
                                    current_user.id, waiting_confirmed=data.confirm_waiting)
        body = preview_json(result.preview)
        body.update(status="closed", journal_hash=result.closure.journal_hash)
    body["prints"] = closing_documents.print_closing_documents(db.session, session_id)
    replica.after_closing(current_app._get_current_object())  # the day's copy, checked
    return jsonify(body)


@endpoint("/cash-sessions/<int:session_id>/z-report", "POST", role=Role.TREASURER,
          summary="Print the Z report of a closed session again (says DUPLICATA)",
          responses={200: "print status"})
def print_z_report(session_id: int):
    return jsonify({"print": {"status": closing_documents.print_document(
        db.session, "z_report", session_id)}})


@endpoint("/cash-sessions/<int:session_id>/slip", "POST", role=Role.TREASURER,
          summary="Print the hand-over slip of a closed session again (says DUPLICATA)",
          responses={200: "print status"})
def print_slip(session_id: int):
    return jsonify({"print": {"status": closing_documents.print_document(
        db.session, "slip", session_id)}})
