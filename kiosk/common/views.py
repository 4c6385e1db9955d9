"""Helpers the page views share: a service's refusal shown on the page (refusals()), and
the numbers typed in the +/− counters and quantity boxes of a form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask import flash, request

from kiosk.common.input import is_digits
from kiosk.extensions import db
from kiosk.services.errors import ServiceError

K = TypeVar("K")


@dataclass
class Outcome:
    """What refusals() caught: `failed` once a service refused, with its words and status."""

    error: ServiceError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200

    @property
    def code(self) -> str:
        return self.error.code if self.error is not None else ""


@contextmanager
def refusals(*, flash_it: bool = False) -> Iterator[Outcome]:
    """The one way a page runs an action a service may refuse (a ServiceError).

    The action runs inside the `with` block and a success returns from it (a redirect).
    A refusal is caught and the session rolled back, so what the page renders next reads
    the database as it is, not the half-done action; then the view carries on after the
    block, in one of two ways:
    - `flash_it=True`: the refusal is already a red message on the next page; the view
      redirects (back to the page the form was on);
    - otherwise the view shows its form again with `outcome.message` and answers
      `outcome.status` (400, 404, 409… as the service said).
    """
    outcome = Outcome()
    try:
        yield outcome
    except ServiceError as exc:
        db.session.rollback()
        if flash_it:
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
