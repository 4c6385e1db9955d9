"""Volunteers: PIN checks with per-volunteer lockout, and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.config import DEFAULTS
from kiosk.database import utcnow
from kiosk.models import ApiToken, User
from kiosk.models.people import Role, Volunteer

PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")
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


def check_pin(session: Session, name: str, pin: str, lockout: Lockout = DEFAULT_LOCKOUT) -> User:
    """Return the volunteer if the PIN is right; count and lock on wrong ones.

    Only the volunteer named is ever locked: a stranger guessing one name cannot stop
    the rest of the stall from selling. The caller commits, so failures are counted.
    """
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None:
        raise AuthError("unknown_user")
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise AuthError("locked", user.locked_until)
    if not isinstance(pin, str) or not PIN_PATTERN.match(pin) or not check_password_hash(
        user.pin_hash, pin
    ):
        if user.locked_until is not None:  # a lock that ran out starts a fresh count
            user.locked_until, user.failed_pins = None, 0
        user.failed_pins += 1
        if user.failed_pins >= lockout.attempts:
            user.failed_pins = 0
            user.locked_until = now + timedelta(minutes=lockout.minutes)
            raise AuthError("locked", user.locked_until)
        raise AuthError("bad_pin")
    user.failed_pins, user.locked_until = 0, None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, days: int, label: str = "") -> str:
    """A new bearer token for `user`; the plain token is returned once, never stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:120],
                         expires_at=utcnow() + timedelta(days=days)))
    session.flush()
    return token


USERS = User.__table__
TOKENS = ApiToken.__table__
# Built once (each caches its compilation key): every request reads who is asking.
_VOLUNTEER = select(USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.language, USERS.c.active)
VOLUNTEER_BY_ID = _VOLUNTEER.where(USERS.c.id == bindparam("user_id"),
                                   USERS.c.active.is_(True))
VOLUNTEER_BY_TOKEN = (_VOLUNTEER.join(TOKENS, TOKENS.c.user_id == USERS.c.id)
                      .where(TOKENS.c.token_hash == bindparam("token_hash"),
                             TOKENS.c.revoked_at.is_(None),
                             TOKENS.c.expires_at > bindparam("now"),
                             USERS.c.active.is_(True)))


def volunteer(session: Session, user_id: int) -> Volunteer | None:
    """The active volunteer with this id, as a request's current_user."""
    row = session.connection().execute(VOLUNTEER_BY_ID, {"user_id": user_id}).first()
    return Volunteer(*row) if row else None


def user_for_token(session: Session, token: str) -> Volunteer | None:
    """The active volunteer a live (unexpired, unrevoked) token belongs to, or None."""
    row = session.connection().execute(VOLUNTEER_BY_TOKEN, {
        "token_hash": _token_hash(token), "now": utcnow()}).first()
    return Volunteer(*row) if row else None


def revoke_token(session: Session, token_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
