"""A partner's order, from the quote to the paid invoice: the order and its lines, pieces
sewn for it, delivery slips taking pieces out of the workshop, invoices numbered per year
without gap, credit notes, and payments by transfer or cheque; an invoice fully paid is
shared between the envelopes by the split in force that day.

Each event is ONE journal entry, its rows built by rows.py and written by one
write.write_event, under the journal head lock (which also makes each number the year's
next one, whoever else is writing). Nothing is ever edited: the state of an order
(`order_state`) is computed from its rows.

Payments are the order's, not one invoice's: they settle its invoices oldest first. A
credit note only takes off what is still unpaid on its invoice, so it never moves money
already settled from one invoice to another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput, NotFound
from kiosk.ledger import journal, rows, write
from kiosk.ledger.money import format_money
from kiosk.ledger.rows import (
    CREDIT_NOTES,
    DELIVERIES,
    DELIVERY_LINES,
    ENVELOPE_ENTRIES,
    INVOICE_LINES,
    INVOICES,
    MOVES,
    ORDER_LINES,
    ORDER_MADE,
    ORDER_PAYMENTS,
    ORDERS,
)
from kiosk.models import (
    BannerLot,
    CreditNote,
    Delivery,
    DeliveryLine,
    EnvelopeEntry,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    OrderMade,
    OrderPayment,
    Partner,
    Product,
    StockMove,
)
from kiosk.models.stock import MoveReason
from kiosk.services import envelopes, stock
from kiosk.text import _, same_name_key
from kiosk.vocabulary import (
    FIRST_DAY,
    INVOICE_DAYS,
    MAX_AMOUNT_CENTS,
    MAX_ORDER_LINES,
    MAX_PRICE_CENTS,
    NAME_MAX,
    NOTE_MAX,
    ORDER_METHODS,
    PARIS,
)

ENVELOPE_KIND = "order"  # the kind of the envelope entries a paid invoice posts

# Each numbered document: its table and the prefix of its number ("FAC-2026-0001").
PREFIXES = {ORDERS.name: "DEV", DELIVERIES.name: "BL", INVOICES.name: "FAC",
            CREDIT_NOTES.name: "AV"}
TABLES = (ORDERS, ORDER_LINES, ORDER_MADE, DELIVERIES, DELIVERY_LINES, INVOICES,
          INVOICE_LINES, CREDIT_NOTES, ORDER_PAYMENTS, MOVES, ENVELOPE_ENTRIES)


# --- partners (not journaled: an invoice copies the name and address it was issued to) ----

def _text(value: str | None, field_name: str, message: str, *, required: bool = True,
          limit: int = NAME_MAX, lines: bool = False) -> str:
    value = (value or "").strip()
    allowed = "\n\r\t" if lines else ""
    if (required and not value) or len(value) > limit or any(
            (ord(c) < 32 and c not in allowed) or ord(c) == 127 for c in value):
        raise InvalidInput(field_name, message)
    return value.replace("\r\n", "\n")


def _partner_fields(name: str, address: str, contact: str) -> tuple[str, str, str]:
    return (_text(name, "partner", _("Donnez le nom du partenaire (120 caractères au plus).")),
            _text(address, "address", _("L'adresse fait 500 caractères au plus."),
                  required=False, limit=NOTE_MAX, lines=True),
            _text(contact, "contact", _("Le contact fait 120 caractères au plus."),
                  required=False))


def _partner_named(session: Session, name: str) -> Partner | None:
    """The partner of that name in any case ("École" is "ÉCOLE"), compared in Python:
    SQLite's lower() folds ASCII letters only, so "É…" typed again passed the check and
    hit the unique index (a 500). A group has a few dozen partners at most."""
    key = same_name_key(name)
    return next((p for p in session.scalars(select(Partner).order_by(Partner.id))
                 if same_name_key(p.name) == key), None)


def add_partner(session: Session, name: str, address: str = "", contact: str = "") -> Partner:
    name, address, contact = _partner_fields(name, address, contact)
    if _partner_named(session, name) is not None:
        raise Conflict("partner_exists", _("Le partenaire « %(name)s » existe déjà.",
                                           name=name))
    partner = Partner(name=name, address=address, contact=contact)
    try:
        # Two treasurers adding the same partner at the same instant: on PostgreSQL both
        # pass the check above and the second meets the unique index once the first commits.
        with session.begin_nested():
            session.add(partner)
    except IntegrityError:
        raise Conflict("partner_exists", _("Le partenaire « %(name)s » existe déjà.",
                                           name=name)) from None
    return partner


def update_partner(session: Session, partner_id: int, name: str, address: str,
                   contact: str) -> Partner:
    """Invoices already issued keep the name and address they carry."""
    partner = get_partner(session, partner_id)
    name, address, contact = _partner_fields(name, address, contact)
    other = _partner_named(session, name)
    if other is not None and other.id != partner_id:
        raise Conflict("partner_exists", _("Le partenaire « %(name)s » existe déjà.",
                                           name=name))
    partner.name, partner.address, partner.contact = name, address, contact
    return partner


def get_partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("unknown_partner", _("Ce partenaire n'existe pas."))
    return partner


def find_partner(session: Session, name: str) -> Partner:
    partner = _partner_named(session, name or "")
    if partner is None:
        raise NotFound("unknown_partner", _("Aucun partenaire ne s'appelle « %(name)s » : "
                                            "enregistrez-le d'abord.", name=name))
    return partner


def partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name)))


# --- numbers and ids -------------------------------------------------------------------------

def _ids(connection: Connection, counts: Mapping[Table, int]) -> dict[str, list[int]]:
    """The ids the event's rows will take, in one query (under the head lock)."""
    dialect = connection.dialect.name
    wanted = [table for table in TABLES if counts.get(table)]
    if not wanted:
        return {}
    found = connection.execute(select(*(
        write.next_ids(dialect, table, f"n_{table.name}").label(table.name)
        for table in wanted)), {f"n_{t.name}": counts[t] for t in wanted}).one()
    return {table.name: write.ids_from(found[index], counts[table])
            for index, table in enumerate(wanted)}


