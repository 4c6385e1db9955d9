"""Volunteers: PIN checks with per-volunteer lockout, and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.config import DEFAULTS
from kiosk.database import WRITE_READY, prepared, real_session, utcnow, write_transaction
from kiosk.models import ApiToken, User, WebSession
from kiosk.models.people import Role, Volunteer

PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")
USERS = User.__table__
NAME_MAX = 120


class AuthError(Exception):
    """Why a login was refused; `locked_until` is set when the volunteer is locked out."""

    def __init__(self, code: str, locked_until: datetime | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.locked_until = locked_until


@dataclass(frozen=True)
class Lockout:
    attempts: int = 5
    minutes: int = 5


DEFAULT_LOCKOUT = Lockout()


@dataclass(frozen=True)
class AddressLimit:
    """Wrong PINs for `names` different names from one address, with no right PIN in
    between, within `window_minutes`: that address then waits `wait_seconds` between
    attempts. One volunteer mistyping (one name) is never slowed; a right PIN from the
    stall's tablet clears it; a stranger walking down the login list is slowed to one
    name every `wait_seconds`, so she can no longer keep the whole list locked."""

    names: int = 3
    wait_seconds: int = 30
    window_minutes: int = 15


DEFAULT_ADDRESS_LIMIT = AddressLimit()


class AddressThrottle:
    """What each client address got wrong lately, in the server's memory (the kiosk is
    served by one process; a restart forgets it, as it forgets nothing that matters)."""

    MAX_ADDRESSES = 10_000  # bounded memory, whatever arrives

    def __init__(self, limit: AddressLimit = DEFAULT_ADDRESS_LIMIT) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._wrong: dict[str, dict[str, datetime]] = {}  # address → name → last wrong PIN
        self._last: dict[str, datetime] = {}  # address → its last attempt while slowed
        # address → name → (attempts being checked now, when the first was admitted): an
        # attempt in flight counts as a wrong name until its answer is known, so twenty
        # names sent at once get no more checks than twenty sent one after the other.
        self._pending: dict[str, dict[str, tuple[int, datetime]]] = {}

    def _names(self, address: str, now: datetime) -> dict[str, datetime]:
        since = now - timedelta(minutes=self.limit.window_minutes)
        names = {name: at for name, at in self._wrong.get(address, {}).items() if at > since}
        if names:
            self._wrong[address] = names
        else:
            self._wrong.pop(address, None)
        return names

    def admit(self, address: str, now: datetime, name: str | None = None) -> datetime | None:
        """None: this attempt may go on; else the moment the address may try again.
        With `name`, an admitted attempt is in flight until record() or release()."""
        with self._lock:
            names = self._names(address, now)
            pending = self._pending.get(address, {})
            names.update({other: at for other, (_n, at) in pending.items()
                          if other not in names})
            if len(names) < self.limit.names:
                self._hold(address, name, now)
                return None
            last = max(self._last.get(address, now - timedelta(days=1)), *names.values())
            again = last + timedelta(seconds=self.limit.wait_seconds)
            if now < again:
                return again
            self._last[address] = now
            self._hold(address, name, now)
            return None

    def _hold(self, address: str, name: str | None, now: datetime) -> None:
        if name is None:
            return
        held = self._pending.setdefault(address, {})
        count, since = held.get(name, (0, now))
        held[name] = (count + 1, since)

    def release(self, address: str, name: str) -> None:
        """An admitted attempt for `name` got its answer (or failed): no longer in flight."""
        with self._lock:
            self._release(address, name)

    def _release(self, address: str, name: str) -> None:
        held = self._pending.get(address)
        if not held or name not in held:
            return
        count, since = held[name]
        if count > 1:
            held[name] = (count - 1, since)
        else:
            del held[name]
            if not held:
                del self._pending[address]

    def record(self, address: str, name: str, right: bool, now: datetime) -> None:
        with self._lock:
            self._release(address, name)
            if right:
                self._wrong.pop(address, None)
                self._last.pop(address, None)
                return
            if address not in self._wrong and len(self._wrong) >= self.MAX_ADDRESSES:
                oldest = min(self._wrong, key=lambda a: max(self._wrong[a].values()))
                self._wrong.pop(oldest)
                self._last.pop(oldest, None)
            self._wrong.setdefault(address, {})[name] = now


def validate_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValueError("name")
    return name


def hash_pin(pin: str) -> str:
    """The PIN's scrypt hash at the kiosk's PIN_HASH_COST.

    The cost is written into the hash ("scrypt:N:8:1$salt$…") and check_password_hash
    reads it from there, so a PIN hashed at one cost still verifies at another.
    """
    cost = (current_app.config["PIN_HASH_COST"] if has_app_context()
            else DEFAULTS["PIN_HASH_COST"])
    return generate_password_hash(pin, method=f"scrypt:{int(cost)}:8:1")


def create_user(session: Session, name: str, role: str, pin: str) -> User:
    name = validate_name(name)
    if role not in {r.value for r in Role}:
        raise ValueError("role")
    if not PIN_PATTERN.match(pin):
        raise ValueError("pin")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ValueError("exists")
    user = User(name=name, role=role, pin_hash=hash_pin(pin))
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, name: str) -> User:
    """The volunteer of that exact name (active or not); ValueError("unknown") if none."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise ValueError("unknown")
    return user


