"""Each rule at its edge: the limit itself passes, one more is refused, and the refusal
says the limit from kiosk/vocabulary.py (never a number typed again in the message)."""

from __future__ import annotations

import pytest

from kiosk.cash import routes as cash_pages
from kiosk.common import fields as shared_fields
from kiosk.errors import InvalidInput, ServiceError
from kiosk.ledger.money import split_largest_remainder
from kiosk.sales import rules
from kiosk.sales.rules import LineRequest, PaymentRequest
from kiosk.services import cash, closing, envelopes, stock
from kiosk.vocabulary import (
    FIRST_DAY,
    LAST_DAY,
    MAX_AMOUNT_CENTS,
    MAX_COUNT,
    MAX_DONATION_CENTS,
    MAX_LINES,
    MAX_PRICE_CENTS,
    MAX_QTY,
    MAX_SHARE,
)
from tests.closing_helpers import open_session
from tests.conftest import csrf_token, web_login
from tests.test_gifts import make_free_price, sell

# --- the free price: at its minimum is allowed (a "<" turned "<=" must fail here) ----------


def test_a_free_price_sale_at_exactly_its_minimum_goes_through(client, seller_headers):
    make_free_price(minimum=300)
    session_id = open_session(client, seller_headers)
    at = sell(client, seller_headers, session_id,
              [{"sku": "POCH-VILLE", "qty": 1, "unit_price_cents": 300}],
              [{"method": "cash", "amount_cents": 300}])
    assert at.status_code == 201, at.get_json()
    assert at.get_json()["total_cents"] == 300
    under = sell(client, seller_headers, session_id,
                 [{"sku": "POCH-VILLE", "qty": 1, "unit_price_cents": 299}],
                 [{"method": "cash", "amount_cents": 300}])
    assert under.status_code == 400 and under.get_json()["error"] == "under_minimum"


@pytest.mark.parametrize("asked, refused", [(299, True), (300, False), (301, False)])
def test_the_free_price_rule_at_the_minimum_and_one_cent_either_side(asked, refused):
    def check() -> None:
        rules.check_price("POCH-VILLE", asked, 750, False, 300)

    if refused:
        with pytest.raises(InvalidInput, match="pas moins de"):
            check()
    else:
        check()


# --- the largest remainder: unequal weights (the leftover cent to the smallest remainder
# must fail here) ------------------------------------------------------------------------

@pytest.mark.parametrize("amount, weights, parts", [
    (100, {"a": 1, "b": 2}, {"a": 33, "b": 67}),  # 33,33 and 66,67: the cent to b
    (100, {"a": 2, "b": 1}, {"a": 67, "b": 33}),  # whatever the order
    (-100, {"a": 1, "b": 2}, {"a": -33, "b": -67}),  # a shortfall shared the same way
    (10, {"a": 3, "b": 3, "c": 1}, {"a": 4, "b": 4, "c": 2}),  # 4,29 4,29 1,43
    (200, {"a": 1, "b": 1, "c": 1}, {"a": 67, "b": 67, "c": 66}),  # ties: the order given
    (7, {"a": 5, "b": 3, "c": 2}, {"a": 4, "b": 2, "c": 1}),  # 3,5 2,1 1,4
    (1, {"a": 1, "b": 1000}, {"a": 0, "b": 1}),
])
def test_the_leftover_cents_go_to_the_largest_remainders(amount, weights, parts):
    assert split_largest_remainder(amount, weights) == parts


# --- each limit at N and N + 1 --------------------------------------------------------------

def cart(qty=1, price=None, donation=0, lines=1) -> None:
    rules.check_cart([LineRequest("SAC-VILLE", qty, price)] * lines,
                     [PaymentRequest("cash", 100)], donation)


@pytest.mark.parametrize("call, limit, code", [
    (lambda n: cart(qty=n), MAX_QTY, "qty"),
    (lambda n: cart(price=n), MAX_PRICE_CENTS, "price"),
    (lambda n: cart(donation=n), MAX_DONATION_CENTS, "donation"),
    (lambda n: cart(lines=n), MAX_LINES, "too_many_lines"),
    (rules.check_refund_qty, MAX_QTY, "qty"),
    (stock.check_qty, MAX_QTY, "invalid_qty"),
    (lambda n: cash.validate_counts({100: n}), MAX_COUNT, "count"),
    (envelopes.check_amount, MAX_AMOUNT_CENTS, "amount"),
    (lambda n: closing._clean_cheques([closing.ChequeIn(n)]), MAX_AMOUNT_CENTS,
     "cheque_amount"),
    (lambda n: closing._clean_cheques([closing.ChequeIn(100)] * n), closing.MAX_CHEQUES,
     "cheques"),
])
def test_each_limit_passes_and_one_more_is_refused(call, limit, code):
    call(limit)
    with pytest.raises(ServiceError) as refused:
        call(limit + 1)
    assert refused.value.code == code


@pytest.mark.parametrize("call, low, code", [
    (lambda n: cart(qty=n), 1, "qty"),
    (rules.check_refund_qty, 1, "qty"),
    (stock.check_qty, 1, "invalid_qty"),
    (envelopes.check_amount, 1, "amount"),
    (lambda n: cash.validate_counts({100: n}), 0, "count"),
    (lambda n: cart(price=n), 0, "price"),
])
def test_each_floor_passes_and_one_less_is_refused(call, low, code):
    call(low)
    with pytest.raises(ServiceError) as refused:
        call(low - 1)
    assert refused.value.code == code


