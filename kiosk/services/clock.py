"""The server's clock against the tablet's, and the corrected clock the kiosk dates by.

A Raspberry Pi has no clock of its own: with no internet at the stall it starts at the time
it was last shut down, hours or days behind, and a laptop whose battery died can be wrong
too. Sales would then be dated, numbered into a year and put on a Z for the wrong day. The
tablet keeps its own time: every page (static/js/clock.js) and every API write
(static/js/api.js) sends it in the X-Kiosk-Tablet-Time header (milliseconds since 1970,
UTC).

Only a logged-in tablet's reading counts (an anonymous header moves and blocks nothing).
When it differs from the server's clock by more than two minutes, the kiosk corrects its
own clock by the difference at once, with nobody asked: the sale in the open drawer, its
number's year, its journal entry and the day's report are dated right, and no customer is
refused. The correction is bounded: the corrected time is never earlier than the journal's
last entry, and never more than MAX_AHEAD after it (or after the server's clock), so one
tablet with a wild clock cannot move the books by months. Such a reading is said on every
screen and blocks opening a drawer until the admin chooses (/admin/clock): set the
server's clock from the tablet's (KIOSK_CLOCK_SET), date by the tablet's time anyway, or
keep the server's.

Each correction is a row of `clock_corrections` (when, by how much, from whom, on which
boot of the machine): a restart of the server on the same boot keeps it; after a reboot,
whose clock may be right again or wrong by another amount, the next reading decides.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.database import CLOCK_CORRECTION, system_now, utcnow
from kiosk.errors import Conflict
from kiosk.extensions import db
from kiosk.models import ApiToken, ClockCorrection, JournalEntry, WebSession

TABLET_TIME_HEADER = "X-Kiosk-Tablet-Time"
TOLERANCE = timedelta(minutes=2)
# How far after the journal's last entry (or the server's clock, whichever is later) a
# tablet may put the kiosk's time by itself: a box left in a cupboard between two monthly
# sales days comes back about a month behind. Further needs the admin.
MAX_AHEAD = timedelta(days=62)
# A reading outside these years is a broken tablet or a forged header, not a clock.
EARLIEST, LATEST = datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass
class _State:
    """The tablet's time minus the kiosk's (corrected) time at the last reading, and what
    the admin chose to keep (the difference to the machine's own clock, or the journal's
    last entry, she said was fine)."""

    difference: timedelta | None = None
    kept_difference: timedelta | None = None
    kept_last_event: datetime | None = None
    latest_seen: datetime | None = None
    loaded: bool = False  # the last correction of this boot read back from the database


_LOCK = threading.Lock()


def _state() -> _State:
    with _LOCK:
        return current_app.extensions.setdefault("kiosk_clock", _State())


def boot_id() -> str:
    """This boot of the machine: a correction holds only for the clock it was measured on."""
    try:
        return BOOT_ID.read_text().strip()[:64]
    except OSError:
        return ""


def correction() -> timedelta:
    return current_app.extensions.get(CLOCK_CORRECTION) or timedelta(0)


def _set_correction(offset: timedelta) -> None:
    if offset:
        current_app.extensions[CLOCK_CORRECTION] = offset
    else:
        current_app.extensions.pop(CLOCK_CORRECTION, None)


def load_correction() -> None:
    """Once per process: this boot's last correction, so a restarted server dates right
    from its first request. Its own connection: the request's session is left untouched,
    and a database not migrated yet (no table) simply has none."""
    state = _state()
    if state.loaded:
        return
    state.loaded = True
    try:
        with db.engine.connect() as conn:
            offset_ms = conn.scalar(
                select(ClockCorrection.offset_ms).where(ClockCorrection.boot_id == boot_id())
                .order_by(ClockCorrection.id.desc()).limit(1))
    except SQLAlchemyError:
        return
    if offset_ms is not None:
        _set_correction(timedelta(milliseconds=offset_ms))


def _record_correction(offset: timedelta, source: str, user_id: int | None) -> None:
    """Date by the machine's clock plus `offset` from now on, and keep a row saying so.

    The logins made by the wrong clock move with it: one made at last week's time would
    otherwise expire the moment the clock is put right, under the volunteer's fingers."""
    offset = timedelta(milliseconds=round(offset / timedelta(milliseconds=1)))
    moved, before = offset - correction(), utcnow()
    _set_correction(offset)
    with db.engine.begin() as conn:
        for table in (WebSession, ApiToken):  # a few rows: moved one by one, portably
            for row_id, expires_at in conn.execute(
                    select(table.id, table.expires_at).where(table.expires_at > before)):
                conn.execute(update(table).where(table.id == row_id)
                             .values(expires_at=expires_at + moved))
        conn.execute(insert(ClockCorrection).values(
            created_at=utcnow(), system_time=system_now(),
            offset_ms=round(offset / timedelta(milliseconds=1)), source=source,
            user_id=user_id, boot_id=boot_id()))


def parse_tablet_time(value: str | None) -> datetime | None:
    """The header's milliseconds as a UTC time, or None if it is not a plausible one
    (ASCII digits only: "²" is a digit to str.isdigit, not to int)."""
    if not value or len(value) > 16 or not (value.isascii() and value.isdigit()):
        return None
    moment = datetime.fromtimestamp(int(value) / 1000, UTC)
    return moment if EARLIEST <= moment < LATEST else None


def _may_follow(session: Session, tablet: datetime) -> bool:
    """A tablet's time the kiosk may take by itself: never before the journal's last
    entry, never more than MAX_AHEAD after it (or after the machine's own clock)."""
    last = last_event(session)
    if last is not None and tablet < last - timedelta(seconds=1):
        return False
    anchor = max(system_now(), last) if last is not None else system_now()
    return tablet <= anchor + MAX_AHEAD