def end_access(session: Session, user_id: int) -> None:
    """Every browser she is logged in on is logged out and every API token of hers stops
    working: after a PIN reset, a role change or a deactivation, nothing she opened
    before goes on with the old PIN or the old role."""
    end_web_sessions(session, user_id)
    session.execute(update(TOKENS).where(TOKENS.c.user_id == user_id,
                                         TOKENS.c.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuses to leave the kiosk without an active admin: nobody could then add people,
    reset a PIN or change the catalogue."""
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id))
    if user.active and user.role == Role.ADMIN.value and not others:
        raise ValueError("last_admin")


def set_pin(session: Session, user: User, pin: str) -> User:
    """A new PIN (she forgot hers): the lockout is lifted and she is logged out everywhere."""
    if not PIN_PATTERN.match(pin):
        raise ValueError("pin")
    user.pin_hash = hash_pin(pin)
    user.failed_pins, user.locked_until = 0, None
    session.flush()
    end_access(session, user.id)
    return user


def set_role(session: Session, user: User, role: str) -> User:
    if role not in {r.value for r in Role}:
        raise ValueError("role")
    if role != user.role:
        if role != Role.ADMIN.value:
            _keep_an_admin(session, user)
        user.role = role
        session.flush()
        end_access(session, user.id)
    return user


def set_active(session: Session, user: User, active: bool) -> User:
    """Deactivated, she leaves the login list and is logged out; her past sales keep her
    name (the row stays). Reactivated, she logs in again with the PIN she had."""
    if not active:
        _keep_an_admin(session, user)
    if user.active != active:
        user.active = active
        session.flush()
        end_access(session, user.id)
    return user


def check_pin(session: Session, name: str, pin: str, lockout: Lockout = DEFAULT_LOCKOUT,
              throttle: AddressThrottle | None = None, address: str = "") -> User:
    """Return the volunteer if the PIN is right; count and lock on wrong ones; with a
    `throttle`, an address that got several names wrong waits between attempts
    (AuthError "slowed", checked before anything else, so it counts against no one).

    Only the volunteer named is ever locked: a stranger guessing one name cannot stop
    the rest of the stall from selling. A volunteer's PINs are checked one at a time
    (`_one_check_at_a_time`), each reading the count the one before left, so however
    many arrive at once at most `lockout.attempts` wrong PINs are checked before the
    lock, and right ones all get in. The lock opens at a whole minute, the one the
    message names. Commits its own short transaction.
    """
    if throttle is None:
        return _check_pin(session, name, pin, lockout)
    again = throttle.admit(address, utcnow(), name)
    if again is not None:
        raise AuthError("slowed", again)
    try:
        user = _check_pin(session, name, pin, lockout)
    except AuthError:
        throttle.record(address, name, False, utcnow())
        raise
    except BaseException:
        throttle.release(address, name)  # no answer: the attempt counts against no one
        raise
    throttle.record(address, name, True, utcnow())
    return user


def _check_pin(session: Session, name: str, pin: str, lockout: Lockout) -> User:
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None:
        raise AuthError("unknown_user")
    user_id, pin_hash = user.id, user.pin_hash
    with _one_check_at_a_time(session, user_id) as (failed, locked_until):
        now = utcnow()
        if locked_until is not None and locked_until > now:
            raise AuthError("locked", locked_until)
        if locked_until is not None:  # a lock that ran out starts a fresh count
            failed = 0
        right = (isinstance(pin, str) and PIN_PATTERN.match(pin) is not None
                 and check_password_hash(pin_hash, pin))
        if right:
            values: dict = {"failed_pins": 0, "locked_until": None}
        elif failed + 1 >= lockout.attempts:
            values = {"failed_pins": 0, "locked_until": reopening(now, lockout.minutes)}
        else:
            values = {"failed_pins": failed + 1, "locked_until": None}
        with write_transaction(session):
            session.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
    if values["locked_until"] is not None:
        raise AuthError("locked", values["locked_until"])
    if not right:
        raise AuthError("bad_pin")
    return session.get(User, user_id)


def reopening(now: datetime, minutes: int) -> datetime:
    """When a lock of `minutes` from `now` opens: rounded up to the whole minute, so
    "Réessayez à 15:12" is the moment it really opens (not 15:12:27)."""
    until = now + timedelta(minutes=minutes)
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return until


# One PIN check at a time per volunteer. On PostgreSQL the user's row is locked FOR UPDATE
# (other volunteers and every sale go on); on SQLite, whose only lock is the whole
# database's, holding it for a PIN hash would stall every sale, so the server's threads
# take turns on a lock of their own instead (the kiosk is served by one process).
_PIN_CHECKS: dict[int, threading.Lock] = {}
_PIN_CHECKS_GUARD = threading.Lock()


@contextmanager
def _one_check_at_a_time(session: Session, user_id: int
                         ) -> Iterator[tuple[int, datetime | None]]:
    """Hold this volunteer's turn; yields (wrong PINs so far, locked until) as it is now."""
    state = select(USERS.c.failed_pins, USERS.c.locked_until).where(USERS.c.id == user_id)
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.rollback()
            session.connection()  # begin: the row lock lasts to write_transaction's commit
            session.info[WRITE_READY] = real_session(session).get_transaction()
            yield tuple(session.execute(state.with_for_update()).one())
            return
        with _PIN_CHECKS_GUARD:
            turn = _PIN_CHECKS.setdefault(user_id, threading.Lock())
        with turn:
            session.rollback()  # a fresh snapshot: what the previous turn wrote
            yield tuple(session.execute(state).one())
    except BaseException:
        session.info.pop(WRITE_READY, None)
        session.rollback()  # a refusal holds no lock
        raise


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, days: int, label: str = "") -> str:
    """A new bearer token for `user`; the plain token is returned once, never stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:120],
                         expires_at=utcnow() + timedelta(days=days)))
    session.flush()
    return token


TOKENS = ApiToken.__table__
WEB_SESSIONS = WebSession.__table__
# Built once (each caches its compilation key): every request reads who is asking.
_VOLUNTEER = select(USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.language, USERS.c.active)
VOLUNTEER_BY_TOKEN = (_VOLUNTEER.join(TOKENS, TOKENS.c.user_id == USERS.c.id)
                      .where(TOKENS.c.token_hash == bindparam("token_hash"),
                             TOKENS.c.revoked_at.is_(None),
                             TOKENS.c.expires_at > bindparam("now"),
                             USERS.c.active.is_(True)))


VOLUNTEER_BY_WEB_SESSION = (
    _VOLUNTEER.join(WEB_SESSIONS, WEB_SESSIONS.c.user_id == USERS.c.id)
    .where(WEB_SESSIONS.c.sid_hash == bindparam("sid_hash"),
           WEB_SESSIONS.c.user_id == bindparam("user_id"),
           WEB_SESSIONS.c.ended_at.is_(None),
           WEB_SESSIONS.c.expires_at > bindparam("now"),
           USERS.c.active.is_(True)))


def start_web_session(session: Session, user_id: int, hours: float) -> str:
    """A new logged-in browser for this volunteer: the id its cookie will carry (only its
    SHA-256 is stored). In the caller's write transaction."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(insert(WEB_SESSIONS).values(
        user_id=user_id, sid_hash=_token_hash(sid), created_at=now,
        expires_at=now + timedelta(hours=hours), ended_at=None))
    return sid


