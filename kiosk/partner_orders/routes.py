"""Pages of the partner orders area: the orders, a new order, one order with its next
step (deliver, invoice, be paid, credit), its paper, the partners and the invoices'
heading. Treasurer and above; a seller ties her sewing to an order from "J'ai cousu…"."""

from __future__ import annotations

import io
from datetime import date

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from kiosk import sales
from kiosk.auth.roles import treasurer_required
from kiosk.common.input import optional_day, row_id, whole_number
from kiosk.common.views import (
    posted,
    read_counts,
    refusals,
    refuse_unread,
    sent,
    texts_form,
    typed,
)
from kiosk.database import utcnow, write_transaction
from kiosk.documents import partner_orders as papers
from kiosk.documents import queue
from kiosk.errors import N_, InvalidInput
from kiosk.extensions import db
from kiosk.ledger.money import format_money, parse_euros
from kiosk.partner_orders import bp
from kiosk.partner_orders.forms import (
    BLANK_LINES,
    CreditNoteForm,
    DeliveryForm,
    InvoiceForm,
    NewOrderForm,
    PartnerForm,
    PaymentForm,
)
from kiosk.sales import partner_orders as service
from kiosk.services import catalogue, report_figures, stock
from kiosk.vocabulary import MAX_QTY, ORDER_METHODS, PARIS, method_word

STATUS_WORDS = {
    "open": N_("À coudre"),
    "partly_delivered": N_("Livrée en partie"),
    "delivered": N_("Livrée, à facturer"),
    "invoiced": N_("Facturée, à encaisser"),
    "paid": N_("Payée"),
    "credited": N_("Annulée par avoir"),
}


def status_word(status: str) -> str:
    return _(STATUS_WORDS[status])


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def _euros(text: str, what: str) -> int:
    try:
        return parse_euros(text)
    except ValueError:
        raise InvalidInput("amount", _("%(what)s : écrivez un montant en euros, par exemple "
                                       "12,50.", what=what)) from None


def _day(text: str) -> date | None:
    return optional_day(text, "date")


@bp.route("/orders")
@treasurer_required
def index():
    today = _today()
    start, end = report_figures.period_bounds(date(today.year, 1, 1), today)
    return render_template("orders/index.html", orders=service.orders(db.session),
                           figure=report_figures.orders_figure(db.session, start, end),
                           year=today.year, status_word=status_word)


# --- a new order ---------------------------------------------------------------------------

def _order_lines(form: NewOrderForm) -> list[sales.OrderLineRequest]:
    lines = []
    prices = {p.sku: p.price_cents for p in catalogue.products(db.session, active_only=False)}
    for n in range(BLANK_LINES):
        sku, description = form.line(n, "sku"), form.line(n, "description")
        qty_text, price_text = form.line(n, "qty"), form.line(n, "price")
        if not (sku or description):
            continue
        qty = whole_number(qty_text, "invalid_qty", minimum=1, maximum=MAX_QTY, message=_(
            "Ligne %(n)s : la quantité va de 1 à %(max)s.", n=n + 1, max=MAX_QTY))
        if price_text:
            price = _euros(price_text, _("Ligne %(n)s", n=n + 1))
        elif sku in prices:
            price = prices[sku]
        else:
            raise InvalidInput("invalid_price", _("Ligne %(n)s : dites le prix convenu.",
                                                  n=n + 1))
        lines.append(sales.OrderLineRequest(qty=qty, unit_price_cents=price,
                                            sku=sku or None, description=description or None))
    return lines


def _render_new(form: NewOrderForm, status: int = 200):
    return render_template("orders/new.html", form=form, csrf=form,
                           partners=service.partners(db.session),
                           products=catalogue.products(db.session),
                           lots=catalogue.lots(db.session), blank_lines=BLANK_LINES), status


@bp.route("/orders/new", methods=["GET", "POST"])
@treasurer_required
def new():
    form = NewOrderForm()
    if request.method == "GET":
        form.partner.data = request.args.get("partner", "")
        return _render_new(form)
    posted(form)
    with refusals(flash_it=True):
        lines = _order_lines(form)
        wished_on = _day(form.wished_on.data)
        with write_transaction(db.session):
            if form.partner.data:
                partner_id = row_id(form.partner.data, "partner",
                                    _("Choisissez le partenaire dans la liste."))
            else:
                partner_id = service.add_partner(
                    db.session, form.partner_name.data, form.partner_address.data,
                    form.partner_contact.data).id
            order = sales.take_order(db.session, partner_id, lines, current_user.id,
                                     lot_code=form.lot.data or None, wished_on=wished_on,
                                     note=form.note.data)
        flash(_("Commande %(number)s enregistrée : imprimez le devis pour la faire signer.",
                number=order["number"]), "success")
        return redirect(url_for("orders.show", order_id=order["id"]))
    return _render_new(form, 400)


