"""Amounts in French words, as a gift receipt must write them ("six euros").

Traditional spelling (the one cerfa forms and banks use): "vingt et un", "quatre-vingts",
"deux cents", "deux cent un", "mille", "un million d'euros".
"""

from __future__ import annotations

_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
          "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"]
_TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}


def _below_100(n: int) -> str:
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    if n < 70:
        tens, unit = divmod(n, 10)
        word = _TENS[tens * 10]
        if unit == 0:
            return word
        return f"{word} et un" if unit == 1 else f"{word}-{_UNITS[unit]}"
    if n < 80:  # soixante-dix, soixante et onze, soixante-douze…
        return "soixante et onze" if n == 71 else "soixante-" + _below_100(n - 60)
    if n == 80:
        return "quatre-vingts"
    return "quatre-vingt-" + _below_100(n - 80)  # quatre-vingt-un, quatre-vingt-dix…


def _below_1000(n: int, last: bool = True) -> str:
    """`last`: nothing follows (so "deux cents", "quatre-vingts" keep their s)."""
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        word = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent"
        if hundreds > 1 and rest == 0 and last:
            word += "s"
        parts.append(word)
    if rest or not hundreds:
        word = _below_100(rest)
        if word == "quatre-vingts" and not last:
            word = "quatre-vingt"
        parts.append(word)
    return " ".join(parts)


def number_in_words(n: int) -> str:
    """0 ≤ n < 10**9 in French words: 21 → "vingt et un", 2080 → "deux mille quatre-vingts"."""
    if not 0 <= n < 10**9:
        raise ValueError("a number from 0 to 999 999 999")
    if n < 1000:
        return _below_1000(n)
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    parts = []
    if millions:
        parts.append("un million" if millions == 1 else
                     f"{_below_1000(millions)} millions")
    if thousands:  # "mille" never takes an s, nor "un" before it
        parts.append("mille" if thousands == 1 else
                     f"{_below_1000(thousands, last=False)} mille")
    if units:
        parts.append(_below_1000(units))
    return " ".join(parts)


def euros_in_words(cents: int) -> str:
    """1250 → "douze euros et cinquante centimes"; 600 → "six euros"; 100 → "un euro";
    50 → "cinquante centimes"; 100_000_000 → "un million d'euros"."""
    if cents < 0:
        raise ValueError("an amount of money is not negative here")
    euros, rest = divmod(cents, 100)
    parts = []
    if euros or not rest:
        word = number_in_words(euros)
        unit = "euro" if euros <= 1 else "euros"
        # "un million d'euros", "deux millions d'euros": de before the unit
        joiner = " d'" if euros >= 1_000_000 and euros % 1_000_000 == 0 else " "
        parts.append(f"{word}{joiner}{unit}")
    if rest:
        parts.append(f"{number_in_words(rest)} centime{'s' if rest > 1 else ''}")
    return " et ".join(parts)