def volunteer_for_web_session(session: Session, user_id: int, sid: str) -> Volunteer | None:
    """The active volunteer of a live (not ended, not expired) web session, as a
    request's current_user: one query, as for a token."""
    row = session.connection().execute(VOLUNTEER_BY_WEB_SESSION, {
        "sid_hash": _token_hash(sid), "user_id": user_id, "now": utcnow()}).first()
    return Volunteer(*row) if row else None


def end_web_session(session: Session, sid: str) -> None:
    """Logging out: every copy of that cookie stops working. In a write transaction."""
    session.execute(update(WEB_SESSIONS).where(WEB_SESSIONS.c.sid_hash == _token_hash(sid),
                                               WEB_SESSIONS.c.ended_at.is_(None))
                    .values(ended_at=utcnow()))


def end_web_sessions(session: Session, user_id: int) -> None:
    """A PIN reset or a deactivation: every browser she is logged in on is logged out."""
    session.execute(update(WEB_SESSIONS).where(WEB_SESSIONS.c.user_id == user_id,
                                               WEB_SESSIONS.c.ended_at.is_(None))
                    .values(ended_at=utcnow()))


def user_for_token(session: Session, token: str) -> Volunteer | None:
    """The active volunteer a live (unexpired, unrevoked) token belongs to, or None."""
    connection = session.connection()
    asked = {"token_hash": _token_hash(token), "now": utcnow()}
    if connection.dialect.name == "sqlite":  # prepared once: every API call pays this query
        found = prepared(connection.dialect, VOLUNTEER_BY_TOKEN).rows(connection, asked)
        row = found[0] if found else None
    else:
        row = connection.execute(VOLUNTEER_BY_TOKEN, asked).first()
    return Volunteer(*row) if row else None


def revoke_token(session: Session, token_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
