"""Opening a cash session: a drawer at a location, with its float counted by denomination."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput, NotFound
from kiosk.ledger import journal, rows, write
from kiosk.models import CashSession, CashSessionClosure, Location
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.models.catalogue import LocationKind
from kiosk.services import clock
from kiosk.vocabulary import MAX_COUNT, NAME_MAX, PARIS


def open_session_for(session: Session, location_code: str) -> CashSession | None:
    """The open session at that location, if any."""
    return session.scalar(
        select(CashSession).join(Location, Location.id == CashSession.location_id)
        .outerjoin(CashSessionClosure, CashSessionClosure.cash_session_id == CashSession.id)
        .where(Location.code == location_code, CashSessionClosure.id.is_(None))
        .order_by(CashSession.id.desc()).limit(1))


def open_sessions(session: Session) -> list[CashSession]:
    return list(session.scalars(
        select(CashSession)
        .outerjoin(CashSessionClosure, CashSessionClosure.cash_session_id == CashSession.id)
        .where(CashSessionClosure.id.is_(None)).order_by(CashSession.opened_at)))


def validate_counts(counts: Mapping[int, int]) -> dict[int, int]:
    clean: dict[int, int] = {}
    for denomination, count in counts.items():
        if int(denomination) not in DENOMINATIONS_CENTS:
            raise InvalidInput("denomination", "%(d)s n'est pas un billet ou une pièce en "
                               "euros (en centimes : 50000, 20000… 1).", d=denomination)
        if not 0 <= int(count) <= MAX_COUNT:
            raise InvalidInput("count", "Chaque nombre de billets ou de pièces va de 0 à "
                               "%(max)s.", max=MAX_COUNT)
        clean[int(denomination)] = clean.get(int(denomination), 0) + int(count)
    return clean


def default_session_name(location: Location | None, when: datetime) -> str:
    """The name a new drawer is offered: always French ("Vente IKEA du 14 décembre"),
    whoever opens it, since the name is stored and printed on French documents (the Z
    report, the slip, the accounts)."""
    place = {"ikea": "IKEA", "atelier": "à l'atelier"}.get(
        location.code if location else "", location.name if location else "")
    day = format_date(when.astimezone(PARIS).date(), "d MMMM", locale="fr_FR")
    return " ".join(f"Vente {place} du {day}".split())


def open_cash_session(session: Session, name: str, location_code: str,
                      opening_counts: Mapping[int, int], user_id: int) -> CashSession:
    """Open a drawer at a stall or the workshop; one open drawer per location, so that
    two tablets at the same stall sell into the same session."""
    counts = validate_counts(opening_counts)
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput("name", "Donnez un nom à la caisse, par exemple « Vente IKEA ».")
    location = session.scalar(select(Location).where(Location.code == location_code))
    if location is None or not location.active:
        raise NotFound("location", "Le lieu « %(which)s » n'existe pas.", which=location_code)
    if location.kind == LocationKind.CONSIGNMENT:
        raise InvalidInput("location", "On n'ouvre pas de caisse dans un dépôt-vente : "
                           "ses ventes arrivent par le relevé du dépôt.")
    head = journal.lock_head(session)
    clock.refuse_if_wrong(session)  # its sales would be dated by a wrong clock
    already = open_session_for(session, location_code)
    if already is not None:
        raise Conflict("already_open", "Une caisse est déjà ouverte ici : « %(name)s ». "
                       "Vendez dans celle-ci.", name=already.name)
    counted = [(d, c) for d, c in sorted(counts.items(), reverse=True) if c]
    ids = write.take_ids(session, {rows.CASH_SESSIONS: 1, rows.COUNT_LINES: len(counted)})
    [session_id] = ids[rows.CASH_SESSIONS.name]
    now = utcnow()
    session_row = rows.cash_session(id=session_id, name=name, location_id=location.id,
                                    opened_by=user_id, opened_at=now,
                                    float_cents=sum(d * c for d, c in counts.items()))
    line_rows = [rows.count_line(id=line_id, cash_session_id=session_id, moment="open",
                                 denomination_cents=d, count=c)
                 for line_id, (d, c) in zip(ids[rows.COUNT_LINES.name], counted, strict=True)]
    write.record_event(session, "cash_open", f"session-{session_id}",
                       [(rows.CASH_SESSIONS, [session_row]), (rows.COUNT_LINES, line_rows)],
                       user_id, now, head=head)
    return get_cash_session(session, session_id)


def get_cash_session(session: Session, cash_session_id: int) -> CashSession:
    cash_session = session.get(CashSession, cash_session_id)
    if cash_session is None:
        raise NotFound("cash_session", "La caisse n° %(id)s n'existe pas.", id=cash_session_id)
    return cash_session