def _number(connection: Connection, table: Table, now: datetime) -> tuple[int, int, str]:
    """The year's next number of this kind of document: (year, seq, "FAC-2026-0001").
    Read under the head lock every journaled write holds, so never twice; the unique
    (year, seq) index refuses a repeat anyway, and a rolled-back event takes its number
    back with it, so no gap appears."""
    year = now.astimezone(PARIS).year
    last = connection.execute(select(func.coalesce(func.max(table.c.seq), 0))
                              .where(table.c.year == year)).scalar()
    seq = int(last) + 1
    return year, seq, f"{PREFIXES[table.name]}-{year}-{seq:04d}"


# --- taking an order -------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderLineRequest:
    """A product of the catalogue (`sku`) or a free description, at the agreed price."""

    qty: int
    unit_price_cents: int
    sku: str | None = None
    description: str | None = None


def _check_price(cents: object) -> int:
    if isinstance(cents, bool) or not isinstance(cents, int) or not (
            0 <= cents <= MAX_PRICE_CENTS):
        raise InvalidInput("invalid_price", _("Le prix convenu va de 0 à 10 000 €, par "
                                              "exemple 8,00."))
    return cents


def take_order(session: Session, partner_id: int, lines: Sequence[OrderLineRequest],
               user_id: int, *, lot_code: str | None = None, wished_on: date | None = None,
               note: str = "") -> dict[str, Any]:
    """Record an order as agreed with the partner (its quote carries its number)."""
    if not lines:
        raise InvalidInput("lines", _("Ajoutez au moins une ligne à la commande."))
    if len(lines) > MAX_ORDER_LINES:
        raise InvalidInput("lines", _("Une commande a %(n)s lignes au plus.",
                                      n=MAX_ORDER_LINES))
    note = _text(note, "note", _("La note fait 500 caractères au plus."), required=False,
                 limit=NOTE_MAX, lines=True)
    head = journal.lock_head(session)
    partner = get_partner(session, partner_id)
    lot = stock.find_lot(session, lot_code) if lot_code else None
    asked = []  # (product id, description, qty, price)
    for line in lines:
        qty = stock.check_qty(line.qty)
        price = _check_price(line.unit_price_cents)
        if line.sku:
            product = stock.find_product(session, line.sku)
            description = _text(line.description or product.name, "description",
                                _("La description fait 120 caractères au plus."))
            asked.append((product.id, description, qty, price))
        else:
            description = _text(line.description, "description", _(
                "Une ligne sans article du catalogue dit ce qu'elle est (120 caractères au "
                "plus)."))
            asked.append((None, description, qty, price))
    now = utcnow()
    connection = session.connection()
    year, seq, number = _number(connection, ORDERS, now)
    ids = _ids(connection, {ORDERS: 1, ORDER_LINES: len(asked)})
    [order_id] = ids[ORDERS.name]
    line_rows = [rows.order_line(id=line_id, order_id=order_id, product_id=product_id,
                                 description=description, qty=qty, unit_price_cents=price)
                 for line_id, (product_id, description, qty, price)
                 in zip(ids[ORDER_LINES.name], asked, strict=True)]
    order_row = rows.order(id=order_id, number=number, year=year, seq=seq,
                           partner_id=partner.id, banner_lot_id=lot.id if lot else None,
                           wished_on=wished_on, note=note,
                           total_cents=sum(r["line_total_cents"] for r in line_rows),
                           user_id=user_id, created_at=now)
    write.record_event(session, "order", number,
                       [(ORDERS, [order_row]), (ORDER_LINES, line_rows)],
                       user_id, now, head=head)
    return order_row


