"""The one place a journaled row is built: sales, sale_lines, payments, stock_moves,
consignment_statements and envelope_entries; a drawer's cash_sessions, cash_count_lines,
cash_session_closures and cheques; the group's decisions (split_rules and their parts,
donation_rules), the accounts of a spending, gift receipts; a partner's orders, their
lines, the pieces made and delivered for them, invoices, credit notes and payments.

Each builder returns a dict holding EVERY column of its table, id included: that dict is
both what is inserted (write.write_event) and what the journal digests, so nothing is
filled in later by a model default the digest never saw, and nothing is read back.
Ids come from write.next_ids / write.ids_from, taken before writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table

from kiosk.ledger import journal
from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    ConsignmentStatement,
    CreditNote,
    DailyTotal,
    Delivery,
    DeliveryLine,
    DonationRule,
    EnvelopeEntry,
    EnvelopeSpendAccount,
    GiftReceipt,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    OrderMade,
    OrderPayment,
    Payment,
    Sale,
    SaleLine,
    SplitRule,
    SplitRulePart,
    StockMove,
)
from kiosk.models.reports import MADE
from kiosk.models.sales import is_gift_only
from kiosk.models.stock import MoveReason
from kiosk.vocabulary import PARIS

Row = dict[str, Any]

SALES: Table = Sale.__table__
LINES: Table = SaleLine.__table__
PAYMENTS: Table = Payment.__table__
MOVES: Table = StockMove.__table__
STATEMENTS: Table = ConsignmentStatement.__table__
ENVELOPE_ENTRIES: Table = EnvelopeEntry.__table__
CASH_SESSIONS: Table = CashSession.__table__
COUNT_LINES: Table = CashCountLine.__table__
CLOSURES: Table = CashSessionClosure.__table__
CHEQUES: Table = Cheque.__table__
ORDERS: Table = Order.__table__
ORDER_LINES: Table = OrderLine.__table__
ORDER_MADE: Table = OrderMade.__table__
DELIVERIES: Table = Delivery.__table__
DELIVERY_LINES: Table = DeliveryLine.__table__
INVOICES: Table = Invoice.__table__
INVOICE_LINES: Table = InvoiceLine.__table__
CREDIT_NOTES: Table = CreditNote.__table__
ORDER_PAYMENTS: Table = OrderPayment.__table__
DAILY_TOTALS: Table = DailyTotal.__table__
SPLIT_RULES: Table = SplitRule.__table__
SPLIT_RULE_PARTS: Table = SplitRulePart.__table__
DONATION_RULES: Table = DonationRule.__table__
SPEND_ACCOUNTS: Table = EnvelopeSpendAccount.__table__
GIFT_RECEIPTS: Table = GiftReceipt.__table__


# --- a sale and what it writes with it -------------------------------------------------------

def sale(*, id: int, number: str, year: int, seq: int, client_id: str, request_hash: str,
         kind: str, cash_session_id: int | None, location_id: int, user_id: int,
         total_cents: int, created_at: datetime, refund_of_id: int | None = None,
         reason: str = "", change_cents: int = 0, donation_cents: int = 0,
         sold_at: datetime | None = None) -> Row:
    """`donation_cents`: the gift on top of the price (negative on its void); `sold_at`: the
    tablet's time of a sale that waited on it."""
    return {"id": id, "number": number, "year": year, "seq": seq, "client_id": client_id,
            "request_hash": request_hash, "kind": str(kind),
            "cash_session_id": cash_session_id, "location_id": location_id,
            "user_id": user_id, "refund_of_id": refund_of_id, "reason": reason,
            "total_cents": total_cents, "change_cents": change_cents, "created_at": created_at,
            "donation_cents": donation_cents, "sold_at": sold_at}


def line(*, id: int, sale_id: int, product_id: int, qty: int, unit_price_cents: int,
         catalogue_price_cents: int | None = None) -> Row:
    """A sale line: its total is its quantity times its price (negative on a refund).
    `catalogue_price_cents`: the catalogue's price then, when a sale chose the price."""
    return {"id": id, "sale_id": sale_id, "product_id": product_id, "qty": qty,
            "unit_price_cents": unit_price_cents, "line_total_cents": qty * unit_price_cents,
            "catalogue_price_cents": catalogue_price_cents}


