"""Building blocks for strict request bodies (pydantic, strict mode).

Strict means JSON integers where integers go: `"1250"`, `12.5` or `true` are refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.common.input import is_clean
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.text import _
from kiosk.vocabulary import (
    FIRST_DAY,
    LAST_DAY,
    MAX_AMOUNT_CENTS,
    MAX_COUNT,
    MAX_ID,
    MAX_ORDER_LINES,
    MAX_PRICE_CENTS,
    MAX_QTY,
    NAME_MAX,
    NOTE_MAX,
)


def _no_control_chars(value: str) -> str:
    """The API's side of the one text rule (kiosk/common/input.py)."""
    if not is_clean(value):
        raise ValueError(_("contient un caractère invisible : effacez-le et recommencez"))
    return value


class Body(BaseModel):
    """Base of every request body: strict types, unknown fields refused.

    Each body's validator is built when first used (`defer_build`), not at import: the
    forty-odd bodies of the API held about 1.5 MB of a server's memory, most of them for
    pages a sale never calls (issue 29). kiosk.api.warm builds the sale screen's at start."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)


Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX),
                 AfterValidator(_no_control_chars)]
Note = Annotated[str, Field(max_length=NOTE_MAX), AfterValidator(_no_control_chars)]
Reason = Annotated[str, Field(min_length=1, max_length=NOTE_MAX),
                   AfterValidator(_no_control_chars)]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
Sku = Code
Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # a row the databases can hold
Qty = Annotated[int, Field(ge=1, le=MAX_QTY)]
PriceCents = Annotated[int, Field(ge=0, le=MAX_PRICE_CENTS)]
AmountCents = Annotated[int, Field(ge=1, le=MAX_AMOUNT_CENTS)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Pin = Annotated[str, Field(pattern=r"^[0-9]{4,6}$")]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]  # as forms and queries read them


def _check_denominations(counts: dict[str, int]) -> dict[str, int]:
    allowed = {str(d) for d in DENOMINATIONS_CENTS}
    unknown = sorted(set(counts) - allowed)
    if unknown:
        raise ValueError(_("%(d)s n'est pas un billet ou une pièce en euros (en centimes : "
                           "50000, 20000… 1).", d=", ".join(unknown)))
    return counts


DenominationCounts = Annotated[dict[str, Count], AfterValidator(_check_denominations)]



# --- partner orders (issue 19) ------------------------------------------------------------

def _no_control_chars_but_lines(value: str) -> str:
    """An address or a note may hold line breaks, and no other control character."""
    if not is_clean(value, frozenset("\n\r\t")):
        raise ValueError(_("contient un caractère invisible : effacez-le et recommencez"))
    return value


Lines = Annotated[str, Field(max_length=NOTE_MAX), AfterValidator(_no_control_chars_but_lines)]

class PartnerBody(Body):
    name: Name
    address: Lines = ""
    contact: Annotated[str, Field(max_length=NAME_MAX),
                       AfterValidator(_no_control_chars)] = ""


class OrderLineBody(Body):
    """A product (`sku`) or a free `description`, the quantity, the agreed unit price."""

    sku: Sku | None = None
    description: Name | None = None
    qty: Qty
    unit_price_cents: PriceCents


class OrderBody(Body):
    # The name of a partner already recorded, or a new partner.
    partner: Name | PartnerBody
    lines: Annotated[list[OrderLineBody], Field(min_length=1, max_length=MAX_ORDER_LINES)]
    banner_lot: Code | None = None
    wished_on: Day | None = None
    note: Lines = ""


class MadeBody(Body):
    sku: Sku
    qty: Qty
    banner_lot: Code | None = None


class DeliveryLineBody(Body):
    sku: Sku
    qty: Qty


class DeliveryBody(Body):
    lines: Annotated[list[DeliveryLineBody], Field(min_length=1, max_length=MAX_ORDER_LINES)]


class OrderPaymentBody(Body):
    method: Literal["transfer", "cheque"]
    amount_cents: AmountCents
    reference: Annotated[str, Field(max_length=NAME_MAX), AfterValidator(_no_control_chars)] = ""
    received_on: Day | None = None


class CreditNoteBody(Body):
    reason: Annotated[Lines, Field(min_length=1)]
    amount_cents: AmountCents | None = None  # None: all the invoice still asks