def get_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("unknown_order", _("La commande n° %(id)s n'existe pas.", id=order_id))
    return order


# --- what an order is at: computed from its rows ---------------------------------------------

@dataclass
class LineState:
    line: OrderLine
    sku: str | None
    made: int = 0
    delivered: int = 0
    invoiced: int = 0

    @property
    def to_deliver(self) -> int:
        return max(self.line.qty - self.delivered, 0) if self.line.product_id else 0

    @property
    def to_invoice(self) -> int:
        """Pieces delivered and not invoiced; a free line (no piece) is invoiced whole."""
        ready = self.delivered if self.line.product_id else self.line.qty
        return max(ready - self.invoiced, 0)


@dataclass
class InvoiceState:
    invoice: Invoice
    lines: list[InvoiceLine]
    credit_notes: list[CreditNote]
    paid_cents: int = 0  # the order's payments settle its invoices oldest first

    @property
    def credited_cents(self) -> int:
        return sum(c.amount_cents for c in self.credit_notes)

    @property
    def net_cents(self) -> int:
        return self.invoice.total_cents - self.credited_cents

    @property
    def due_cents(self) -> int:
        return self.net_cents - self.paid_cents

    @property
    def settled(self) -> bool:
        return self.due_cents == 0


@dataclass
class OrderState:
    order: Order
    partner: Partner
    lot: BannerLot | None
    lines: list[LineState]
    deliveries: list[tuple[Delivery, list[DeliveryLine]]]
    invoices: list[InvoiceState]
    payments: list[OrderPayment]
    posted: set[str] = field(default_factory=set)  # invoice numbers posted to envelopes

    @property
    def invoiced_cents(self) -> int:
        return sum(i.net_cents for i in self.invoices)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def due_cents(self) -> int:
        return self.invoiced_cents - self.paid_cents

    @property
    def status(self) -> str:
        """open → partly_delivered → delivered → invoiced → paid (or credited: every
        invoice cancelled by credit notes)."""
        if any(line.to_invoice or line.to_deliver for line in self.lines):
            delivered = sum(line.delivered for line in self.lines)
            if any(line.to_deliver for line in self.lines):
                return "partly_delivered" if delivered else "open"
            return "delivered"
        if self.due_cents > 0:
            return "invoiced"
        if self.invoices and self.invoiced_cents == 0:
            return "credited"
        return "paid"

    def line_for(self, sku: str) -> list[LineState]:
        return [line for line in self.lines if line.sku == sku]


