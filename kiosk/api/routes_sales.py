"""API routes: sales, voids, refunds and receipts."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from flask import Response, jsonify
from flask_login import current_user
from pydantic import AwareDatetime, Field
from sqlalchemy import select

from kiosk import sales as sales_service
from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import AmountCents, Body, Id, Name, PriceCents, Qty, Reason, Sku
from kiosk.database import write_transaction
from kiosk.documents import gift_receipts, queue, receipts
from kiosk.documents.pdf import report_pdf
from kiosk.errors import NotFound
from kiosk.extensions import db
from kiosk.models import Product, Sale
from kiosk.models.people import Role
from kiosk.sales import LineRequest, PaymentRequest
from kiosk.services.cash import get_cash_session
from kiosk.vocabulary import ADDRESS_MAX, MAX_DONATION_CENTS, MAX_LINES

DonationCents = Annotated[int, Field(ge=0, le=MAX_DONATION_CENTS)]


class SaleLineBody(Body):
    sku: Sku
    qty: Qty
    unit_price_cents: PriceCents | None = None


class PaymentBody(Body):
    method: Literal["cash", "cheque", "card"]
    amount_cents: AmountCents


class SaleBody(Body):
    client_id: UUID
    cash_session_id: Id
    # No line: a gift without purchase (donation_cents); rules.check_cart says which.
    lines: Annotated[list[SaleLineBody], Field(max_length=MAX_LINES)]
    payments: Annotated[list[PaymentBody], Field(max_length=10)]
    donation_cents: DonationCents = 0
    print_receipt: bool | None = None  # omitted: the receipt setting decides
    # When the tablet made a sale that waited in its outbox (ISO 8601 with its offset):
    # such a sale still reaches its drawer if that drawer was closed meanwhile.
    sold_at: AwareDatetime | None = None


class GiftReceiptBody(Body):
    donor_name: Name
    donor_address: Annotated[str, Field(min_length=1, max_length=ADDRESS_MAX)]


class RefundLineBody(Body):
    sku: Sku
    qty: Qty


RefundLines = Annotated[list[RefundLineBody], Field(min_length=1, max_length=MAX_LINES)]


class RefundBody(Body):
    reason: Reason
    lines: RefundLines | None = None
    cash_session_id: Id | None = None  # the open drawer the money leaves (default: see docs)


class VoidBody(Body):
    reason: Reason
    print_receipt: bool | None = None  # as for a sale: omitted, the receipt setting decides


class SalesQuery(Body):
    cash_session_id: Id


def sale_json(sale: Sale, new: bool = False, skus: dict[int, str] | None = None) -> dict:
    if not skus:
        skus = dict(db.session.execute(select(Product.id, Product.sku).where(
            Product.id.in_([line.product_id for line in sale.lines]))).all())
    refunds = [] if new else db.session.scalars(
        select(Sale.id).where(Sale.refund_of_id == sale.id)).all()
    body = {
        "id": sale.id, "number": sale.number, "kind": sale.kind, "client_id": sale.client_id,
        "cash_session_id": sale.cash_session_id, "total_cents": sale.total_cents,
        "change_cents": sale.change_cents, "donation_cents": sale.donation_cents,
        "created_at": sale.created_at.isoformat(),
        "sold_at": sale.sold_at.isoformat() if sale.sold_at else None,
        "reason": sale.reason or None, "refund_of": sale.refund_of_id,
        "lines": [{"sku": skus[line.product_id], "qty": line.qty,
                   "unit_price_cents": line.unit_price_cents,
                   "total_cents": line.line_total_cents} for line in sale.lines],
        "payments": [{"method": p.method, "amount_cents": p.amount_cents,
                      "tendered_cents": p.tendered_cents, "change_cents": p.change_cents}
                     for p in sale.payments],
    }
    if refunds:
        body["refunded_by"] = list(refunds)
    return body


def print_receipt(sale_id: int) -> str:
    """Try the receipt printer (at most a few seconds); the sale is already committed."""
    return queue.submit_and_attempt(db.session, "receipt", ref_id=sale_id)


def _recorded(result: sales_service.SaleResult, body: dict, asked: bool | None = None):
    """Answer with `body` (built inside the transaction: no reload after the commit),
    after one try at the receipt printer for a new sale when a receipt is wanted:
    `asked` (print_receipt), or when omitted the admin's setting (on request by default:
    the law forbids printing every receipt)."""
    if result.created and _wants_receipt(asked):
        body["receipt"] = receipt_answer(body["id"], print_receipt(body["id"]))
    elif result.created:
        body["receipt"] = {"status": "none"}
    else:
        body["receipt"] = receipt_answer(body["id"], receipt_status(body["id"]))
    return jsonify(body), 201 if result.created else 200


def _wants_receipt(asked: bool | None) -> bool:
    if asked is not None:
        return asked
    if not queue.get_printer("receipt").enabled:
        return False  # (no query on the sale path without a printer)
    return receipts.receipt_mode(db.session) == "always"


def receipt_answer(sale_id: int, status: str) -> dict:
    """{status}, with `sent: true` when the printer took it without confirming it."""

    return queue.answer(db.session, status, "receipt", sale_id)


def receipt_status(sale_id: int) -> str:
    return queue.latest_status(db.session, "receipt", sale_id)


@endpoint("/sales", "POST", summary="Record a sale (idempotent by client_id)", body=SaleBody,
          responses={201: "the sale", 200: "the same sale, already recorded"}, write=True)
def create_sale(data: SaleBody):
    user_id = current_user.id
    with write_transaction(db.session):
        result = sales_service.record_sale(
            db.session, client_id=str(data.client_id), cash_session_id=data.cash_session_id,
            lines=[LineRequest(line.sku, line.qty, line.unit_price_cents) for line in data.lines],
            payments=[PaymentRequest(p.method, p.amount_cents) for p in data.payments],
            user_id=user_id, may_set_prices=current_user.has_role(Role.TREASURER),
            donation_cents=data.donation_cents, sold_at=data.sold_at)
        body = sale_json(result.sale, new=result.created, skus=result.skus)
    return _recorded(result, body, data.print_receipt)


@endpoint("/sales/<int:sale_id>", summary="One sale with its lines and payments")
def show_sale(sale_id: int):
    body = sale_json(sales_service.get_sale(db.session, sale_id))
    body["receipt"] = receipt_answer(sale_id, receipt_status(sale_id))
    return jsonify(body)


@endpoint("/sales", summary="Every sale of a cash session, in number order",
          query=SalesQuery)
def list_sales(query: SalesQuery):
    get_cash_session(db.session, query.cash_session_id)
    sales = db.session.scalars(select(Sale).where(
        Sale.cash_session_id == query.cash_session_id).order_by(Sale.year, Sale.seq))
    return jsonify([sale_json(sale) for sale in sales])


@endpoint("/sales/<int:sale_id>/void", "POST", summary="Void the seller's own last sale",
          body=VoidBody, responses={201: "the void, a negative sale"})
def void_sale(sale_id: int, data: VoidBody):
    with write_transaction(db.session):
        result = sales_service.void_sale(db.session, sale_id, data.reason, current_user.id)
        body = sale_json(result.sale, new=result.created)
    return _recorded(result, body, data.print_receipt)


@endpoint("/sales/<int:sale_id>/refund", "POST", role=Role.TREASURER, body=RefundBody,
          summary="Refund a sale, whole or some lines",
          responses={201: "the refund, a negative sale"})
def refund_sale(sale_id: int, data: RefundBody):
    lines = None if data.lines is None else [(line.sku, line.qty) for line in data.lines]
    with write_transaction(db.session):
        result = sales_service.refund_sale(db.session, sale_id, data.reason, lines,
                                           current_user.id, data.cash_session_id)
        body = sale_json(result.sale, new=result.created)
    return _recorded(result, body)


@endpoint("/sales/<int:sale_id>/receipt", "POST",
          summary="Print the receipt: the first print is the original, any later says "
                  "DUPLICATA", responses={200: "receipt status"})
def reprint_receipt(sale_id: int):
    sale = sales_service.get_sale(db.session, sale_id)
    return jsonify({"receipt": receipt_answer(sale.id, print_receipt(sale.id))})


def gift_receipt_json(receipt) -> dict:
    return {"id": receipt.id, "number": receipt.number, "sale_id": receipt.sale_id,
            "amount_cents": receipt.amount_cents, "method": receipt.method,
            "donor_name": receipt.donor_name, "donor_address": receipt.donor_address,
            "created_at": receipt.created_at.isoformat()}


@endpoint("/sales/<int:sale_id>/gift-receipt", "POST", body=GiftReceiptBody,
          summary="A gift receipt (reçu de don) for the sale's gift, printed; asked again, "
                  "the same receipt printed again (DUPLICATA)",
          responses={201: "the gift receipt", 200: "the sale's gift receipt, already made"})
def create_gift_receipt(sale_id: int, data: GiftReceiptBody):
    with write_transaction(db.session):
        result = sales_service.issue_gift_receipt(
            db.session, sale_id, data.donor_name, data.donor_address, current_user.id,
            enabled=receipts.gift_receipts_enabled(db.session))
        body = gift_receipt_json(result.receipt)
    body["print"] = {"status": queue.submit_and_attempt(db.session, "gift_receipt",
                                                        ref_id=body["id"])}
    return jsonify(body), 201 if result.created else 200


@endpoint("/sales/<int:sale_id>/gift-receipt.pdf", summary="The sale's gift receipt as a PDF",
          produces="application/pdf")
def gift_receipt_pdf(sale_id: int):
    receipt = sales_service.gift_receipt_of(db.session, sale_id)
    if receipt is None:
        raise NotFound("gift_receipt", "Cette vente n'a pas de reçu de don.")
    pdf = report_pdf(gift_receipts.gift_report(db.session, receipt))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="recu-{receipt.number}.pdf"'})
