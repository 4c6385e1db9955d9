"""The rules of a sale, a refund and a consignment statement: limits, checks, change,
commission and what "the whole sale" means. Plain functions of plain values: no database.

The numbers come from kiosk/vocabulary.py, which the API schemas and the forms read too,
so a limit is the same wherever it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.errors import InvalidInput, ServiceError
from kiosk.ledger.money import format_money
from kiosk.models.sales import PaymentMethod, SaleKind
from kiosk.text import _
from kiosk.vocabulary import (
    ADDRESS_MAX,
    MAX_AMOUNT_CENTS,
    MAX_DONATION_CENTS,
    MAX_LINES,
    MAX_PRICE_CENTS,
    MAX_QTY,
    NAME_MAX,
    NOTE_MAX,
    TABLET_CLOCK_SKEW,
)

__all__ = ["MAX_AMOUNT_CENTS", "MAX_DONATION_CENTS", "MAX_LINES", "MAX_PRICE_CENTS",
           "MAX_QTY", "NOTE_MAX"]

POS_METHODS = (PaymentMethod.CASH, PaymentMethod.CHEQUE, PaymentMethod.CARD)
REFUNDABLE_KINDS = (SaleKind.SALE, SaleKind.CONSIGNMENT)


@dataclass(frozen=True)
class LineRequest:
    sku: str
    qty: int
    unit_price_cents: int | None = None


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount_cents: int  # cash: what the customer handed over


@dataclass(frozen=True)
class Settled:
    """One payment as it settles the total: cash gives its change back."""

    method: str
    amount_cents: int  # what it settles of the total
    tendered_cents: int  # what was handed over
    change_cents: int


# --- a sale at the stall ------------------------------------------------------------------

def check_cart(lines: Sequence[LineRequest], payments: Sequence[PaymentRequest],
               donation_cents: int = 0) -> None:
    """The cart's shape, before anything is read: lines, quantities, prices, payments,
    the gift. A gift alone (no line) is a gift without purchase."""
    if isinstance(donation_cents, bool) or not isinstance(donation_cents, int) or not (
            0 <= donation_cents <= MAX_DONATION_CENTS):
        raise InvalidInput("donation", "Un don va de 0 à 10 000 €.")
    if not lines and not donation_cents:
        raise InvalidInput("empty_cart", "Le panier est vide : touchez un article d'abord.")
    if len(lines) > MAX_LINES:
        raise InvalidInput("too_many_lines", "%(n)s lignes au plus par vente.", n=MAX_LINES)
    for line in lines:
        if not 1 <= line.qty <= MAX_QTY:
            raise InvalidInput("qty", "La quantité va de 1 à %(max)s : corrigez-la, puis "
                               "recommencez.", max=MAX_QTY)
        if line.unit_price_cents is not None and not (
                0 <= line.unit_price_cents <= MAX_PRICE_CENTS):
            raise InvalidInput("price", "Le prix va de 0 à 10 000 € : vérifiez le prix tapé "
                               "(12,50 pour douze euros cinquante).")
    for payment in payments:
        if payment.method not in POS_METHODS:
            raise InvalidInput("method", "Le paiement se fait en espèces, chèque ou carte.")
        if not 1 <= payment.amount_cents <= MAX_AMOUNT_CENTS:
            raise InvalidInput("amount", "Un paiement va de 0,01 € à 1 000 000 € : vérifiez le "
                               "montant tapé (3,50 pour trois euros cinquante).")


def check_change_held(change_cents: int, held_cents: int) -> None:
    """Change comes out of what the drawer already holds (float + cash in − change
    given): 999 996 € back from a 30 € drawer is a mistyped amount, not a sale."""
    if change_cents > max(held_cents, 0):
        raise InvalidInput("change_beyond_drawer",
                           "La caisse ne contient que %(held)s : impossible de rendre "
                           "%(change)s. Vérifiez le montant donné par la cliente.",
                           held=format_money(max(held_cents, 0)),
                           change=format_money(change_cents))


def settle(total: int, payments: Sequence[PaymentRequest], donation_cents: int = 0
           ) -> tuple[list[Settled], int]:
    """Payments for `total` and the gift on top: non-cash pays at most the two, cash gets
    the change back (cash − total − gift). → (the payments to write, in order; the
    change). A payment of nothing is dropped."""
    total += donation_cents  # what the payments must cover (CONTRACT, "POST /sales extras")
    paid = sum(p.amount_cents for p in payments)
    not_cash = sum(p.amount_cents for p in payments if p.method != PaymentMethod.CASH)
    if paid < total:
        raise InvalidInput("short_payment", "Il manque %(amount)s : ajoutez un paiement.",
                           amount=format_money(total - paid))
    if not_cash > total:
        raise InvalidInput("overpaid", "Un chèque ou une carte ne peut pas dépasser le total : "
                           "la monnaie ne se rend qu'en espèces.")
    change = paid - total
    settled: list[Settled] = []
    change_left = change
    for payment in reversed(payments):  # the change comes out of the last cash handed over
        if payment.method == PaymentMethod.CASH:
            given_back = min(change_left, payment.amount_cents)
            change_left -= given_back
        else:
            given_back = 0
        settled.append(Settled(payment.method, payment.amount_cents - given_back,
                               payment.amount_cents, given_back))
    settled.reverse()
    return [s for s in settled if s.amount_cents or s.tendered_cents], change


def check_donor(name: str, address: str) -> tuple[str, str]:
    """The donor on a gift receipt, as the volunteer typed them: both required."""
    name, address = (name or "").strip(), " ".join((address or "").split())
    if not 1 <= len(name) <= NAME_MAX or any(ord(ch) < 32 for ch in name):
        raise InvalidInput("donor_name", "Écrivez le nom de la donatrice ou du donateur "
                           "(120 caractères au plus).")
    if not 1 <= len(address) <= ADDRESS_MAX or any(ord(ch) < 32 for ch in address):
        raise InvalidInput("donor_address", "Écrivez son adresse (500 caractères au plus).")
    return name, address


# --- voids and refunds ----------------------------------------------------------------------

def check_sold_at(sold_at: datetime, opened_at: datetime, now: datetime) -> None:
    """The tablet's time of a sale that waited on it: not ahead of the server's clock, nor
    before its drawer opened, beyond TABLET_CLOCK_SKEW (the two clocks never quite agree)."""
    if sold_at > now + TABLET_CLOCK_SKEW:
        raise InvalidInput("sold_at", "L'heure de la vente est dans le futur : l'horloge de "
                           "la tablette ou du serveur est fausse. Demandez à "
                           "l'administratrice de la régler.")
    if sold_at < opened_at - TABLET_CLOCK_SKEW:
        raise InvalidInput("sold_at", "L'heure de la vente est avant l'ouverture de la "
                           "caisse : l'horloge de la tablette ou du serveur est fausse. "
                           "Demandez à l'administratrice de la régler.")


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= NOTE_MAX or any(ord(ch) < 32 for ch in reason):
        raise InvalidInput("reason", "Dites en quelques mots pourquoi (500 caractères au plus).")
    return reason


def check_refund_qty(qty: int) -> int:
    if not 1 <= qty <= MAX_QTY:
        raise InvalidInput("qty", "La quantité va de 1 à %(max)s : corrigez-la, puis "
                               "recommencez.", max=MAX_QTY)
    return qty


def is_refundable(kind: str) -> bool:
    """A sale or a consignment statement can be refunded; a refund or a void cannot."""
    return kind in REFUNDABLE_KINDS


def refund_method(payments: Iterable[tuple[str, int]]) -> str:
    """Money goes back the way most of it came: (method, amount) → the largest's method."""
    payments = list(payments)
    if not payments:
        return PaymentMethod.CASH
    return max(payments, key=lambda p: p[1])[0]


