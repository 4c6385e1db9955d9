"""Who holds the stall: a drawer's volunteers, who join and leave during the day; the
closing ends every shift still open. The impact report adds up the hours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput, NotFound
from kiosk.models import CashSession, Shift, User
from kiosk.text import alphabetical


def volunteers(session: Session) -> list[User]:
    """The names to tap: every active volunteer, in the login page's French order (Aïcha
    before Anne-Sophie: text.alphabetical, not the database's code points)."""
    return sorted(session.scalars(select(User).where(User.active.is_(True))),
                  key=lambda user: alphabetical(user.name))


def on_duty(session: Session, cash_session_id: int) -> set[int]:
    """The volunteers at the stall now."""
    return set(session.scalars(select(Shift.user_id).where(
        Shift.cash_session_id == cash_session_id, Shift.ended_at.is_(None))))


def _open_drawer(session: Session, cash_session_id: int) -> CashSession:
    drawer = session.get(CashSession, cash_session_id)
    if drawer is None:
        raise NotFound("cash_session", "La caisse n° %(id)s n'existe pas.", id=cash_session_id)
    if not drawer.is_open:
        raise Conflict("closed", "Cette caisse est fermée : on ne peut plus y changer qui "
                       "tient le stand.")
    return drawer


def _check_users(session: Session, user_ids: Iterable[int]) -> set[int]:
    wanted = set(user_ids)
    known = set(session.scalars(select(User.id).where(User.id.in_(wanted),
                                                      User.active.is_(True))))
    if wanted - known:
        raise InvalidInput("team", "Choisissez les bénévoles dans la liste.")
    return wanted


def join(session: Session, cash_session_id: int, user_ids: Iterable[int],
         now: datetime | None = None) -> None:
    """These volunteers start holding the stall (those already there stay as they are)."""
    _open_drawer(session, cash_session_id)
    already = on_duty(session, cash_session_id)
    when = now or utcnow()
    session.add_all(Shift(cash_session_id=cash_session_id, user_id=user_id, started_at=when)
                    for user_id in sorted(_check_users(session, user_ids) - already))


def leave(session: Session, cash_session_id: int, user_id: int,
          now: datetime | None = None) -> None:
    _open_drawer(session, cash_session_id)
    session.execute(update(Shift).where(
        Shift.cash_session_id == cash_session_id, Shift.user_id == user_id,
        Shift.ended_at.is_(None)).values(ended_at=now or utcnow()))


def end_all(session: Session, cash_session_id: int, when: datetime) -> None:
    """The drawer closes: whoever was still there leaves now."""
    session.execute(update(Shift).where(
        Shift.cash_session_id == cash_session_id, Shift.ended_at.is_(None)
    ).values(ended_at=when))
