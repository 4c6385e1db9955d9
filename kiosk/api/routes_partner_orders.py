"""API routes: partners and their orders, from the quote to the paid invoice (issue 19)."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user

from kiosk import sales
from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import (
    CreditNoteBody,
    DeliveryBody,
    MadeBody,
    OrderBody,
    OrderPaymentBody,
    PartnerBody,
)
from kiosk.database import write_transaction
from kiosk.documents import partner_orders as papers
from kiosk.errors import NotFound
from kiosk.extensions import db
from kiosk.models import Partner
from kiosk.models.people import Role
from kiosk.sales import partner_orders as service
from kiosk.text import _

PDF = "application/pdf"


def partner_json(partner: Partner) -> dict:
    return {"id": partner.id, "name": partner.name, "address": partner.address,
            "contact": partner.contact}


def order_json(state: service.OrderState) -> dict:
    order = state.order
    return {
        "id": order.id, "number": order.number, "status": state.status,
        "partner": partner_json(state.partner),
        "banner_lot": state.lot.code if state.lot else None,
        "wished_on": order.wished_on.isoformat() if order.wished_on else None,
        "note": order.note, "total_cents": order.total_cents,
        "lines": [{"id": s.line.id, "sku": s.sku, "description": s.line.description,
                   "qty": s.line.qty, "unit_price_cents": s.line.unit_price_cents,
                   "line_total_cents": s.line.line_total_cents, "made": s.made,
                   "delivered": s.delivered, "invoiced": s.invoiced} for s in state.lines],
        "deliveries": [{"id": d.id, "number": d.number,
                        "lines": [{"order_line_id": line.order_line_id, "qty": line.qty}
                                  for line in lines]} for d, lines in state.deliveries],
        "invoices": [{"id": i.invoice.id, "number": i.invoice.number,
                      "issued_on": i.invoice.issued_on.isoformat(),
                      "due_on": i.invoice.due_on.isoformat(),
                      "total_cents": i.invoice.total_cents, "credited_cents": i.credited_cents,
                      "paid_cents": i.paid_cents, "due_cents": i.due_cents,
                      "posted": i.invoice.number in state.posted,
                      "credit_notes": [{"id": c.id, "number": c.number,
                                        "amount_cents": c.amount_cents, "reason": c.reason}
                                       for c in i.credit_notes]} for i in state.invoices],
        "payments": [{"id": p.id, "method": p.method, "amount_cents": p.amount_cents,
                      "reference": p.reference, "received_on": p.received_on.isoformat()}
                     for p in state.payments],
        "invoiced_cents": state.invoiced_cents, "paid_cents": state.paid_cents,
        "due_cents": state.due_cents,
    }


def _pdf(doc: papers.Paper) -> Response:
    return Response(papers.paper_pdf(doc), mimetype=PDF, headers={
        "Content-Disposition": f'inline; filename="{doc.filename}"'})


@endpoint("/partners", summary="The partners who order (name, address, contact)",
          role=Role.TREASURER)
def list_partners():
    return jsonify([partner_json(p) for p in service.partners(db.session)])


@endpoint("/partners", "POST", role=Role.TREASURER, body=PartnerBody,
          summary="Record a partner", responses={201: "the partner"})
def add_partner(data: PartnerBody):
    with write_transaction(db.session):
        partner = service.add_partner(db.session, data.name, data.address, data.contact)
        body = partner_json(partner)
    return jsonify(body), 201


@endpoint("/orders", summary="Every order, newest first, with its status and what is due",
          role=Role.TREASURER)
def list_orders():
    return jsonify([order_json(state) for state in service.orders(db.session)])


@endpoint("/orders", "POST", role=Role.TREASURER, body=OrderBody, write=True,
          summary="Take a partner's order (`partner`: a recorded partner's name, or a new "
                  "partner); its quote carries its number",
          responses={201: "{id, number, status}"})
def create_order(data: OrderBody):
    lines = [sales.OrderLineRequest(qty=line.qty, unit_price_cents=line.unit_price_cents,
                                    sku=line.sku, description=line.description)
             for line in data.lines]
    with write_transaction(db.session):
        if isinstance(data.partner, str):
            partner = service.find_partner(db.session, data.partner)
        else:
            partner = service.add_partner(db.session, data.partner.name,
                                          data.partner.address, data.partner.contact)
        order = sales.take_order(db.session, partner.id, lines, current_user.id,
                                 lot_code=data.banner_lot, wished_on=data.wished_on,
                                 note=data.note)
        body = {"id": order["id"], "number": order["number"],
                "status": service.order_state(db.session, order["id"]).status}
    return jsonify(body), 201


@endpoint("/orders/<int:order_id>", summary="One order: lines, what was made, delivered, "
          "invoiced and paid, and its status", role=Role.TREASURER)
def get_order(order_id: int):
    return jsonify(order_json(service.order_state(db.session, order_id)))


@endpoint("/orders/<int:order_id>/quote.pdf", summary="The order's quote (devis), to sign",
          role=Role.TREASURER, produces=PDF)
def quote_pdf(order_id: int):
    return _pdf(papers.quote(db.session, order_id))


@endpoint("/orders/<int:order_id>/made", "POST", body=MadeBody, write=True,
          summary="Pieces sewn for this order enter the workshop's stock, from its lot",
          responses={201: "the production move"})
def order_made(order_id: int, data: MadeBody):
    with write_transaction(db.session):
        move = sales.record_made(db.session, order_id, data.sku, data.qty, current_user.id,
                                 lot_code=data.banner_lot)
    return jsonify({"id": move["id"], "sku": data.sku, "qty": move["qty"],
                    "banner_lot_id": move["banner_lot_id"]}), 201


@endpoint("/orders/<int:order_id>/deliveries", "POST", role=Role.TREASURER, body=DeliveryBody,
          write=True, summary="A delivery slip: the pieces leave the workshop's stock",
          responses={201: "{id, number}"})
def create_delivery(order_id: int, data: DeliveryBody):
    with write_transaction(db.session):
        delivery = sales.deliver(db.session, order_id,
                                 [(line.sku, line.qty) for line in data.lines], current_user.id)
    return jsonify({"id": delivery["id"], "number": delivery["number"]}), 201


@endpoint("/deliveries/<int:delivery_id>.pdf", summary="A delivery slip (bon de livraison)",
          role=Role.TREASURER, produces=PDF)
def delivery_pdf(delivery_id: int):
    return _pdf(papers.delivery(db.session, delivery_id))


@endpoint("/orders/<int:order_id>/invoice", "POST", role=Role.TREASURER, write=True,
          summary="Invoice what was delivered and not yet invoiced; numbers per year, "
                  "without gap or repeat", responses={201: "{id, number, total_cents}"})
def create_invoice(order_id: int):
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    with write_transaction(db.session):
        invoice = sales.issue_invoice(db.session, order_id, current_user.id,
                                      body.get("purchase_order") or "")
    return jsonify({"id": invoice["id"], "number": invoice["number"],
                    "total_cents": invoice["total_cents"]}), 201


@endpoint("/orders/<int:order_id>/invoice.pdf", summary="The order's latest invoice",
          role=Role.TREASURER, produces=PDF)
def order_invoice_pdf(order_id: int):
    state = service.order_state(db.session, order_id)
    if not state.invoices:
        raise NotFound("no_invoice", _("La commande %(number)s n'a pas encore de facture.",
                                       number=state.order.number))
    return _pdf(papers.invoice(db.session, state.invoices[-1].invoice.id))


@endpoint("/invoices/<int:invoice_id>.pdf", summary="One invoice", role=Role.TREASURER,
          produces=PDF)
def invoice_pdf(invoice_id: int):
    return _pdf(papers.invoice(db.session, invoice_id))


@endpoint("/invoices/<int:invoice_id>/credit-notes", "POST", role=Role.TREASURER,
          body=CreditNoteBody, write=True,
          summary="A credit note (avoir) of its own number against an invoice's unpaid part "
                  "(without amount_cents: all of it)",
          responses={201: "{id, number, amount_cents}"})
def create_credit_note(invoice_id: int, data: CreditNoteBody):
    with write_transaction(db.session):
        note = sales.issue_credit_note(db.session, invoice_id, data.reason, current_user.id,
                                       amount_cents=data.amount_cents)
    return jsonify({"id": note["id"], "number": note["number"],
                    "amount_cents": note["amount_cents"]}), 201


@endpoint("/credit-notes/<int:note_id>.pdf", summary="One credit note", role=Role.TREASURER,
          produces=PDF)
def credit_note_pdf(note_id: int):
    return _pdf(papers.credit_note(db.session, note_id))


@endpoint("/orders/<int:order_id>/payments", "POST", role=Role.TREASURER,
          body=OrderPaymentBody, write=True,
          summary="A payment by transfer or cheque; an invoice it settles goes to the "
                  "envelopes by the split in force that day",
          responses={201: "{id, amount_cents, status, due_cents}"})
def create_payment(order_id: int, data: OrderPaymentBody):
    with write_transaction(db.session):
        payment = sales.record_payment(db.session, order_id, data.method, data.amount_cents,
                                       current_user.id, reference=data.reference,
                                       received_on=data.received_on)
        state = service.order_state(db.session, order_id)
        body = {"id": payment["id"], "amount_cents": payment["amount_cents"],
                "status": state.status, "due_cents": state.due_cents}
    return jsonify(body), 201

