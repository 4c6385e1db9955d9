"""Pages of the partner orders area: the orders, a new order, one order with its next
step (deliver, invoice, be paid, credit), its paper, the partners and the invoices'
heading. Treasurer and above; a seller ties her sewing to an order from "J'ai cousu…"."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from kiosk import sales
from kiosk.auth.roles import treasurer_required
from kiosk.common.input import optional_day, row_id, whole_number
from kiosk.common.views import read_counts, refusals
from kiosk.database import utcnow, write_transaction
from kiosk.documents import orders as papers
from kiosk.documents import queue
from kiosk.extensions import db
from kiosk.orders import bp
from kiosk.sales import orders as service
from kiosk.services import catalogue, reports, stock
from kiosk.services.errors import N_, InvalidInput
from kiosk.services.money import format_money, parse_euros
from kiosk.vocabulary import MAX_QTY, ORDER_METHODS, PARIS, method_word

BLANK_LINES = 6  # empty lines the new order form offers

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


def _checked_form() -> dict[str, str]:
    if not FlaskForm().validate_on_submit():
        abort(400)
    return {key: value.strip() for key, value in request.form.items() if key != "csrf_token"}


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
    start, end = reports.period_bounds(date(today.year, 1, 1), today)
    return render_template("orders/index.html", orders=service.orders(db.session),
                           figure=reports.orders_figure(db.session, start, end),
                           year=today.year, status_word=status_word)


# --- a new order ---------------------------------------------------------------------------

@dataclass
class OrderForm:
    """What the new order page holds, to show it again after a refusal."""

    values: dict[str, str]

    def line(self, n: int, name: str) -> str:
        return self.values.get(f"line-{n}-{name}", "")


def _order_lines(values: dict[str, str]) -> list[sales.OrderLineRequest]:
    lines = []
    prices = {p.sku: p.price_cents for p in catalogue.products(db.session, active_only=False)}
    for n in range(BLANK_LINES):
        sku = values.get(f"line-{n}-sku", "")
        description = values.get(f"line-{n}-description", "")
        qty_text = values.get(f"line-{n}-qty", "")
        price_text = values.get(f"line-{n}-price", "")
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


def _render_new(values: dict[str, str], status: int = 200):
    return render_template("orders/new.html", form=OrderForm(values), csrf=FlaskForm(),
                           partners=service.partners(db.session),
                           products=catalogue.products(db.session),
                           lots=catalogue.lots(db.session), blank_lines=BLANK_LINES), status


@bp.route("/orders/new", methods=["GET", "POST"])
@treasurer_required
def new():
    if request.method == "GET":
        return _render_new({"partner": request.args.get("partner", "")})
    values = _checked_form()
    with refusals(flash_it=True):
        lines = _order_lines(values)
        wished_on = _day(values.get("wished_on", ""))
        with write_transaction(db.session):
            if values.get("partner"):
                partner_id = row_id(values["partner"], "partner",
                                    _("Choisissez le partenaire dans la liste."))
            else:
                partner_id = service.add_partner(
                    db.session, values.get("partner_name", ""), values.get("partner_address", ""),
                    values.get("partner_contact", "")).id
            order = sales.take_order(db.session, partner_id, lines, current_user.id,
                                     lot_code=values.get("lot") or None, wished_on=wished_on,
                                     note=values.get("note", ""))
        flash(_("Commande %(number)s enregistrée : imprimez le devis pour la faire signer.",
                number=order["number"]), "success")
        return redirect(url_for("orders.show", order_id=order["id"]))
    return _render_new(values, 400)


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
    _checked_form()
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
    values = _checked_form()
    service.get_order(db.session, order_id)  # an unknown order is a 404, not a message
    with refusals(flash_it=True):
        with write_transaction(db.session):
            issued = sales.issue_invoice(db.session, order_id, current_user.id,
                                         values.get("purchase_order", ""))
        flash(_("Facture %(number)s de %(total)s établie.", number=issued["number"],
                total=format_money(issued["total_cents"])), "success")
        return redirect(url_for("orders.document", kind="invoice", ref_id=issued["id"]))
    return redirect(url_for("orders.show", order_id=order_id))


@bp.route("/orders/<int:order_id>/payments", methods=["POST"])
@treasurer_required
def payment(order_id: int):
    values = _checked_form()
    service.get_order(db.session, order_id)
    with refusals(flash_it=True):
        amount = _euros(values.get("amount", ""), _("Montant reçu"))
        received_on = _day(values.get("received_on", ""))
        with write_transaction(db.session):
            sales.record_payment(db.session, order_id, values.get("method", ""), amount,
                                 current_user.id, reference=values.get("reference", ""),
                                 received_on=received_on)
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
    values = _checked_form()
    found = service.get_invoice(db.session, invoice_id)
    order_id = found.order_id
    with refusals(flash_it=True):
        amount = _euros(values["amount"], _("Montant de l'avoir")) if values.get(
            "amount") else None
        with write_transaction(db.session):
            note = sales.issue_credit_note(db.session, invoice_id, values.get("reason", ""),
                                           current_user.id, amount_cents=amount)
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
    _checked_form()
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
        values = _checked_form()
        with refusals(flash_it=True):
            with write_transaction(db.session):
                partner = service.add_partner(db.session, values.get("name", ""),
                                              values.get("address", ""),
                                              values.get("contact", ""))
                name = partner.name
            flash(_("Partenaire « %(name)s » enregistré.", name=name), "success")
            return redirect(url_for("orders.partners"))
        status = 400
    return render_template("orders/partners.html", partners=service.partners(db.session),
                           csrf=FlaskForm(), values=values), status


@bp.route("/orders/partners/<int:partner_id>", methods=["POST"])
@treasurer_required
def edit_partner(partner_id: int):
    values = _checked_form()
    service.get_partner(db.session, partner_id)
    with refusals(flash_it=True):
        with write_transaction(db.session):
            service.update_partner(db.session, partner_id, values.get("name", ""),
                                   values.get("address", ""), values.get("contact", ""))
        flash(_("Partenaire modifié (les factures déjà faites gardent l'ancienne adresse)."),
              "success")
    return redirect(url_for("orders.partners"))


@bp.route("/orders/settings", methods=["GET", "POST"])
@treasurer_required
def settings():
    status = 200
    if request.method == "POST":
        values = _checked_form()
        with refusals(flash_it=True):
            with write_transaction(db.session):
                papers.set_issuer(db.session, values)
            flash(_("Réglages des factures enregistrés."), "success")
            return redirect(url_for("orders.settings"))
        status = 400
    return render_template("orders/settings.html", issuer=papers.issuer(db.session),
                           csrf=FlaskForm()), status