# --- one order and its next steps -----------------------------------------------------------

@bp.route("/orders/<int:order_id>")
@treasurer_required
def show(order_id: int):
    state = service.order_state(db.session, order_id)
    place = stock.workshop_or_none(db.session)  # none yet: the page says nothing of stock
    workshop_stock = {s.line.id: stock.level(db.session, s.line.product_id, place.id)
                      for s in state.lines if s.line.product_id} if place else {}
    return render_template("orders/show.html", state=state, csrf=FlaskForm(),
                           status_word=status_word, methods=[
                               (str(m), method_word(m)) for m in ORDER_METHODS],
                           workshop_stock=workshop_stock, today=_today().isoformat(),
                           method_word=method_word)


@bp.route("/orders/<int:order_id>/deliveries", methods=["POST"])
@treasurer_required
def deliver(order_id: int):
    posted(DeliveryForm())
    state = service.order_state(db.session, order_id)
    fields = {s.line.id: f"qty-{s.line.id}" for s in state.lines if s.line.product_id}
    counts = read_counts(fields, maximum=MAX_QTY)
    with refusals(flash_it=True):
        if counts.bad:
            raise InvalidInput("invalid_qty", _("Les quantités vont de 0 à %(max)s.",
                                                  max=MAX_QTY))
        by_line = {s.line.id: s.sku for s in state.lines}
        wanted = [(by_line[line_id], qty) for line_id, qty in counts.values.items() if qty]
        with write_transaction(db.session):
            delivery = sales.deliver(db.session, order_id, wanted, current_user.id)
        flash(_("Bon de livraison %(number)s enregistré : les pièces sont sorties du stock "
                "de l'atelier.", number=delivery["number"]), "success")
        return redirect(url_for("orders.document", kind="delivery", ref_id=delivery["id"]))
    return redirect(url_for("orders.show", order_id=order_id))


@bp.route("/orders/<int:order_id>/invoice", methods=["POST"])
@treasurer_required
def invoice(order_id: int):
    form = posted(InvoiceForm())
    service.get_order(db.session, order_id)  # an unknown order is a 404, not a message
    with refusals(flash_it=True):
        with write_transaction(db.session):
            issued = sales.issue_invoice(db.session, order_id, current_user.id,
                                         form.purchase_order.data)
        flash(_("Facture %(number)s de %(total)s établie.", number=issued["number"],
                total=format_money(issued["total_cents"])), "success")
        return redirect(url_for("orders.document", kind="invoice", ref_id=issued["id"]))
    return redirect(url_for("orders.show", order_id=order_id))


@bp.route("/orders/<int:order_id>/payments", methods=["POST"])
@treasurer_required
def payment(order_id: int):
    form = posted(PaymentForm())
    service.get_order(db.session, order_id)
    with refusals(flash_it=True):
        if form.amount.data is None and not form.amount.errors:  # an empty box
            form.amount.errors = [form.amount.message]
        refuse_unread(form)
        amount = form.amount.data
        with write_transaction(db.session):
            sales.record_payment(db.session, order_id, form.method.data, amount,
                                 current_user.id, reference=form.reference.data,
                                 received_on=form.received_on.data)
        state = service.order_state(db.session, order_id)
        if state.status == "paid":
            flash(_("Paiement de %(amount)s enregistré : la commande est payée, la somme est "
                    "partagée dans les enveloppes.", amount=format_money(amount)), "success")
        else:
            flash(_("Paiement de %(amount)s enregistré : il reste %(due)s à recevoir.",
                    amount=format_money(amount), due=format_money(state.due_cents)),
                  "success")
    return redirect(url_for("orders.show", order_id=order_id))


@bp.route("/orders/invoices/<int:invoice_id>/credit-notes", methods=["POST"])
@treasurer_required
def credit_note(invoice_id: int):
    form = posted(CreditNoteForm())
    found = service.get_invoice(db.session, invoice_id)
    order_id = found.order_id
    with refusals(flash_it=True):
        refuse_unread(form)  # (an empty amount: what is still unpaid)
        with write_transaction(db.session):
            note = sales.issue_credit_note(db.session, invoice_id, form.reason.data,
                                           current_user.id, amount_cents=form.amount.data)
        flash(_("Avoir %(number)s de %(amount)s établi.", number=note["number"],
                amount=format_money(note["amount_cents"])), "success")
        return redirect(url_for("orders.document", kind="credit_note", ref_id=note["id"]))
    return redirect(url_for("orders.show", order_id=order_id))


