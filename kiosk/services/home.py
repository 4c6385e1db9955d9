"""What each volunteer needs first after logging in: the home page's top block."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.models import CashSession, Location
from kiosk.services import cash, envelopes, stock, tablets
from kiosk.vocabulary import PARIS


@dataclass(frozen=True)
class OpenDrawer:
    cash_session: CashSession
    place: str
    opened_at: datetime
    from_an_earlier_day: bool  # left open overnight: the first thing to close
    waiting_on_tablets: int = 0  # sales a tablet holds for it, not received yet (treasurer)


@dataclass(frozen=True)
class FirstThings:
    """Only what the role may act on: a seller sees drawers to sell in, a treasurer also
    the drawers to close (with the sales still waiting on a tablet for each) and the
    envelopes, an admin also the stock to check."""

    drawers: list[OpenDrawer]
    envelopes: list[envelopes.EnvelopeBalance] = field(default_factory=list)
    stock_to_check: list[stock.ToCheck] = field(default_factory=list)


def first_things(session: Session, *, treasurer: bool, admin: bool,
                 now: datetime | None = None) -> FirstThings:
    today = (now or utcnow()).astimezone(PARIS).date()
    places = {place.id: place.name for place in session.query(Location)}
    open_drawers = cash.open_sessions(session)
    waiting = tablets.waiting_by_drawer(session, [s.id for s in open_drawers]) if treasurer else {}
    drawers = [OpenDrawer(s, places.get(s.location_id, ""), s.opened_at,
                          s.opened_at.astimezone(PARIS).date() < today, waiting.get(s.id, 0))
               for s in open_drawers]
    return FirstThings(
        drawers=drawers,
        envelopes=envelopes.balances(session) if treasurer else [],
        stock_to_check=stock.to_check(session) if admin else [])