def payment(*, id: int, sale_id: int, method: str, amount_cents: int,
            tendered_cents: int | None = None, change_cents: int = 0) -> Row:
    """`tendered_cents`: what was handed over (cash); otherwise the amount itself.
    The cheque number column stays empty: the cheques of a drawer are counted at closing."""
    return {"id": id, "sale_id": sale_id, "method": str(method), "amount_cents": amount_cents,
            "tendered_cents": amount_cents if tendered_cents is None else tendered_cents,
            "change_cents": change_cents, "cheque_number": ""}


def move(*, id: int, product_id: int, location_id: int, qty: int, reason: str,
         user_id: int | None, created_at: datetime, sale_id: int | None = None,
         banner_lot_id: int | None = None, group_ref: str | None = None,
         note: str = "") -> Row:
    """One signed stock move (a sale's is the quantity leaving, so negative)."""
    return {"id": id, "product_id": product_id, "location_id": location_id, "qty": qty,
            "reason": str(reason), "banner_lot_id": banner_lot_id, "sale_id": sale_id,
            "group_ref": group_ref, "note": note, "user_id": user_id,
            "created_at": created_at}


def statement(*, id: int, location_id: int, sale_id: int, period_label: str,
              commission_cents: int, paid_cents: int, user_id: int,
              created_at: datetime) -> Row:
    return {"id": id, "location_id": location_id, "sale_id": sale_id,
            "period_label": period_label, "commission_cents": commission_cents,
            "paid_cents": paid_cents, "user_id": user_id, "created_at": created_at}


def envelope_entry(*, id: int, envelope_id: int, amount_cents: int, kind: str,
                   label: str, entry_date: date, created_by: int | None,
                   created_at: datetime, cash_session_id: int | None = None,
                   sale_id: int | None = None, receipt_ref: str = "",
                   group_ref: str | None = None) -> Row:
    return {"id": id, "envelope_id": envelope_id, "amount_cents": amount_cents,
            "kind": kind, "label": label[:120], "entry_date": entry_date,
            "receipt_ref": receipt_ref, "cash_session_id": cash_session_id,
            "sale_id": sale_id, "group_ref": group_ref, "created_by": created_by,
            "created_at": created_at}


def takings_entries(ids: Sequence[int], shares: Sequence[tuple[int, int]], *,
                    kind: str, label: str, on: date, created_by: int | None,
                    created_at: datetime, cash_session_id: int | None = None,
                    sale_id: int | None = None, receipt_ref: str = "") -> list[Row]:
    """Takings shared between envelopes: one entry per (envelope id, cents) share."""
    return [envelope_entry(id=entry_id, envelope_id=envelope_id, amount_cents=cents,
                           kind=kind, label=label, entry_date=on, created_by=created_by,
                           created_at=created_at, cash_session_id=cash_session_id,
                           sale_id=sale_id, receipt_ref=receipt_ref)
            for entry_id, (envelope_id, cents) in zip(ids, shares, strict=True)]


# --- a partner's order and what follows it (kiosk/sales/partner_orders.py) -----------------

def order(*, id: int, number: str, year: int, seq: int, partner_id: int,
          banner_lot_id: int | None, wished_on: date | None, note: str, total_cents: int,
          user_id: int, created_at: datetime) -> Row:
    return {"id": id, "number": number, "year": year, "seq": seq, "partner_id": partner_id,
            "banner_lot_id": banner_lot_id, "wished_on": wished_on, "note": note,
            "total_cents": total_cents, "user_id": user_id, "created_at": created_at}


def order_line(*, id: int, order_id: int, product_id: int | None, description: str, qty: int,
               unit_price_cents: int) -> Row:
    return {"id": id, "order_id": order_id, "product_id": product_id,
            "description": description, "qty": qty, "unit_price_cents": unit_price_cents,
            "line_total_cents": qty * unit_price_cents}


def order_made(*, id: int, order_id: int, stock_move_id: int) -> Row:
    return {"id": id, "order_id": order_id, "stock_move_id": stock_move_id}


