"""Volunteers and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class Role(StrEnum):
    SELLER = "seller"
    TREASURER = "treasurer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        # Roles nest: a treasurer may do all a seller may, an admin all a treasurer may.
        return {"seller": 1, "treasurer": 2, "admin": 3}[self.value]


class Person(UserMixin):
    """What a volunteer may do, from her name, role and whether she is active: shared by
    the stored User and the Volunteer snapshot that stands for her during a request."""

    name: str
    role: str
    active: bool

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated volunteer cannot log in
        return self.active

    def has_role(self, role: Role | str) -> bool:
        return Role(self.role).rank >= Role(role).rank

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True, eq=False)  # eq: Flask-Login's, by id
class Volunteer(Person):
    """Who is asking, for this one request (Flask-Login's current_user): read with one
    Core query, never expired by a rollback, never reloaded."""

    id: int
    name: str
    role: str
    language: str | None
    active: bool


class User(Person, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    failed_pins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > utcnow()


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a leaked database leaks no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class WebSession(db.Model):
    """A volunteer logged in on a browser. Her cookie carries a random id whose SHA-256 is
    here, checked at every request: logging out ends the row, so every copy of the
    cookie stops working at once; a PIN reset or a deactivation ends all her rows; and a
    row lives a day at most (SESSION_HOURS)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