def order_state(session: Session, order_id: int) -> OrderState:
    order = get_order(session, order_id)
    lines = list(session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)
                                 .order_by(OrderLine.id)))
    skus = dict(session.execute(select(Product.id, Product.sku).where(
        Product.id.in_([line.product_id for line in lines if line.product_id]))).all())
    states = {line.id: LineState(line, skus.get(line.product_id)) for line in lines}
    by_product: dict[int, LineState] = {}
    for state in states.values():
        if state.line.product_id is not None:
            by_product.setdefault(state.line.product_id, state)
    for product_id, qty in session.execute(
            select(StockMove.product_id, func.sum(StockMove.qty))
            .join(OrderMade, OrderMade.stock_move_id == StockMove.id)
            .where(OrderMade.order_id == order.id).group_by(StockMove.product_id)):
        if product_id in by_product:
            by_product[product_id].made += int(qty)
    deliveries = list(session.scalars(select(Delivery).where(Delivery.order_id == order.id)
                                      .order_by(Delivery.id)))
    delivery_lines: dict[int, list[DeliveryLine]] = {d.id: [] for d in deliveries}
    for dline in session.scalars(select(DeliveryLine).where(
            DeliveryLine.delivery_id.in_(list(delivery_lines))).order_by(DeliveryLine.id)):
        delivery_lines[dline.delivery_id].append(dline)
        states[dline.order_line_id].delivered += dline.qty
    invoices = list(session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                    .order_by(Invoice.year, Invoice.seq)))
    ids = [i.id for i in invoices]
    invoice_lines: dict[int, list[InvoiceLine]] = {i: [] for i in ids}
    for iline in session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids))
                                 .order_by(InvoiceLine.id)):
        invoice_lines[iline.invoice_id].append(iline)
        states[iline.order_line_id].invoiced += iline.qty
    credits: dict[int, list[CreditNote]] = {i: [] for i in ids}
    for note in session.scalars(select(CreditNote).where(CreditNote.invoice_id.in_(ids))
                                .order_by(CreditNote.id)):
        credits[note.invoice_id].append(note)
    payments = list(session.scalars(select(OrderPayment).where(
        OrderPayment.order_id == order.id).order_by(OrderPayment.id)))
    invoice_states = [InvoiceState(i, invoice_lines[i.id], credits[i.id]) for i in invoices]
    _settle(invoice_states, sum(p.amount_cents for p in payments))
    numbers = [i.number for i in invoices]
    posted = set(session.scalars(select(EnvelopeEntry.receipt_ref).where(
        EnvelopeEntry.kind == ENVELOPE_KIND, EnvelopeEntry.receipt_ref.in_(numbers)))
    ) if numbers else set()
    lot = session.get(BannerLot, order.banner_lot_id) if order.banner_lot_id else None
    return OrderState(order, get_partner(session, order.partner_id), lot,
                      list(states.values()), [(d, delivery_lines[d.id]) for d in deliveries],
                      invoice_states, payments, posted)


def _settle(invoices: Sequence[InvoiceState], paid_cents: int) -> None:
    """The payments received, settling the invoices oldest first."""
    left = paid_cents
    for state in invoices:
        state.paid_cents = min(left, state.net_cents)
        left -= state.paid_cents


def orders(session: Session) -> list[OrderState]:
    """Every order, newest first, with where it is at."""
    return [order_state(session, order_id) for order_id in session.scalars(
        select(Order.id).order_by(Order.year.desc(), Order.seq.desc()))]


def open_orders(session: Session) -> list[tuple[Order, Partner]]:
    """Orders still to sew or deliver (what "J'ai cousu…" offers to tie pieces to)."""
    return [(state.order, state.partner) for state in orders(session)
            if state.status in ("open", "partly_delivered")]


# --- sewing, delivering ----------------------------------------------------------------------