def delivery(*, id: int, number: str, year: int, seq: int, order_id: int, user_id: int,
             created_at: datetime) -> Row:
    return {"id": id, "number": number, "year": year, "seq": seq, "order_id": order_id,
            "user_id": user_id, "created_at": created_at}


def delivery_line(*, id: int, delivery_id: int, order_line_id: int, qty: int,
                  stock_move_id: int) -> Row:
    return {"id": id, "delivery_id": delivery_id, "order_line_id": order_line_id, "qty": qty,
            "stock_move_id": stock_move_id}


def invoice(*, id: int, number: str, year: int, seq: int, order_id: int, partner_name: str,
            partner_address: str, issued_on: date, due_on: date, total_cents: int,
            user_id: int, created_at: datetime, purchase_order: str = "") -> Row:
    return {"id": id, "number": number, "year": year, "seq": seq, "order_id": order_id,
            "partner_name": partner_name, "partner_address": partner_address,
            "issued_on": issued_on, "due_on": due_on, "total_cents": total_cents,
            "user_id": user_id, "created_at": created_at, "purchase_order": purchase_order}


def invoice_line(*, id: int, invoice_id: int, order_line_id: int, description: str, qty: int,
                 unit_price_cents: int) -> Row:
    return {"id": id, "invoice_id": invoice_id, "order_line_id": order_line_id,
            "description": description, "qty": qty, "unit_price_cents": unit_price_cents,
            "line_total_cents": qty * unit_price_cents}


def credit_note(*, id: int, number: str, year: int, seq: int, invoice_id: int, reason: str,
                amount_cents: int, user_id: int, created_at: datetime) -> Row:
    return {"id": id, "number": number, "year": year, "seq": seq, "invoice_id": invoice_id,
            "reason": reason, "amount_cents": amount_cents, "user_id": user_id,
            "created_at": created_at}


def order_payment(*, id: int, order_id: int, method: str, amount_cents: int, reference: str,
                  received_on: date, user_id: int, created_at: datetime) -> Row:
    return {"id": id, "order_id": order_id, "method": str(method),
            "amount_cents": amount_cents, "reference": reference, "received_on": received_on,
            "user_id": user_id, "created_at": created_at}


# --- a drawer's day: opened (services/cash.py), closed (services/closing.py) ---------------

def cash_session(*, id: int, name: str, location_id: int, opened_by: int,
                 opened_at: datetime, float_cents: int) -> Row:
    return {"id": id, "name": name, "location_id": location_id, "opened_by": opened_by,
            "opened_at": opened_at, "float_cents": float_cents}


def count_line(*, id: int, cash_session_id: int, moment: str, denomination_cents: int,
               count: int) -> Row:
    return {"id": id, "cash_session_id": cash_session_id, "moment": moment,
            "denomination_cents": denomination_cents, "count": count}


def closure(*, id: int, cash_session_id: int, closed_by: int, closed_at: datetime,
            expected_cash_cents: int, counted_cash_cents: int, revenue_cents: int,
            cheque_total_cents: int, card_total_cents: int, split_rule_id: int | None,
            journal_hash: str) -> Row:
    return {"id": id, "cash_session_id": cash_session_id, "closed_by": closed_by,
            "closed_at": closed_at, "expected_cash_cents": expected_cash_cents,
            "counted_cash_cents": counted_cash_cents,
            "difference_cents": counted_cash_cents - expected_cash_cents,
            "revenue_cents": revenue_cents, "cheque_total_cents": cheque_total_cents,
            "card_total_cents": card_total_cents, "split_rule_id": split_rule_id,
            "journal_hash": journal_hash}


def cheque(*, id: int, cash_session_id: int, amount_cents: int, drawer: str = "",
           bank: str = "", number: str = "") -> Row:
    return {"id": id, "cash_session_id": cash_session_id, "amount_cents": amount_cents,
            "drawer": drawer, "bank": bank, "number": number}


# --- the group's decisions, a spending's accounts, a gift receipt ---------------------------

def split_rule(*, id: int, effective_from: date, decision: str, created_by: int | None,
               created_at: datetime) -> Row:
    return {"id": id, "effective_from": effective_from, "decision": decision,
            "created_by": created_by, "created_at": created_at}