# --- paper ---------------------------------------------------------------------------------

def _back_to(kind: str, ref_id: int) -> int:
    """The order a document belongs to."""
    if kind == "quote":
        return service.get_order(db.session, ref_id).id
    if kind == "delivery":
        return service.get_delivery(db.session, ref_id).order_id
    if kind == "invoice":
        return service.get_invoice(db.session, ref_id).order_id
    note = service.get_credit_note(db.session, ref_id)
    return service.get_invoice(db.session, note.invoice_id).order_id


@bp.route("/orders/documents/<kind>/<int:ref_id>")
@treasurer_required
def document(kind: str, ref_id: int):
    doc = papers.paper(db.session, kind, ref_id)
    return render_template("orders/document.html", doc=doc, kind=kind, ref_id=ref_id,
                           order_id=_back_to(kind, ref_id), csrf=FlaskForm(),
                           printer=queue.get_printer("receipt").enabled)


@bp.route("/orders/documents/<kind>/<int:ref_id>.pdf")
@treasurer_required
def document_pdf(kind: str, ref_id: int):
    doc = papers.paper(db.session, kind, ref_id)
    return send_file(io.BytesIO(papers.paper_pdf(doc)), mimetype="application/pdf",
                     download_name=doc.filename)


@bp.route("/orders/deliveries/<int:delivery_id>/print", methods=["POST"])
@treasurer_required
def print_delivery(delivery_id: int):
    posted(FlaskForm())
    service.get_delivery(db.session, delivery_id)
    db.session.rollback()
    status = queue.submit_and_attempt(db.session, "delivery_slip", ref_id=delivery_id)
    if status == "queued" and queue.unconfirmed(db.session, "delivery_slip", delivery_id):
        status = "unconfirmed"
    messages = {
        "unconfirmed": _("Bon de livraison envoyé, pas confirmé : l'imprimante n'a pas "
                         "répondu. Il reste dans la file pour être imprimé de nouveau."),
        "printed": _("Bon de livraison imprimé."),
        "queued": _("L'imprimante ne répond pas : le bon de livraison attend dans la file."),
        "failed": _("L'impression a échoué : voyez la page Imprimante."),
        "none": _("Pas d'imprimante réglée : ouvrez le PDF pour l'imprimer."),
    }
    flash(messages.get(status, status), "success" if status == "printed" else "info")
    return redirect(url_for("orders.document", kind="delivery", ref_id=delivery_id))


# --- partners and the invoices' heading ----------------------------------------------------

@bp.route("/orders/partners", methods=["GET", "POST"])
@treasurer_required
def partners():
    status = 200
    values: dict[str, str] = {}
    if request.method == "POST":
        form = posted(PartnerForm())
        values = typed(form)
        with refusals(flash_it=True):
            with write_transaction(db.session):
                partner = service.add_partner(db.session, form.name.data, form.address.data,
                                              form.contact.data)
                name = partner.name
            flash(_("Partenaire « %(name)s » enregistré.", name=name), "success")
            return redirect(url_for("orders.partners"))
        status = 400
    return render_template("orders/partners.html", partners=service.partners(db.session),
                           csrf=FlaskForm(), values=values), status


@bp.route("/orders/partners/<int:partner_id>", methods=["POST"])
@treasurer_required
def edit_partner(partner_id: int):
    form = posted(PartnerForm())
    service.get_partner(db.session, partner_id)
    with refusals(flash_it=True):
        with write_transaction(db.session):
            service.update_partner(db.session, partner_id, form.name.data, form.address.data,
                                   form.contact.data)
        flash(_("Partenaire modifié (les factures déjà faites gardent l'ancienne adresse)."),
              "success")
    return redirect(url_for("orders.partners"))


@bp.route("/orders/settings", methods=["GET", "POST"])
@treasurer_required
def settings():
    status = 200
    if request.method == "POST":
        form = posted(texts_form(papers.ISSUER_KEYS))
        with refusals(flash_it=True):
            with write_transaction(db.session):
                papers.set_issuer(db.session, {key: sent(form, key) or ""
                                               for key in papers.ISSUER_KEYS})
            flash(_("Réglages des factures enregistrés."), "success")
            return redirect(url_for("orders.settings"))
        status = 400
    return render_template("orders/settings.html", issuer=papers.issuer(db.session),
                           csrf=FlaskForm()), status