def record_made(session: Session, order_id: int, sku: str, qty: int, user_id: int, *,
                lot_code: str | None = None) -> dict[str, Any]:
    """Pieces sewn for an order enter the workshop's stock, from the order's banner lot
    (unless told another): one production move and its tie to the order, one entry."""
    qty = stock.check_qty(qty)
    head = journal.lock_head(session)
    state = order_state(session, order_id)
    product = stock.find_product(session, sku)
    if not state.line_for(product.sku):
        raise InvalidInput("not_ordered", _("La commande %(number)s ne comprend pas "
                                            "« %(name)s ».", number=state.order.number,
                                            name=product.name))
    lot_id = stock.find_lot(session, lot_code).id if lot_code else state.order.banner_lot_id
    now = utcnow()
    ids = _ids(session.connection(), {MOVES: 1, ORDER_MADE: 1})
    [move_id], [made_id] = ids[MOVES.name], ids[ORDER_MADE.name]
    move_row = rows.move(id=move_id, product_id=product.id,
                         location_id=stock.workshop(session).id, qty=qty,
                         reason=MoveReason.PRODUCTION, user_id=user_id, created_at=now,
                         banner_lot_id=lot_id, note=state.order.number)
    made_row = rows.order_made(id=made_id, order_id=state.order.id, stock_move_id=move_id)
    write.record_event(session, "order_made", state.order.number,
                       [(MOVES, [move_row]), (ORDER_MADE, [made_row])],
                       user_id, now, head=head)
    return move_row


def deliver(session: Session, order_id: int, lines: Sequence[tuple[str, int]],
            user_id: int) -> dict[str, Any]:
    """A delivery slip for all or part of the order: the pieces leave the workshop's
    stock (journaled moves). More than the order still waits for, or than the workshop
    holds, is refused: the slip must say what really left."""
    if not lines:
        raise InvalidInput("lines", _("Dites ce qui part chez le partenaire."))
    head = journal.lock_head(session)
    state = order_state(session, order_id)
    place = stock.workshop(session)
    wanted: dict[str, int] = {}
    for sku, qty in lines:
        product = stock.find_product(session, sku)
        wanted[product.sku] = wanted.get(product.sku, 0) + stock.check_qty(qty)
    taken = []  # (order line state, qty)
    for sku, qty in wanted.items():
        candidates = state.line_for(sku)
        waiting = sum(line.to_deliver for line in candidates)
        if not candidates or qty > waiting:
            raise InvalidInput("too_many", _(
                "La commande %(number)s attend encore %(n)s « %(sku)s », pas %(qty)s.",
                number=state.order.number, n=waiting, sku=sku, qty=qty))
        product_id = candidates[0].line.product_id
        held = stock.level(session, product_id, place.id)
        if held < qty:
            raise Conflict("not_in_stock", _(
                "L'atelier n'a que %(held)s « %(sku)s » d'après le stock : enregistrez "
                "d'abord ce qui a été cousu (J'ai cousu…).", held=held, sku=sku))
        for line in candidates:  # the first lines of that product first
            part = min(qty, line.to_deliver)
            if part:
                taken.append((line, part))
                qty -= part
    now = utcnow()
    connection = session.connection()
    year, seq, number = _number(connection, DELIVERIES, now)
    ids = _ids(connection, {DELIVERIES: 1, DELIVERY_LINES: len(taken), MOVES: len(taken)})
    [delivery_id] = ids[DELIVERIES.name]
    move_rows, line_rows = [], []
    for (line, qty), move_id, line_id in zip(taken, ids[MOVES.name], ids[DELIVERY_LINES.name],
                                             strict=True):
        move_rows.append(rows.move(id=move_id, product_id=line.line.product_id,
                                   location_id=place.id, qty=-qty, reason=MoveReason.DELIVERY,
                                   user_id=user_id, created_at=now, note=number))
        line_rows.append(rows.delivery_line(id=line_id, delivery_id=delivery_id,
                                            order_line_id=line.line.id, qty=qty,
                                            stock_move_id=move_id))
    delivery_row = rows.delivery(id=delivery_id, number=number, year=year, seq=seq,
                                 order_id=state.order.id, user_id=user_id, created_at=now)
    write.record_event(session, "delivery", number,
                       [(DELIVERIES, [delivery_row]), (MOVES, move_rows),
                        (DELIVERY_LINES, line_rows)], user_id, now, head=head)
    return delivery_row


# --- invoicing, crediting, being paid --------------------------------------------------------

