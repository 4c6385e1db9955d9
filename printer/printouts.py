"""The printouts (a receipt, a report, a label) as the plain data the kiosk hands over: no
database, no Flask. render.py turns them into ESC/POS."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReceiptLine:
    name: str
    qty: int
    unit_price_cents: int
    total_cents: int
    # Set when the price was chosen instead of the catalogue's: paper names both.
    catalogue_price_cents: int | None = None


@dataclass
class PaymentLine:
    label: str
    amount_cents: int


@dataclass
class Receipt:
    header: list[str]
    number: str
    when: str
    seller: str
    lines: list[ReceiptLine]
    total_cents: int
    payments: list[PaymentLine]
    cash_given_cents: int | None
    change_cents: int
    footer: list[str]
    qr: str | None = None
    duplicate: bool = False
    title: str = ""  # e.g. "REMBOURSEMENT", "ANNULATION"
    donation_cents: int = 0  # a gift on top of the price, printed apart
    demo: bool = False  # the demo's data: "DÉMO" above and below, never taken for real


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]]


@dataclass
class Report:
    """A Z report, a hand-over slip, the test ticket: titled sections of label/value rows."""

    title: str
    header: list[str]
    sections: list[Section]
    footer: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)  # each prints as a line to sign on
    duplicate: bool = False
    demo: bool = False


@dataclass
class Label:
    name: str
    price_cents: int
    sku: str
    qr_payload: str


Document = Receipt | Report | Label | list[Label]
