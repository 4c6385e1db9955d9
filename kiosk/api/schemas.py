"""Building blocks for strict request bodies (pydantic, strict mode).

Strict means JSON integers where integers go: `"1250"`, `12.5` or `true` are refused.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.common.input import is_clean
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.services.text import _
from kiosk.vocabulary import (
    MAX_AMOUNT_CENTS,
    MAX_COUNT,
    MAX_ID,
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
    """Base of every request body: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


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


def _check_denominations(counts: dict[str, int]) -> dict[str, int]:
    allowed = {str(d) for d in DENOMINATIONS_CENTS}
    unknown = sorted(set(counts) - allowed)
    if unknown:
        raise ValueError(_("%(d)s n'est pas un billet ou une pièce en euros (en centimes : "
                           "50000, 20000… 1).", d=", ".join(unknown)))
    return counts


DenominationCounts = Annotated[dict[str, Count], AfterValidator(_check_denominations)]