def split_rule_part(*, id: int, split_rule_id: int, envelope_id: int, weight: int) -> Row:
    return {"id": id, "split_rule_id": split_rule_id, "envelope_id": envelope_id,
            "weight": weight}


def donation_rule(*, id: int, effective_from: date, envelope_id: int | None, decision: str,
                  created_by: int | None, created_at: datetime) -> Row:
    return {"id": id, "effective_from": effective_from, "envelope_id": envelope_id,
            "decision": decision, "created_by": created_by, "created_at": created_at}


def spend_account(*, id: int, envelope_entry_id: int, charge_account: str,
                  paid_from: str) -> Row:
    return {"id": id, "envelope_entry_id": envelope_entry_id,
            "charge_account": charge_account, "paid_from": paid_from}


def gift_receipt(*, id: int, number: str, year: int, seq: int, sale_id: int,
                 amount_cents: int, method: str, donor_name: str, donor_address: str,
                 created_by: int | None, created_at: datetime) -> Row:
    return {"id": id, "number": number, "year": year, "seq": seq, "sale_id": sale_id,
            "amount_cents": amount_cents, "method": str(method), "donor_name": donor_name,
            "donor_address": donor_address, "created_by": created_by,
            "created_at": created_at}


# --- an event: its rows, their digests, the stock they move ----------------------------------

Tables = list[tuple[Table, list[Row]]]


def digests(tables: Iterable[tuple[Table, Iterable[Row]]]) -> list[list[Any]]:
    """The journal entry's digests of these rows, in the order given."""
    return [digest for table, rows in tables for digest in journal.digest_rows(table.name, rows)]


def deltas(moves: Iterable[Row]) -> dict[tuple[int, int], int]:
    """What the moves add to each cached level (product, location)."""
    added: dict[tuple[int, int], int] = {}
    for row in moves:
        key = (row["product_id"], row["location_id"])
        added[key] = added.get(key, 0) + row["qty"]
    return added


TotalKey = tuple[date, str, int, int, int, int]  # DailyTotal's key, in its column order


def totals(tables: Iterable[tuple[Table, Iterable[Row]]]) -> dict[TotalKey, list[int]]:
    """What the rows add to the day's totals (DailyTotal): [count, qty, cents, gifts] per
    key. A sale's lines come in the same event as the sale (they take its day, kind and
    place); pieces sewn are the production moves."""
    added: dict[TotalKey, list[int]] = {}

    def add(key: TotalKey, count: int, qty: int, cents: int, gift: int = 0) -> None:
        values = added.setdefault(key, [0, 0, 0, 0])
        values[0] += count
        values[1] += qty
        values[2] += cents
        values[3] += gift

    by_table = {table.name: list(table_rows) for table, table_rows in tables}
    of_sale: dict[int, tuple[date, str, int, int]] = {}
    with_lines = {row["sale_id"] for row in by_table.get(LINES.name, ())}
    for row in by_table.get(SALES.name, ()):
        where = (row["created_at"].astimezone(PARIS).date(), row["kind"],
                 row["location_id"], row["cash_session_id"] or 0)
        of_sale[row["id"]] = where
        # A gift-only ticket (or its void) is a gift, not a sale: counted 0, as on the Z.
        gift_only = is_gift_only(row["kind"], row["total_cents"],
                                 row.get("donation_cents", 0), row["id"] in with_lines)
        # gifts: the sales' donation_cents once that column exists, 0 until then
        add((*where, 0, 0), 0 if gift_only else 1, 0, row["total_cents"],
            row.get("donation_cents", 0))
    for row in by_table.get(LINES.name, ()):
        where = of_sale[row["sale_id"]]
        add((*where, 0, 0), 0, row["qty"], 0)
        add((*where, row["product_id"], 0), 1, row["qty"], row["line_total_cents"])
    for row in by_table.get(MOVES.name, ()):
        if row["reason"] == MoveReason.PRODUCTION:
            add((row["created_at"].astimezone(PARIS).date(), MADE, row["location_id"], 0,
                 row["product_id"], row["banner_lot_id"] or 0), 1, row["qty"], 0)
    return added
