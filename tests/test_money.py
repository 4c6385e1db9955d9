"""Money rules: largest-remainder split, French display, parsing what volunteers type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.ledger.money import (
    format_euros,
    format_money,
    format_money_for_paper,
    parse_euros,
    split_largest_remainder,
)

weights = st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 1000),
                          min_size=1, max_size=6).filter(lambda w: sum(w.values()) > 0)


@given(st.integers(-10_000_000, 10_000_000), weights)
def test_parts_always_add_up_to_the_cent(amount, shares):
    parts = split_largest_remainder(amount, shares)
    assert sum(parts.values()) == amount
    assert set(parts) == set(shares)


@given(st.integers(-10_000_000, 10_000_000), weights)
def test_no_part_is_more_than_a_cent_from_its_exact_share(amount, shares):
    total = sum(shares.values())
    for key, part in split_largest_remainder(amount, shares).items():
        exact = amount * shares[key] / total
        assert abs(part - exact) < 1


def test_examples():
    assert split_largest_remainder(1001, {"solidarite": 1, "loisirs": 1}) == {
        "solidarite": 501, "loisirs": 500}
    assert split_largest_remainder(-101, {"a": 1, "b": 1}) == {"a": -51, "b": -50}
    assert split_largest_remainder(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert split_largest_remainder(0, {"a": 3, "b": 1}) == {"a": 0, "b": 0}
    with pytest.raises(ValueError):
        split_largest_remainder(100, {})


def test_french_display():
    # Babel separates with a no-break space (narrow or not, by CLDR version): on screen
    # it keeps "12,50 €" on one line; on paper it must be a plain space.
    assert format_money(1250).replace("\u202f", "\u00a0") == "12,50\u00a0€"
    assert format_money(123456).replace("\u202f", "\u00a0") == "1\u00a0234,56\u00a0€"
    assert format_money_for_paper(1250) == "12,50 €"
    assert format_money_for_paper(123456) == "1 234,56 €"
    assert format_money(-100).replace("\u202f", "\u00a0") == "-1,00\u00a0€"


@pytest.mark.parametrize("typed, cents", [
    ("12,50", 1250), ("12.5", 1250), ("12", 1200), ("0,05", 5), ("12 €", 1200),
    (" 3,2 ", 320), ("1 234,56", 123456),
])
def test_parse_what_volunteers_type(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "-3", "1,234", "1,2,3", "€"])
def test_parse_refuses_nonsense(typed):
    with pytest.raises(ValueError):
        parse_euros(typed)


@given(st.integers(0, 100_000_000))
def test_an_amount_shown_in_a_box_reads_back_as_itself(cents):
    """The euros filter (a box the volunteer may correct) is format_money without its sign,
    and parse_euros reads it back to the cent."""
    shown = format_euros(cents)
    assert "€" not in shown and format_money(cents).startswith(shown)
    assert parse_euros(shown) == cents


def test_the_euros_filter_in_a_box():
    assert format_euros(4749) == "47,49"
    assert format_euros(5) == "0,05"
