"""API routes: a tablet reports the sales waiting in its outbox (static/js/outbox.js)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from flask import jsonify
from flask_login import current_user
from pydantic import Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Id
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.services.tablets import WaitingSale, report_waiting
from kiosk.vocabulary import MAX_WAITING_REPORTED


class WaitingSaleBody(Body):
    client_id: UUID
    cash_session_id: Id


class HeartbeatBody(Body):
    tablet_id: UUID  # made once by the tablet, kept in its localStorage
    waiting: Annotated[list[WaitingSaleBody], Field(max_length=MAX_WAITING_REPORTED)]


@endpoint("/tablets/heartbeat", "POST", body=HeartbeatBody,
          summary="A tablet says which finished sales wait in it for the server "
                  "(replaces its last report)",
          responses={200: "{waiting}: how many of them the server has not recorded yet"})
def tablet_heartbeat(data: HeartbeatBody):
    with write_transaction(db.session):
        waiting = report_waiting(db.session, str(data.tablet_id),
                                 [WaitingSale(str(s.client_id), s.cash_session_id)
                                  for s in data.waiting], current_user.id)
    return jsonify({"waiting": waiting})
