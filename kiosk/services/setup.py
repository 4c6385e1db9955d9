"""The first start of a new database: "Essayer avec la démo" or "Commencer pour de vrai".

A new database has no volunteer, so no PIN works at all until one of the two is chosen: the
demo's known PINs (1234, 2345, 3456) exist only once the demo is asked for. A database
holding the demo says so on every page and every paper (`is_demo`); starting for real from
the demo empties it first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from kiosk.errors import Conflict, InvalidInput
from kiosk.extensions import db
from kiosk.models import Envelope, Location, Setting, User
from kiosk.models.catalogue import LocationKind
from kiosk.models.people import Role
from kiosk.services.auth import PIN_PATTERN, create_user
from kiosk.services.catalogue import ensure_default_categories
from kiosk.services.envelopes import decide_split
from kiosk.services.meetings import set_spend_threshold
from kiosk.text import _

DEMO_KEY = "demo"  # Setting: "1" while the database holds the demo's data


def is_new(session: Session) -> bool:
    """No volunteer yet: the first page asks how to start."""
    return session.scalar(select(User.id).limit(1)) is None


def is_demo(session: Session) -> bool:
    return session.scalar(select(Setting.value).where(Setting.key == DEMO_KEY)) == "1"


def mark_demo(session: Session) -> None:
    """The database holds the demo (seed-demo and "Essayer avec la démo" call it)."""
    if session.get(Setting, DEMO_KEY) is None:
        session.add(Setting(key=DEMO_KEY, value="1"))
        session.flush()


# The first start's own lock on PostgreSQL (any number no other lock of the kiosk uses).
FIRST_START_LOCK = 24_000_001


def hold_the_first_start(session: Session) -> None:
    """Make this write transaction the only one that may start the database until it ends.

    SQLite: its BEGIN IMMEDIATE already holds the whole database. PostgreSQL: two starts
    (the demo in one browser, the real one in another) would each read "no volunteer yet"
    and both write, the real group then holding the demo's Admin and its PIN 1234, or a
    UniqueViolation. A transaction-level advisory lock makes the second wait for the first
    to commit; its next read (READ COMMITTED: a fresh snapshot) then sees the first's
    volunteer, and it is refused."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_START_LOCK})


def check_new(session: Session) -> None:
    """Before a start, in its write transaction: only a new database starts, and only one
    start at a time (the demo is kiosk.demo.seed_demo)."""
    hold_the_first_start(session)
    if not is_new(session):
        raise Conflict("not_new", _("La caisse est déjà en route : connectez-vous."))


@dataclass
class RealStart:
    """What the group typed on "Commencer pour de vrai"."""

    group_name: str
    address: str
    admin_name: str
    pin: str
    pin_again: str
    stall_name: str
    decided_on: date
    workshop_name: str = "Atelier"
    shop_name: str = ""  # a consignment shop (the museum's), if the group has one
    envelopes: list[tuple[str, int]] = field(default_factory=list)  # (name, share)
    spend_decision_above: int | None = None  # euros; None: no spend needs a decision


def _text(value: str, field_name: str, what: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field_name, _("Écrivez %(what)s.", what=what))
    if len(value) > 120 or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(field_name, _("%(what)s : 120 caractères au plus, sans caractère "
                                         "invisible.", what=what.capitalize()))
    return value


def _code(name: str, taken: set[str]) -> str:
    """A short code for a place or an envelope, from its name ("Stand IKEA" → stand-ikea)."""
    base = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name)
                  .encode("ascii", "ignore").decode().lower()).strip("-")[:24] or "x"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    taken.add(code)
    return code


def start_real(session: Session, start: RealStart) -> User:
    """The group's own start: its name and address (on every receipt), the first admin and
    her PIN, the places, the envelopes and the split decided. Nothing of the demo."""
    check_new(session)
    group = _text(start.group_name, "group_name", _("le nom du groupe"))
    address = _text(start.address, "address", _("l'adresse"))
    admin = _text(start.admin_name, "admin_name", _("votre prénom"))
    if not PIN_PATTERN.match(start.pin or ""):
        raise InvalidInput("pin", _("Le code secret a 4 à 6 chiffres."))
    if start.pin != start.pin_again:
        raise InvalidInput("pin_again", _("Les deux codes ne sont pas les mêmes : tapez-les "
                                          "à nouveau."))
    if start.pin in ("1234", "2345", "3456", "0000", "1111"):
        raise InvalidInput("pin", _("Ce code est trop facile à deviner : choisissez-en un "
                                    "autre."))
    places = [(_text(start.workshop_name, "workshop_name", _("le nom de l'atelier")),
               LocationKind.WORKSHOP),
              (_text(start.stall_name, "stall_name", _("le nom du stand")), LocationKind.STALL)]
    shop = _text(start.shop_name, "shop_name", _("le nom du dépôt-vente"), required=False)
    if shop:
        places.append((shop, LocationKind.CONSIGNMENT))
    shares = [(_text(name, "envelopes", _("le nom de l'enveloppe")), share)
              for name, share in start.envelopes if (name or "").strip()]
    if not shares or sum(share for _name, share in shares) <= 0 \
            or any(not 0 <= share <= 1000 for _name, share in shares):
        raise InvalidInput("envelopes", _("Donnez au moins une enveloppe et sa part (de 0 à "
                                          "1000), par exemple Solidarité 1 et Loisirs 1."))
    if not date(2000, 1, 1) <= start.decided_on <= date(2100, 12, 31):
        raise InvalidInput("decided_on", _("Donnez la date de la réunion qui a décidé la "
                                           "répartition."))

    user = create_user(session, admin, Role.ADMIN, start.pin)
    ensure_default_categories(session)
    for key, value in (("receipt_name", group), ("receipt_address", address)):
        session.merge(Setting(key=key, value=value))
    taken: set[str] = set()
    session.add_all(Location(code=_code(name, taken), name=name, kind=kind) for name, kind
                    in places)
    taken = set()
    codes = []
    for name, _share in shares:
        code = _code(name, taken)
        codes.append(code)
        session.add(Envelope(code=code, name=name))
    session.flush()
    decide_split(session, {code: share for code, (_n, share) in zip(codes, shares, strict=True)},
                 start.decided_on,
                 f"Décidé en réunion du {start.decided_on:%d/%m/%Y}.", user.id)
    if start.spend_decision_above is not None:
        set_spend_threshold(session, start.spend_decision_above * 100)
    return user


def empty_demo(session: Session) -> None:
    """"Commencer pour de vrai" from the demo: every row of the demo goes (its sales, its
    journal, its volunteers), the schema stays. Only a database that holds the demo."""
    if not is_demo(session):
        raise Conflict("not_demo", _("Cette caisse ne contient pas la démo : rien n'est "
                                     "effacé."))
    for table in reversed(db.metadata.sorted_tables):
        session.execute(delete(table))
    session.info.pop("journal_head", None)
