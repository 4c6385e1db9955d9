"""The server's clock against the tablet's.

A Raspberry Pi has no clock of its own: with no internet at the stall it starts at the time
it was last shut down, and a laptop whose battery died can be wrong too. Sales would then
be dated, numbered into a year and put on a Z for the wrong day, silently. The tablet keeps
its own time: every page (static/js/clock.js) and every API write (static/js/api.js) sends
it in the X-Kiosk-Tablet-Time header (milliseconds since 1970, UTC). When the two differ by
more than two minutes, or the server's clock is earlier than the journal's last entry, the
kiosk says so on every screen and refuses to open a drawer until the admin has chosen:
set the server's clock from the tablet's (where the kiosk may, KIOSK_CLOCK_SET), or keep
the server's time (the tablet is the one that is wrong).

The last reading and the admin's choice live in the app's memory (one process serves the
kiosk): a restart measures again at the first page load.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.models import JournalEntry
from kiosk.services.errors import Conflict

TABLET_TIME_HEADER = "X-Kiosk-Tablet-Time"
TOLERANCE = timedelta(minutes=2)
# A reading outside these years is a broken tablet or a forged header, not a clock.
EARLIEST, LATEST = datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


@dataclass
class _State:
    """The tablet's time minus the server's at the last reading, and what the admin
    chose to keep (the difference, or the journal's last entry, she said was fine)."""

    difference: timedelta | None = None
    kept_difference: timedelta | None = None
    kept_last_event: datetime | None = None
    latest_seen: datetime | None = None


_LOCK = threading.Lock()


def _state() -> _State:
    with _LOCK:
        return current_app.extensions.setdefault("kiosk_clock", _State())


def parse_tablet_time(value: str | None) -> datetime | None:
    """The header's milliseconds as a UTC time, or None if it is not a plausible one."""
    if not value or not value.isdigit() or len(value) > 16:
        return None
    moment = datetime.fromtimestamp(int(value) / 1000, UTC)
    return moment if EARLIEST <= moment < LATEST else None


def record_reading(tablet: datetime) -> None:
    _state().difference = tablet - utcnow()


@dataclass(frozen=True)
class ClockStatus:
    server: datetime
    tablet: datetime | None  # the tablet's time now, from the last reading
    last_event: datetime | None  # the journal's last entry
    problem: str | None  # "tablet_differs", "before_last_event" or None
    kept: bool  # the admin chose to keep the server's time for this very problem

    @property
    def blocked(self) -> bool:
        return self.problem is not None and not self.kept

    @property
    def difference_seconds(self) -> int:
        return 0 if self.tablet is None else round((self.tablet - self.server).total_seconds())


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
    state, now = _state(), utcnow()
    last = last_event(session)
    tablet = now + state.difference if state.difference is not None else None
    problem, kept = None, False
    if state.difference is not None and abs(state.difference) > TOLERANCE:
        problem = "tablet_differs"
        kept = (state.kept_difference is not None
                and abs(state.difference - state.kept_difference) <= TOLERANCE)
    elif last is not None and now < last - timedelta(seconds=1):
        problem = "before_last_event"
        kept = state.kept_last_event == last
    return ClockStatus(now, tablet, last, problem, kept)


def refuse_if_wrong(session: Session) -> None:
    """Opening a drawer waits until the clock is right, or the admin has chosen."""
    if status(session).blocked:
        raise Conflict("clock_wrong", "L'heure du serveur n'est pas juste : ses ventes "
                       "seraient datées d'un autre jour. La coordinatrice règle l'heure "
                       "(Réglages, Heure du serveur), puis vous pourrez ouvrir la caisse.")


def keep_server_time(session: Session) -> None:
    """The admin says the server's clock is right (the tablet is the one that is wrong,
    or the journal's last entry was dated by a clock that ran ahead)."""
    state, current = _state(), status(session)
    state.kept_difference = state.difference
    state.kept_last_event = current.last_event


def may_set() -> bool:
    return current_app.config["CLOCK_SET"] in ("system", "offset")


def set_from_tablet(tablet: datetime) -> bool:
    """Set the server's clock to the tablet's time; False where the kiosk may not (then
    the admin runs `set_command`). KIOSK_CLOCK_SET says how."""
    how = current_app.config["CLOCK_SET"]
    if how == "offset":
        offset = float(current_app.config.get("CLOCK_OFFSET_SECONDS") or 0)
        current_app.config["CLOCK_OFFSET_SECONDS"] = offset + (
            tablet - utcnow()).total_seconds()
    elif how == "system":
        try:
            time.clock_settime(time.CLOCK_REALTIME, tablet.timestamp())
        except (PermissionError, OSError):
            return False
    else:
        return False
    state = _state()
    state.difference = tablet - utcnow()
    state.kept_difference = state.kept_last_event = None
    return True


def set_command(tablet: datetime) -> str:
    """The command that sets the server's clock to `tablet`, for a terminal on it."""
    return f"sudo date -u -s '{tablet.astimezone(UTC):%Y-%m-%d %H:%M:%S}'"