def issue_invoice(session: Session, order_id: int, user_id: int,
                  purchase_order: str | None = "") -> dict[str, Any]:
    """The invoice of what was delivered and not yet invoiced (and of the free lines):
    numbered per year without gap or repeat, with the partner as it is today, and the
    partner's purchase-order number when it gave one."""
    if purchase_order is not None and not isinstance(purchase_order, str):
        raise InvalidInput("purchase_order", _("Le numéro de bon de commande du partenaire "
                                               "fait 64 caractères au plus."))
    purchase_order = _text(purchase_order, "purchase_order", _(
        "Le numéro de bon de commande du partenaire fait 64 caractères au plus."),
        required=False, limit=64)
    head = journal.lock_head(session)
    state = order_state(session, order_id)
    billed = [(line, line.to_invoice) for line in state.lines if line.to_invoice]
    if not billed:
        raise Conflict("nothing_to_invoice", _(
            "Rien à facturer sur la commande %(number)s : livrez d'abord les pièces.",
            number=state.order.number))
    now = utcnow()
    today = now.astimezone(PARIS).date()
    connection = session.connection()
    year, seq, number = _number(connection, INVOICES, now)
    ids = _ids(connection, {INVOICES: 1, INVOICE_LINES: len(billed)})
    [invoice_id] = ids[INVOICES.name]
    line_rows = [rows.invoice_line(id=line_id, invoice_id=invoice_id,
                                   order_line_id=line.line.id,
                                   description=line.line.description, qty=qty,
                                   unit_price_cents=line.line.unit_price_cents)
                 for line_id, (line, qty) in zip(ids[INVOICE_LINES.name], billed, strict=True)]
    invoice_row = rows.invoice(
        id=invoice_id, number=number, year=year, seq=seq, order_id=state.order.id,
        partner_name=state.partner.name, partner_address=state.partner.address,
        issued_on=today, due_on=today + timedelta(days=INVOICE_DAYS),
        total_cents=sum(r["line_total_cents"] for r in line_rows), user_id=user_id,
        created_at=now, purchase_order=purchase_order)
    write.record_event(session, "invoice", number,
                       [(INVOICES, [invoice_row]), (INVOICE_LINES, line_rows)],
                       user_id, now, head=head)
    return invoice_row


def get_invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("unknown_invoice", _("La facture n° %(id)s n'existe pas.", id=invoice_id))
    return invoice


Postings = list[tuple["InvoiceState", list[tuple[int, int]]]]


def _postings(session: Session, state: OrderState, on: date) -> Postings:
    """The invoices settled now and not yet posted: what each brings to the envelopes,
    shared by the split in force on `on` (no split that day: refused, nothing written)."""
    return [(invoice, envelopes.takings_shares(session, invoice.net_cents, on))
            for invoice in state.invoices
            if invoice.settled and invoice.paid_cents and invoice.invoice.number
            not in state.posted]


def _entry_rows(ids: list[int], postings: Postings, on: date, user_id: int, now: datetime,
                partner: Partner) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for invoice, shares in postings:
        taken, ids = ids[:len(shares)], ids[len(shares):]
        out += rows.takings_entries(taken, shares, kind=ENVELOPE_KIND,
                                    label=f"Facture {invoice.invoice.number} {partner.name}",
                                    on=on, created_by=user_id, created_at=now,
                                    receipt_ref=invoice.invoice.number)
    return out