def record_reading(session: Session, tablet: datetime, user_id: int | None) -> None:
    """A logged-in tablet's time: remembered, and followed when the kiosk's clock is
    provably wrong and the reading is within bounds."""
    state = _state()
    load_correction()
    state.difference = tablet - utcnow()
    if abs(state.difference) <= TOLERANCE:
        return
    from_machine = tablet - system_now()  # what the correction would become
    if state.kept_difference is not None and abs(
            from_machine - state.kept_difference) <= TOLERANCE:
        return  # the admin said the server's own clock is the right one
    if not _may_follow(session, tablet):
        return  # said on every screen; the admin chooses
    _record_correction(from_machine, "tablet", user_id)
    state.difference = tablet - utcnow()


@dataclass(frozen=True)
class ClockStatus:
    server: datetime  # the kiosk's time (the machine's clock, corrected)
    tablet: datetime | None  # the tablet's time now, from the last reading
    last_event: datetime | None  # the journal's last entry
    problem: str | None  # "tablet_differs", "before_last_event" or None
    kept: bool  # the admin chose to keep the server's time for this very problem
    correction: timedelta = timedelta(0)  # added to the machine's clock

    @property
    def blocked(self) -> bool:
        return self.problem is not None and not self.kept

    @property
    def difference_seconds(self) -> int:
        return 0 if self.tablet is None else round((self.tablet - self.server).total_seconds())

    @property
    def machine(self) -> datetime:
        """The machine's own clock, which a correction leaves as it is."""
        return self.server - self.correction


# The latest of the journal's last entries: one written since the clock went back (a
# drawer closed meanwhile) must not hide the ones written before, dated later.
RECENT = (select(JournalEntry.created_at).order_by(JournalEntry.seq.desc()).limit(50)
          .subquery())
LATEST_RECENT = select(func.max(RECENT.c.created_at))


def last_event(session: Session) -> datetime | None:
    """The latest time the journal has recorded, among its last entries and what this
    process has seen before (so later wrong-dated entries cannot hide it)."""
    state = _state()
    found = session.scalar(LATEST_RECENT)
    if found is not None and (state.latest_seen is None or found > state.latest_seen):
        state.latest_seen = found
    return state.latest_seen


def status(session: Session) -> ClockStatus:
    load_correction()
    state, now = _state(), utcnow()
    last = last_event(session)
    tablet = now + state.difference if state.difference is not None else None
    problem, kept = None, False
    if state.difference is not None and abs(state.difference) > TOLERANCE:
        problem = "tablet_differs"
        kept = (state.kept_difference is not None
                and abs(state.difference + correction() - state.kept_difference)
                <= TOLERANCE)
    elif last is not None and now < last - timedelta(seconds=1):
        problem = "before_last_event"
        kept = state.kept_last_event == last
    return ClockStatus(now, tablet, last, problem, kept, correction())


def refuse_if_wrong(session: Session) -> None:
    """Opening a drawer waits until the clock is right, or the admin has chosen."""
    if status(session).blocked:
        raise Conflict("clock_wrong", "L'heure du serveur n'est pas juste : ses ventes "
                       "seraient datées d'un autre jour. La coordinatrice règle l'heure "
                       "(Réglages, Heure du serveur), puis vous pourrez ouvrir la caisse.")


def keep_server_time(session: Session, user_id: int | None = None) -> None:
    """The admin says the machine's own clock is right (the tablet is the one that is
    wrong, or the journal's last entry was dated by a clock that ran ahead): any
    correction ends, and the tablet's present difference is not followed again."""
    state, current = _state(), status(session)
    if current.correction:
        _record_correction(timedelta(0), "admin", user_id)
    state.kept_difference = (None if state.difference is None
                             else state.difference + current.correction)
    state.kept_last_event = current.last_event
    if state.difference is not None:
        state.difference += current.correction


def follow_tablet(tablet: datetime, user_id: int | None = None) -> None:
    """The admin chooses to date by the tablet's time, even beyond what the kiosk would
    follow by itself (the machine's clock is left as it is)."""
    state = _state()
    _record_correction(tablet - system_now(), "admin", user_id)
    state.difference = tablet - utcnow()
    state.kept_difference = state.kept_last_event = None


def may_set() -> bool:
    return current_app.config["CLOCK_SET"] in ("system", "offset")


def set_from_tablet(tablet: datetime, user_id: int | None = None) -> bool:
    """Set the machine's clock to the tablet's time (then no correction is needed any
    more); False where the kiosk may not (then the admin runs `set_command`).
    KIOSK_CLOCK_SET says how."""
    how = current_app.config["CLOCK_SET"]
    if how == "offset":
        offset = float(current_app.config.get("CLOCK_OFFSET_SECONDS") or 0)
        current_app.config["CLOCK_OFFSET_SECONDS"] = offset + (
            tablet - system_now()).total_seconds()
    elif how == "system":
        try:
            time.clock_settime(time.CLOCK_REALTIME, tablet.timestamp())
        except (PermissionError, OSError):
            return False
    else:
        return False
    if correction():
        _record_correction(timedelta(0), "admin", user_id)
    state = _state()
    state.difference = tablet - utcnow()
    state.kept_difference = state.kept_last_event = None
    return True


def set_command(tablet: datetime) -> str:
    """The command that sets the server's clock to `tablet`, for a terminal on it."""
    return f"sudo date -u -s '{tablet.astimezone(UTC):%Y-%m-%d %H:%M:%S}'"