# --- messages say the constants --------------------------------------------------------------

@pytest.mark.parametrize("module, name, call, said", [
    (rules, "MAX_QTY", lambda: cart(qty=51), "1 à 50"),
    (rules, "MAX_QTY", lambda: rules.check_refund_qty(51), "1 à 50"),
    (cash, "MAX_COUNT", lambda: cash.validate_counts({100: 51}), "0 à 50"),
    (stock, "MAX_QTY", lambda: stock.check_qty(51), "1 à 50"),
])
def test_a_refusal_says_the_limit_in_force(monkeypatch, module, name, call, said):
    """Lower the limit: the message follows it (it was typed as "999" and "9999")."""
    monkeypatch.setattr(module, name, 50)
    with pytest.raises(ServiceError) as refused:
        call()
    assert said in refused.value.message


def test_the_close_form_says_the_count_limit(client, seller_headers, monkeypatch):
    monkeypatch.setattr(cash_pages, "MAX_COUNT", 50)
    session_id = open_session(client, seller_headers)
    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, f"/sessions/{session_id}/close")
    answer = client.post(f"/sessions/{session_id}/close", data={
        "csrf_token": token, "action": "preview", "count-1000": "51"})
    assert "0 à 50" in answer.get_data(as_text=True)


# --- the cash book's years: those the kiosk can have figures for ------------------------------

def test_the_cash_book_years_are_those_of_the_vocabulary(demo, client):
    web_login(client, "Tresoriere", "2345")

    def status(year: int) -> int:
        return client.get(f"/exports/cash-book.pdf?year={year}").status_code

    assert status(FIRST_DAY.year - 1) == 400  # was allowed: 2000 <= year
    assert status(FIRST_DAY.year) == 200
    assert status(LAST_DAY.year) == 200
    assert status(LAST_DAY.year + 1) == 400


# --- one idiom for a page's refusals (refusals, kiosk/common/views.py) ----------------------

def test_a_refused_project_code_is_flashed_and_nothing_is_saved(demo, client):
    """The projects form refuses through refusals(flash_it=True): a red message on the exports
    page, the transaction rolled back (the first envelope's good code is not kept)."""
    from sqlalchemy import select

    from kiosk.extensions import db
    from kiosk.models import Envelope

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    refused = client.post("/exports/projects", data={
        "csrf_token": token, "project-solidarite": "Bon code",
        "project-loisirs": "x" * 65}, follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "64 caractères au plus" in page
    assert "Projets enregistrés" not in page
    db.session.rollback()
    assert db.session.scalars(select(Envelope.project_code)).all() == [None, None]


def test_no_page_catches_a_refusal_by_hand():
    """Every view runs what a service may refuse inside refusals() (kiosk/common/views.py):
    the rollback and the answer (the form again with its status, or a red message) are
    decided in one place. Only the command line, which has no page, catches it itself."""
    import re
    from pathlib import Path

    import kiosk

    root = Path(kiosk.__file__).parent
    allowed = {root / "cli.py", root / "common" / "views.py"}
    catching = re.compile(r"^\s*except\b[^:\n]*\bServiceError\b", re.MULTILINE)
    by_hand = [str(path.relative_to(root)) for path in root.rglob("*.py")
               if path not in allowed and catching.search(path.read_text(encoding="utf-8"))]
    assert by_hand == []
    assert "flash_refusals" not in (root / "common" / "views.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("share, refused", [(MAX_SHARE, False), (MAX_SHARE + 1, True)])
def test_a_split_share_at_its_limit_and_one_more(demo, client, share, refused):
    """The envelopes page's split: a share of MAX_SHARE passes, one more is refused with the
    limit said from the vocabulary (it was typed as "0 à 1000" in the message)."""
    web_login(client, "Tresoriere", "2345")
    answer = client.post("/envelopes/rules", data={
        "csrf_token": csrf_token(client, "/envelopes"), "weight-solidarite": str(share),
        "weight-loisirs": "1", "effective_from": LAST_DAY.isoformat(),
        "decision": "Décidé en réunion"})
    assert answer.status_code == (400 if refused else 302)
    said = f"de 0 à {MAX_SHARE}, par exemple" in answer.get_data(as_text=True)
    assert said is refused


def test_the_split_form_says_the_share_limit_in_force(demo, client, monkeypatch):
    monkeypatch.setattr(shared_fields, "MAX_SHARE", 50)
    web_login(client, "Tresoriere", "2345")
    answer = client.post("/envelopes/rules", data={
        "csrf_token": csrf_token(client, "/envelopes"), "weight-solidarite": "51",
        "effective_from": LAST_DAY.isoformat()})
    assert answer.status_code == 400 and "de 0 à 50, par exemple" in answer.get_data(
        as_text=True)


def test_no_page_reads_a_form_by_hand():
    """Every HTML form is a form class (forms.py beside its routes, fields from
    kiosk/common/fields.py): only kiosk/common reads request.form itself (the control
    characters refused at the door, the boxes of a count)."""
    from pathlib import Path

    import kiosk

    root = Path(kiosk.__file__).parent
    by_hand = [f"{path.relative_to(root)}:{number}"
               for path in sorted(root.rglob("*.py")) if "common" not in path.parts
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if "request.form" in line]
    assert by_hand == []
