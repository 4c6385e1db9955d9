"""Helpers the page views share: a service's refusal shown as a flash message, and the
numbers typed in the +/− counters and quantity boxes of a form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask import flash, request

from kiosk.common.input import is_digits
from kiosk.errors import ServiceError
from kiosk.extensions import db

K = TypeVar("K")


@dataclass
class Outcome:
    """What flash_refusals() caught: `failed` once a ServiceError was flashed."""

    error: ServiceError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def flash_refusals() -> Iterator[Outcome]:
    """Run a page's action; a ServiceError becomes a red message on the next page.

    The session is rolled back first, so what the page renders next reads the database
    as it is, not the half-done action. The view carries on after the `with` block and
    checks `outcome.failed` (a success usually returns a redirect from inside it).
    """
    outcome = Outcome()
    try:
        yield outcome
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        outcome.error = exc


@dataclass
class Counts(Generic[K]):
    """The whole numbers read from a form, by key, and the keys whose box held no such
    number (the caller says what is wrong in its own words)."""

    values: dict[K, int] = field(default_factory=dict)
    bad: list[K] = field(default_factory=list)


def read_counts(fields: Mapping[K, str], *, maximum: int | None,
                blank: int | None = 0) -> Counts[K]:
    """Each form field of `fields` (key → field name) as a number from 0 to `maximum`.

    An empty or missing box counts as `blank` (None: the key is left out, "not counted").
    `maximum=None` leaves the upper bound to the service, which states it itself
    (MAX_QTY, MAX_COUNT in kiosk/vocabulary.py).
    """
    counts: Counts[K] = Counts()
    for key, name in fields.items():
        raw = (request.form.get(name) or "").strip()
        if not raw:
            if blank is not None:
                counts.values[key] = blank
            continue
        # ASCII digits only (kiosk/common/input.py): no sign, no space, no "²" or "５"
        value = int(raw) if is_digits(raw) else -1
        if value < 0 or (maximum is not None and value > maximum):
            counts.bad.append(key)
            continue
        counts.values[key] = value
    return counts
