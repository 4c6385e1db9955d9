"""Print queue (placeholder until the printer adapter lands): no printer, status none."""

from __future__ import annotations

from sqlalchemy.orm import Session


def submit_and_attempt(session: Session, document: str, ref_id: int | None = None,
                       payload: dict | None = None, target: str = "receipt") -> str:
    return "none"


def latest_status(session: Session, document: str, ref_id: int) -> str:
    return "none"
