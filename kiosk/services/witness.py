"""The tablets as witnesses: each tablet keeps the sales it made for a drawer still open,
with their numbers (static/js/outbox.js, witness.js), and asks now and then whether the
server still holds them. A server rebuilt from a copy a few seconds behind answers which
it lacks; the tablet sends those again, as ordinary sales (same client_id: never twice;
the next numbers: no gap), and the Z report names them (`came_back`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import InvalidInput
from kiosk.ledger import journal
from kiosk.models import (
    CashSession,
    CashSessionClosure,
    JournalEntry,
    Sale,
    TabletReturnedSale,
)
from kiosk.models.journal import GENESIS_HASH
from kiosk.vocabulary import MAX_HELD_BY_TABLET


@dataclass(frozen=True)
class HeldSale:
    client_id: str
    cash_session_id: int
    number: str | None  # as the server gave it to the tablet


@dataclass(frozen=True)
class Drawer:
    open: bool
    last_number: str | None
    sales: int


@dataclass(frozen=True)
class WitnessAnswer:
    head: tuple[int, str]  # the journal's length and last hash
    drawers: dict[int, Drawer | None]  # None: no such drawer here
    missing: list[str]  # client_ids held by the tablet the server has no sale for
    # The head the tablet last heard is still in the chain (None: it named none). When it
    # is, every sale the server held then holds still (the chain's entries up to it are the
    # same), so the tablet need only name the sales it made since; when it is not, the
    # server went back (a rebuilt database): the tablet names all it keeps.
    seen_holds: bool | None = None


def what_the_server_holds(session: Session, cash_session_ids: Sequence[int]
                          ) -> dict[int, Drawer | None]:
    """Each drawer's state, last sale number and number of sales."""
    ids = sorted(set(cash_session_ids))
    if not ids:
        return {}
    there = set(session.scalars(select(CashSession.id).where(CashSession.id.in_(ids))))
    closed = set(session.scalars(select(CashSessionClosure.cash_session_id).where(
        CashSessionClosure.cash_session_id.in_(ids))))
    # "YYYY-NNNNNN": the largest number is the last one (numbers sort as they were given).
    last = {i: (number, count) for i, number, count in session.execute(
        select(Sale.cash_session_id, func.max(Sale.number), func.count())
        .where(Sale.cash_session_id.in_(ids)).group_by(Sale.cash_session_id))}
    return {i: Drawer(open=i not in closed, last_number=last.get(i, (None, 0))[0],
                      sales=last.get(i, (None, 0))[1]) if i in there else None for i in ids}


def holds(session: Session, seen: tuple[int, str]) -> bool:
    """The journal entry n° seen[0] is here with the hash seen[1] (0: the empty chain)."""
    entries, digest = seen
    if entries == 0:
        return digest == GENESIS_HASH
    return session.scalar(select(JournalEntry.hash).where(JournalEntry.seq == entries)) \
        == digest


def check(session: Session, tablet_id: str, held: Sequence[HeldSale],
          drawer_ids: Sequence[int] = (), seen: tuple[int, str] | None = None
          ) -> WitnessAnswer:
    """What the server holds of the sales a tablet holds; the ones it lacks are noted
    (the Z report names them once they come back). Changes nothing else."""
    tablet_id = str(uuid.UUID(str(tablet_id)))
    if len(held) > MAX_HELD_BY_TABLET:
        raise InvalidInput("held", "%(n)s ventes au plus par tablette.", n=MAX_HELD_BY_TABLET)
    client_ids = [str(uuid.UUID(sale.client_id)) for sale in held]
    known = set(session.scalars(select(Sale.client_id).where(Sale.client_id.in_(client_ids))))
    drawers = what_the_server_holds(
        session, [*drawer_ids, *(sale.cash_session_id for sale in held)])
    missing = [sale for sale, client_id in zip(held, client_ids, strict=True)
               if client_id not in known and drawers.get(sale.cash_session_id) is not None]
    if missing:
        noted = set(session.scalars(select(TabletReturnedSale.client_id).where(
            TabletReturnedSale.client_id.in_([str(uuid.UUID(s.client_id)) for s in missing]))))
        now = utcnow()
        session.add_all([TabletReturnedSale(
            client_id=str(uuid.UUID(sale.client_id)), cash_session_id=sale.cash_session_id,
            earlier_number=sale.number, tablet_id=tablet_id, reported_at=now)
            for sale in missing if str(uuid.UUID(sale.client_id)) not in noted])
        session.flush()
    return WitnessAnswer(journal.head(session), drawers,
                         [str(uuid.UUID(sale.client_id)) for sale in missing],
                         None if seen is None else holds(session, seen))


@dataclass(frozen=True)
class CameBack:
    number: str
    earlier_number: str | None
    total_cents: int


def came_back(session: Session, cash_session_id: int) -> list[CameBack]:
    """The drawer's sales a tablet sent again after the server had lost them."""
    rows = session.execute(
        select(Sale.number, TabletReturnedSale.earlier_number, Sale.total_cents)
        .join(TabletReturnedSale, TabletReturnedSale.client_id == Sale.client_id)
        .where(Sale.cash_session_id == cash_session_id).order_by(Sale.year, Sale.seq))
    return [CameBack(number, earlier, int(total)) for number, earlier, total in rows]
