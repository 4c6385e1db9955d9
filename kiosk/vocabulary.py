"""The kiosk's one vocabulary: the time zone, the limits, and the words shown for payment
methods and sale kinds. Services, API schemas, forms, templates and paper all read them here.

Words are plain French (the source language). `method_word` / `kind_word` translate them
for a screen; paper (receipts, Z reports, slips) is always French, so it passes
`paper=True`.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import gettext

from kiosk.models.sales import PaymentMethod, SaleKind


# The vocabulary stands below the services (they read their limits here): it imports none
# of them, and marks and translates its words itself.
def N_(message: str) -> str:
    """Marks a word for extraction (scripts/i18n.py); it is translated where shown."""
    return message


def _(message: str) -> str:
    """A word in the volunteer's language in a request, plain French elsewhere."""
    return gettext(message) if has_request_context() else message


# Times are stored in UTC and shown, dated and numbered in Paris time.
PARIS = ZoneInfo("Europe/Paris")

# --- Limits (CONTRACT.md, "Rules of the API") -------------------------------------------
MAX_QTY = 999  # pieces on one line of a sale, a move, a refund, a label batch
MAX_PRICE_CENTS = 1_000_000  # a unit price: 10 000 €
MAX_AMOUNT_CENTS = 100_000_000  # one payment, spending or transfer: 1 000 000 €
MAX_COUNT = 9999  # notes or coins of one denomination
MAX_LINES = 100  # lines in one sale
MAX_AREA_CM2 = 1_000_000  # banner area of one product
NAME_MAX = 120  # names and labels
NOTE_MAX = 500  # notes and reasons
MAX_DONATION_CENTS = 1_000_000  # a gift on top of a sale (CONTRACT, "POST /sales extras")
ADDRESS_MAX = 500  # a donor's postal address on a gift receipt
MAX_SHARE = 1000  # one envelope's share of a split (1 and 1: half each)
MAX_VOTES = 999  # hands raised for one answer at a meeting

# A sale that waited on the tablet (its outbox) carries the tablet's time of the sale: how
# far that time may run ahead of the server's clock, or of the drawer's opening and closing.
TABLET_CLOCK_SKEW = timedelta(minutes=5)
# The journal event and envelope entry kind of a sale that reached a drawer already closed.
LATE_SALE = "late_sale"
# Sales one tablet may report waiting in its outbox (POST /api/v1/tablets/heartbeat).
MAX_WAITING_REPORTED = 500
# Sales one tablet keeps as witness of the drawers still open (POST /api/v1/tablets/witness).
MAX_HELD_BY_TABLET = 2000

# --- Words --------------------------------------------------------------------------------
METHOD_WORDS: dict[str, str] = {
    PaymentMethod.CASH: N_("Espèces"),
    PaymentMethod.CHEQUE: N_("Chèque"),
    PaymentMethod.CARD: N_("Carte bancaire"),
    PaymentMethod.TRANSFER: N_("Virement"),
}
KIND_WORDS: dict[str, str] = {
    SaleKind.SALE: N_("Vente"),
    SaleKind.REFUND: N_("Remboursement"),
    SaleKind.VOID: N_("Annulation"),
    SaleKind.CONSIGNMENT: N_("Dépôt-vente"),
}


def method_word(method: str, *, paper: bool = False) -> str:
    """"Espèces", "Chèque", "Carte bancaire", "Virement": French on paper, else translated."""
    word = METHOD_WORDS[PaymentMethod(method)]
    return word if paper else _(word)


def kind_word(kind: str, *, paper: bool = False) -> str:
    """"Vente", "Remboursement", "Annulation", "Dépôt-vente"."""
    word = KIND_WORDS[SaleKind(kind)]
    return word if paper else _(word)


def method_words() -> dict[str, str]:
    """Every method's word for this screen, keyed by its code (templates, sell.js)."""
    return {str(method): method_word(method) for method in METHOD_WORDS}


def kind_words() -> dict[str, str]:
    return {str(kind): kind_word(kind) for kind in KIND_WORDS}


# What each journal entry records (its `event`), as the journal page names it.
EVENT_WORDS: dict[str, str] = {
    "sale": N_("Vente"),
    "late_sale": N_("Vente arrivée après la clôture"),
    "void": N_("Annulation"),
    "refund": N_("Remboursement"),
    "consignment": N_("Relevé de dépôt-vente"),
    "cash_open": N_("Ouverture de caisse"),
    "cash_close": N_("Clôture de caisse"),
    "takings": N_("Recette partagée dans les enveloppes"),
    "split_rule": N_("Répartition décidée"),
    "donation_rule": N_("Destination des dons décidée"),
    "gift_receipt": N_("Reçu de don"),
    "envelope_spend": N_("Dépense d'une enveloppe"),
    "envelope_transfer": N_("Virement entre enveloppes"),
    "production": N_("Pièces cousues"),
    "transfer": N_("Pièces déplacées"),
    "count": N_("Comptage du stock"),
    "gift": N_("Pièces données"),
    "loss": N_("Pièces perdues"),
    "stock": N_("Mouvement de stock"),
    "seals_begin": N_("Début des sceaux : le journal d'avant est scellé ici"),
    "order": N_("Commande d'un partenaire"),
    "order_made": N_("Pièces cousues pour une commande"),
    "delivery": N_("Livraison d'une commande"),
    "invoice": N_("Facture"),
    "credit_note": N_("Avoir"),
    "order_payment": N_("Paiement d'une facture"),
    "meeting": N_("Réunion du groupe"),  # issue 30
    "decision": N_("Décision du groupe"),
}

# How a partner pays an order's invoices (never cash or card: those are the stall's).
ORDER_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.CHEQUE)
MAX_ORDER_LINES = 50  # lines on one order
INVOICE_DAYS = 30  # an invoice is due this many days after it is issued


def event_word(event: str) -> str:
    """The journal's event code in words; an unknown code (a newer kiosk's) as it is."""
    word = EVENT_WORDS.get(event)
    return _(word) if word else event


# The largest id a path, a query or a body may name: PostgreSQL's integer (SQLite's is
# 2^63 - 1); anything larger names nothing and is refused as such, never a 5xx.
MAX_ID = 2**31 - 1

# The days a period (reports, exports) may name: the kiosk's figures start in 2020, and
# the arithmetic of a period's end must never leave the calendar.
FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2100, 12, 31)
