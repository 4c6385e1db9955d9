"""What the tablets say waits in their outboxes (static/js/outbox.js): sales finished on a
tablet while the server was out of reach, not recorded yet.

A tablet reports the client_id and drawer of each sale it holds with each heartbeat; a report
replaces that tablet's previous one. A sale reported but already recorded (its answer was on
the way) no longer waits, so a report that went stale can only make the count smaller.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput
from kiosk.models import CashSession, Sale, TabletWaitingSale
from kiosk.vocabulary import MAX_WAITING_REPORTED


@dataclass(frozen=True)
class WaitingSale:
    client_id: str
    cash_session_id: int


def report_waiting(session: Session, tablet_id: str, waiting: Sequence[WaitingSale],
                   user_id: int) -> int:
    """Replace what `tablet_id` last reported by `waiting`; answers how many of them the
    server has not recorded yet."""
    tablet_id = str(uuid.UUID(str(tablet_id)))
    if len(waiting) > MAX_WAITING_REPORTED:
        raise InvalidInput("waiting", "%(n)s ventes en attente au plus par tablette.",
                           n=MAX_WAITING_REPORTED)
    sessions = {sale.cash_session_id for sale in waiting}
    known = set(session.scalars(select(CashSession.id).where(CashSession.id.in_(sessions))))
    waiting = [sale for sale in waiting if sale.cash_session_id in known]  # (a deleted db)
    session.execute(delete(TabletWaitingSale).where(TabletWaitingSale.tablet_id == tablet_id))
    now = utcnow()
    session.add_all([TabletWaitingSale(tablet_id=tablet_id,
                                       client_id=str(uuid.UUID(sale.client_id)),
                                       cash_session_id=sale.cash_session_id, user_id=user_id,
                                       reported_at=now) for sale in waiting])
    session.flush()
    return len(waiting) - _recorded(session, [sale.client_id for sale in waiting])


def _recorded(session: Session, client_ids: Sequence[str]) -> int:
    if not client_ids:
        return 0
    return session.scalar(select(func.count()).select_from(Sale).where(
        Sale.client_id.in_([str(uuid.UUID(c)) for c in client_ids])))


def waiting_by_drawer(session: Session, cash_session_ids: Sequence[int]) -> dict[int, int]:
    """Sales the tablets said wait for each of these drawers that the server has not
    recorded yet (a drawer with none is left out): one query for them all."""
    if not cash_session_ids:
        return {}
    return dict(session.execute(
        select(TabletWaitingSale.cash_session_id,
               func.count(func.distinct(TabletWaitingSale.client_id)))
        .where(TabletWaitingSale.cash_session_id.in_(list(cash_session_ids)),
               TabletWaitingSale.client_id.not_in(select(Sale.client_id)))
        .group_by(TabletWaitingSale.cash_session_id)).all())


def waiting_for(session: Session, cash_session_id: int) -> int:
    """Sales the tablets said wait for this drawer that the server has not recorded yet."""
    return waiting_by_drawer(session, [cash_session_id]).get(cash_session_id, 0)


def check_nothing_waits(session: Session, cash_session_id: int, confirmed: bool) -> int:
    """Before a drawer is closed: a 409 saying what to do while a tablet holds sales for it,
    unless the treasurer confirmed (they will join the drawer when they arrive)."""
    waiting = waiting_for(session, cash_session_id)
    if waiting and not confirmed:
        raise Conflict(
            "sales_waiting",
            "%(n)s vente(s) attendent sur une tablette, pas encore reçues par le serveur : "
            "rapprochez la tablette du Wi-Fi et attendez que son compteur revienne à 0. "
            "Vous pouvez aussi fermer quand même : elles s'ajouteront à cette caisse à leur "
            "arrivée et le ticket Z le dira.", n=waiting)
    return waiting