def record_payment(session: Session, order_id: int, method: str, amount_cents: int,
                   user_id: int, *, reference: str = "", received_on: date | None = None
                   ) -> dict[str, Any]:
    """Money received by transfer or cheque, in part or in full, never more than is due.
    An invoice it settles goes to the envelopes, by the split in force that day, in the
    same journal entry."""
    if method not in ORDER_METHODS:
        raise InvalidInput("invalid_method", _("Un partenaire paie par virement ou par "
                                               "chèque."))
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or not (
            1 <= amount_cents <= MAX_AMOUNT_CENTS):
        raise InvalidInput("amount", _("Le montant doit être positif, par exemple 12,50."))
    reference = _text(reference, "reference", _("La référence fait 120 caractères au plus."),
                      required=False)
    now = utcnow()
    today = now.astimezone(PARIS).date()
    on = received_on or today
    if on < FIRST_DAY:  # (0001-01-01 would reach the Paheko file as the day it was paid)
        raise InvalidInput("date", _("La date de réception ne peut pas être avant le "
                                     "%(first)s.", first=f"{FIRST_DAY:%d/%m/%Y}"))
    if on > today:
        raise InvalidInput("date", _("La date de réception ne peut pas être dans le futur."))
    head = journal.lock_head(session)
    state = order_state(session, order_id)
    if amount_cents > state.due_cents:
        raise InvalidInput("too_much", _(
            "La commande %(number)s n'attend que %(due)s : vérifiez le montant.",
            number=state.order.number, due=format_money(state.due_cents)))
    _settle(state.invoices, state.paid_cents + amount_cents)
    postings = _postings(session, state, on)
    ids = _ids(session.connection(), {ORDER_PAYMENTS: 1, ENVELOPE_ENTRIES: sum(
        len(shares) for _i, shares in postings)})
    [payment_id] = ids[ORDER_PAYMENTS.name]
    payment_row = rows.order_payment(id=payment_id, order_id=state.order.id, method=method,
                                     amount_cents=amount_cents, reference=reference,
                                     received_on=on, user_id=user_id, created_at=now)
    entry_rows = _entry_rows(ids.get(ENVELOPE_ENTRIES.name, []), postings, on, user_id, now,
                             state.partner)
    write.record_event(session, "order_payment", state.order.number,
                       [(ORDER_PAYMENTS, [payment_row]), (ENVELOPE_ENTRIES, entry_rows)],
                       user_id, now, head=head)
    return payment_row


def issue_credit_note(session: Session, invoice_id: int, reason: str, user_id: int, *,
                      amount_cents: int | None = None) -> dict[str, Any]:
    """A credit note (avoir) of its own number: the invoice no longer asks `amount_cents`
    (None: all it still asks). Only what is unpaid can be credited. If what is left was
    already paid, the invoice is settled and goes to the envelopes with the note."""
    reason = _text(reason, "reason", _("Dites pourquoi (500 caractères au plus)."),
                   limit=NOTE_MAX, lines=True)
    head = journal.lock_head(session)
    invoice = get_invoice(session, invoice_id)
    state = order_state(session, invoice.order_id)
    [current] = [i for i in state.invoices if i.invoice.id == invoice.id]
    unpaid = current.due_cents
    amount = unpaid if amount_cents is None else amount_cents
    if unpaid <= 0:
        raise Conflict("invoice_settled", _("La facture %(number)s est réglée : il n'y a "
                                            "plus rien à annuler.", number=invoice.number))
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= unpaid:
        raise InvalidInput("amount", _("Un avoir sur la facture %(number)s va de 0,01 € à "
                                       "%(due)s (ce qui reste à payer).",
                                       number=invoice.number, due=format_money(unpaid)))
    now = utcnow()
    on = now.astimezone(PARIS).date()
    current.credit_notes.append(CreditNote(amount_cents=amount))  # as it will be (not added)
    _settle(state.invoices, state.paid_cents)
    postings = _postings(session, state, on)
    connection = session.connection()
    year, seq, number = _number(connection, CREDIT_NOTES, now)
    ids = _ids(connection, {CREDIT_NOTES: 1, ENVELOPE_ENTRIES: sum(
        len(shares) for _i, shares in postings)})
    [note_id] = ids[CREDIT_NOTES.name]
    note_row = rows.credit_note(id=note_id, number=number, year=year, seq=seq,
                                invoice_id=invoice.id, reason=reason, amount_cents=amount,
                                user_id=user_id, created_at=now)
    entry_rows = _entry_rows(ids.get(ENVELOPE_ENTRIES.name, []), postings, on, user_id, now,
                             state.partner)
    write.record_event(session, "credit_note", number,
                       [(CREDIT_NOTES, [note_row]), (ENVELOPE_ENTRIES, entry_rows)],
                       user_id, now, head=head)
    return note_row


def get_credit_note(session: Session, note_id: int) -> CreditNote:
    note = session.get(CreditNote, note_id)
    if note is None:
        raise NotFound("unknown_credit_note", _("L'avoir n° %(id)s n'existe pas.", id=note_id))
    return note


def get_delivery(session: Session, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("unknown_delivery", _("Le bon de livraison n° %(id)s n'existe pas.",
                                             id=delivery_id))
    return delivery