def refund_lines(sold: Iterable[tuple[str, int]], asked: Mapping[str, int]
                 ) -> list[tuple[str, int]] | None:
    """What a refund form asks for: None (the whole sale) when every quantity is left as
    sold, else the (SKU, quantity) lines asked for, without those at 0.

    `sold` is the sale's lines as (SKU, quantity), a SKU possibly on several lines;
    `asked` is the quantity typed per SKU (missing: 0)."""
    per_sku: dict[str, int] = {}
    for sku, qty in sold:
        per_sku[sku] = per_sku.get(sku, 0) + qty
    lines = [(sku, asked.get(sku, 0)) for sku in per_sku if asked.get(sku, 0)]
    whole = all(asked.get(sku, 0) == qty for sku, qty in per_sku.items())
    return None if whole else lines


# --- consignment statements -----------------------------------------------------------------

def check_statement_price(price: object) -> int:
    if isinstance(price, bool) or not isinstance(price, int) or not (
            0 <= price <= MAX_PRICE_CENTS):
        raise InvalidInput("unit_price_cents", _("Le prix doit être entre 0 et 10 000 €."))
    return price


def commission_for(total_cents: int, commission_bp: int) -> int:
    """The shop's share, rounded half up to the cent (10 % of 12,35 € is 1,24 €)."""
    return (total_cents * commission_bp + 5000) // 10000


def percent_text(commission_bp: int) -> str:
    """Basis points as a volunteer types a percent: 1000 → "10", 1250 → "12,5"."""
    return f"{commission_bp / 100:g}".replace(".", ",")


def parse_percent(text: str) -> int:
    """`10` or `12,5` (%) → basis points."""
    cleaned = text.strip().replace("%", "").replace(",", ".").replace(" ", "")
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", cleaned) or float(cleaned) > 100:
        raise InvalidInput("commission", _("La commission est un pourcentage de 0 à 100, "
                                           "par exemple 10."))
    units, _sep, decimals = cleaned.partition(".")
    return int(units) * 100 + int((decimals + "00")[:2])


def check_price(sku: str, asked_cents: int | None, catalogue_cents: int,
                may_set_prices: bool, min_price_cents: int | None = None) -> None:
    """Another price than the catalogue's needs the treasurer's role (CONTRACT, "Sales"),
    except on a free-price product (`min_price_cents` not None): anyone may sell it at or
    above its minimum, nobody under it."""
    if min_price_cents is not None and asked_cents is not None:
        if asked_cents < min_price_cents:
            raise InvalidInput("under_minimum", "%(sku)s est à prix libre, mais pas moins de "
                               "%(amount)s.", sku=sku, amount=format_money(min_price_cents))
        return
    if asked_cents is None or asked_cents == catalogue_cents or may_set_prices:
        return
    raise ServiceError("price_not_allowed", "Le prix de %(sku)s est celui du catalogue : "
                       "seule la trésorière peut en choisir un autre.", status=403, sku=sku)
