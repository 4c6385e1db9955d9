"""Money in integer cents: splitting by the largest remainder (and a gift among the
payments that brought it), and French display."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency

from kiosk.text import is_digits

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def split_largest_remainder(amount_cents: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Share `amount_cents` by `weights` so the parts add up exactly to the whole.

    Each part gets the floor of its exact share; the cents left over go one by one to
    the largest remainders (ties: the order given). Works for negative amounts too, by
    splitting the absolute value and giving the sign back, so a shortfall is shared the
    same way as takings.
    """
    if not weights:
        raise ValueError("a split needs at least one part")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError("weights must be positive")
    sign = -1 if amount_cents < 0 else 1
    whole = abs(amount_cents)
    total_weight = sum(weights.values())
    parts = {key: whole * w // total_weight for key, w in weights.items()}
    left = whole - sum(parts.values())
    by_remainder = sorted(
        weights, key=lambda key: -(whole * weights[key] % total_weight)
    )  # sorted() is stable, so ties keep the order given
    for key in by_remainder[:left]:
        parts[key] += 1
    return {key: sign * value for key, value in parts.items()}


@lru_cache(maxsize=8192)  # Babel takes ~0.1 ms a call; a report page shows hundreds
def format_money(cents: int, locale: str = "fr_FR") -> str:
    """`1250` → `12,50 €` as Babel writes it for the screen (narrow no-break space)."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=locale)


def format_euros(cents: int) -> str:
    """`1250` → `12,50`: format_money without the euro sign, for a box the volunteer may
    correct before sending it (parse_euros reads it back)."""
    return format_money(cents).removesuffix("€").rstrip(NBSP + NARROW_NBSP + " ")


def format_money_for_paper(cents: int) -> str:
    """`12,50 €` with a plain space: thermal printers cannot print Babel's narrow one."""
    return format_money(cents).replace(NARROW_NBSP, " ").replace(NBSP, " ")


def parse_euros(text: str) -> int:
    """`12,50`, `12.5`, `12 €` → 1250 cents. ValueError on anything else."""
    cleaned = text.strip().replace("€", "").replace(NARROW_NBSP, "").replace(NBSP, "")
    cleaned = cleaned.replace(" ", "").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1 or cleaned.startswith("-"):
        raise ValueError(text)
    units, _, decimals = cleaned.partition(".")
    # ASCII digits only: "²" is a digit int() cannot read, "５" one it reads as 5
    if (units and not is_digits(units, 12)) or (decimals and not is_digits(decimals)):
        raise ValueError(text)
    if len(decimals) > 2:
        raise ValueError(text)
    return int(units or "0") * 100 + int((decimals + "00")[:2])


def donation_by_method(payments: Sequence[tuple[str, int]], donation_cents: int
                       ) -> dict[str, int]:
    """Which payment methods the gift came in, for the books: (method, amount settled)
    in order, the gift taken from the last payments first, as the change is (a "gardez
    la monnaie" is the last note's). Negative amounts (a void) work the same way."""
    left = donation_cents
    parts: dict[str, int] = {}
    for method, amount in reversed(payments):
        if not left:
            break
        take = max(min(left, amount), 0) if left > 0 else min(max(left, amount), 0)
        if take:
            parts[method] = parts.get(method, 0) + take
            left -= take
    if left and payments:  # (the ledger disagrees with itself: keep every cent somewhere)
        method = payments[-1][0]
        parts[method] = parts.get(method, 0) + left
    return parts
