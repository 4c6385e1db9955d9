"""Amounts as they read on paper: `1 234,50 €` with plain spaces (a printer has no
narrow no-break space, which is what Babel would give)."""

from __future__ import annotations


def format_cents(cents: int, symbol: str = "€") -> str:
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    grouped = f"{units:,}".replace(",", " ")
    return f"{sign}{grouped},{rest:02d} {symbol}"
