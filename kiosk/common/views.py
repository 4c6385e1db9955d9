"""Helpers the page views share: a service's refusal shown on the page (refusals()), and
the numbers typed in the +/− counters and quantity boxes of a form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask import abort, flash, request
from flask_wtf import FlaskForm

from kiosk.common.fields import TextField
from kiosk.common.input import is_digits
from kiosk.errors import InvalidInput, ServiceError
from kiosk.extensions import db

K = TypeVar("K")
F = TypeVar("F", bound=FlaskForm)


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


def posted(form: F) -> F:
    """A form of ours as POSTed: its CSRF token checked (a 400 otherwise), its fields read
    and validated. What could not be read is refused by refuse_unread(), inside the view's
    refusals() block, so the page shows it like any other refusal."""
    form.validate()
    if form.meta.csrf and form.csrf_token.errors:
        abort(400)
    return form


def refuse_unread(form: FlaskForm, only: Iterable[str] | None = None) -> None:
    """InvalidInput for the first field (in the form's order) that could not be read;
    `only`: among these fields (those the choice made on the form needs)."""
    wanted = None if only is None else set(only)
    for name, errors in form.errors.items():
        if name != "csrf_token" and errors and (wanted is None or name in wanted):
            raise InvalidInput(name, str(errors[0]))


def typed(form: FlaskForm) -> dict[str, str]:
    """What was typed in each field, trimmed: the form shown again after a refusal."""
    return {field.name: field.raw_data[0].strip() for field in form
            if field.raw_data and isinstance(field.raw_data[0], str)
            and field.name != "csrf_token"}


def texts_form(names: Iterable[str]) -> FlaskForm:
    """A form of text boxes under the given names, trimmed (the Paheko account of each
    key, the project code of each envelope `project-CODE`, the invoices' heading)."""

    class TextsForm(FlaskForm):
        pass

    for name in names:
        setattr(TextsForm, name.replace("-", "_"), TextField(name=name))
    return TextsForm()


def sent(form: FlaskForm, name: str) -> str | None:
    """What the box `name` holds, or None when the form did not send it (left as it is)."""
    field = form[name.replace("-", "_")]
    return field.data if field.raw_data else None


@dataclass
class Counts(Generic[K]):
    """The whole numbers read from a form, by key, and the keys whose box held no such
    number (the caller says what is wrong in its own words)."""

    values: dict[K, int] = field(default_factory=dict)
    bad: list[K] = field(default_factory=list)
    typed: dict[K, str] = field(default_factory=dict)  # as typed: the form shown again


QTY_BOX = re.compile(r"^qty-([A-Za-z0-9_.-]{1,32})$")


def qty_boxes() -> dict[str, str]:
    """The quantity boxes a form sent (`qty-SKU`, qty_row in macros.html): box name by SKU,
    for read_counts (the stock count, the consignment statement, a refund)."""
    return {match.group(1): key for key in request.form if (match := QTY_BOX.match(key))}


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
        counts.typed[key] = raw
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
