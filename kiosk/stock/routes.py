"""Pages of the stock area: what was sewn, taken somewhere, counted; the levels; the
consignment statements; and the public page a customer's phone opens from a label."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kiosk import sales
from kiosk.auth.roles import seller_required, treasurer_required
from kiosk.common.input import arg_number, id_or_none
from kiosk.common.views import qty_boxes, read_counts, refusals
from kiosk.database import write_transaction
from kiosk.documents import labels, queue
from kiosk.errors import ServiceError
from kiosk.extensions import db
from kiosk.ledger.money import parse_euros
from kiosk.models import BannerLot, Product, StockMove
from kiosk.models.catalogue import LocationKind
from kiosk.services import catalogue, stock
from kiosk.stock import bp
from kiosk.stock.forms import (
    BringBackForm,
    ConsignmentForm,
    CountForm,
    LabelPrintForm,
    MadeForm,
    TakeForm,
)
from kiosk.vocabulary import MAX_ID, MAX_QTY


def _labels_url(sku: str, copies: int) -> str:
    return "/api/v1/labels.pdf?" + urlencode({"sku": sku, "copies": copies})


@bp.route("/stock")
@seller_required
def index():
    table = stock.stock_table(db.session)
    return render_template("stock/index.html", table=table,
                           checks=stock.to_check(db.session),
                           kinds=catalogue.location_kind_labels())


@bp.route("/stock/made", methods=["GET", "POST"])
@seller_required
def made():
    form = MadeForm()
    lots = catalogue.lots(db.session)
    form.lot.choices = [("", _("Je ne sais pas"))] + [
        (lot.code, f"{lot.partner} · {lot.description or lot.code}") for lot in lots]
    form.order.choices = [("", _("Non, pour le stock"))] + [
        (str(order.id), f"{order.number} · {partner.name}")
        for order, partner in sales.partner_orders.open_orders(db.session)]
    status = 200
    if request.method == "GET" and request.args.get("sku"):
        form.sku.data = request.args["sku"]
    if form.validate_on_submit():
        with refusals(flash_it=True):
            if not form.sku.data:
                raise ServiceError("sku", _("Touchez d'abord ce que vous avez cousu."))
            with write_transaction(db.session):
                if form.order.data:  # tied to the order (and its lot, unless one is chosen)
                    move = sales.record_made(db.session, int(form.order.data), form.sku.data,
                                             form.qty.data, current_user.id,
                                             lot_code=form.lot.data or None)
                    product_id, qty = move["product_id"], move["qty"]
                else:
                    made = stock.produce(db.session, form.sku.data, form.qty.data,
                                         current_user.id, lot_code=form.lot.data or None)
                    product_id, qty = made.product_id, made.qty
                product = db.session.get(Product, product_id)
                done = {"sku": product.sku, "name": product.name, "qty": qty}
            return redirect(url_for("stock.made_done", **done))
        status = 400  # reached only when the service refused
    elif request.method == "POST":
        status = 400
    return render_template("stock/made.html", form=form,
                           products=catalogue.products(db.session),
                           categories=catalogue.category_labels()), status


@bp.route("/stock/made/done")
@seller_required
def made_done():
    product = stock.find_product(db.session, request.args.get("sku", ""))
    qty = request.args.get("qty", type=arg_number(MAX_ID)) or 1
    qty = max(1, min(qty, MAX_QTY))
    return render_template("stock/made_done.html", product=product, qty=qty,
                           pdf_url=_labels_url(product.sku, qty),
                           label_printer=queue.get_printer("label").enabled)


def _progress_message(state: dict) -> str:
    if state["status"] == "printed":
        return _("Toutes les étiquettes sont imprimées (%(n)s).", n=state["total"])
    if state["status"] == "failed":
        return _("L'imprimante d'étiquettes ne répond pas (%(error)s) : vérifiez-la, "
                 "puis réessayez depuis les réglages.", error=state["error"] or "?")
    return _("%(done)s étiquette(s) imprimée(s) sur %(total)s…", done=state["printed"],
             total=state["total"])


@bp.route("/stock/labels/print", methods=["POST"])
@seller_required
def print_labels():
    """Send labels to the label printer; the page then follows the batch's progress."""
    form = LabelPrintForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if not form.validate_on_submit():
        message = _("Le nombre d'étiquettes va de 1 à %(max)s.", max=MAX_QTY)
        if wants_json:
            return jsonify({"status": "error", "message": message}), 400
        flash(message, "error")
        return redirect(url_for("stock.index"))
    with refusals(flash_it=not wants_json) as refused:
        ids = labels.submit_batch(db.session, [(form.sku.data, form.copies.data)])
    if refused.failed:
        if wants_json:
            return jsonify({"status": "error", "message": refused.message}), refused.status
        return redirect(url_for("stock.index"))
    if not ids:
        state = {"status": "none", "message": _("Aucune imprimante d'étiquettes n'est "
                                                 "branchée : imprimez la feuille A4.")}
    else:
        state = labels.progress(db.session, ids)
        state["message"] = _progress_message(state)
        state["poll"] = url_for("stock.label_progress", job=ids)
    if wants_json:
        return jsonify(state)
    flash(state["message"], "success" if state["status"] == "printed" else "error")
    return redirect(url_for("stock.index"))


@bp.route("/stock/labels/progress")
@seller_required
def label_progress():
    ids = [i for i in map(id_or_none, request.args.getlist("job")[:200]) if i is not None]
    if not ids:
        abort(404)
    state = labels.progress(db.session, ids)
    state["message"] = _progress_message(state)
    if state["status"] == "queued":
        state["poll"] = url_for("stock.label_progress", job=ids)
    return jsonify(state)


@bp.route("/stock/take", methods=["GET", "POST"])
@seller_required
def take():
    form = TakeForm()
    places = catalogue.locations(db.session)
    choices = [(loc.code, loc.name) for loc in places]
    form.source.choices = choices
    form.target.choices = choices
    if request.method == "GET":
        workshop = next((loc for loc in places if loc.kind == LocationKind.WORKSHOP), None)
        form.source.data = request.args.get("from") or (workshop.code if workshop else None)
        form.target.data = request.args.get("to") or next(
            (loc.code for loc in places if loc.kind != LocationKind.WORKSHOP), None)
        form.sku.data = request.args.get("sku", "")
    status = 200
    if form.validate_on_submit():
        with refusals(flash_it=True):
            if not form.sku.data:
                raise ServiceError("sku", _("Touchez d'abord ce que vous emportez."))
            with write_transaction(db.session):
                stock.transfer(db.session, form.sku.data, form.qty.data, form.source.data,
                               form.target.data, current_user.id)
                product = stock.find_product(db.session, form.sku.data)
                name, qty = product.name, form.qty.data
                target = stock.find_location(db.session, form.target.data).name
            flash(_("C'est noté : %(qty)s × %(name)s vers %(place)s.", qty=qty, name=name,
                    place=target), "success")
            return redirect(url_for("stock.index"))
        status = 400  # reached only when the service refused
    elif request.method == "POST":
        status = 400
    workshop = next((loc for loc in places if loc.kind == LocationKind.WORKSHOP), None)
    away = [(loc, stock.pieces_at(db.session, loc.id)) for loc in places
            if workshop is not None and loc.id != workshop.id]
    return render_template("stock/take.html", form=form,
                           products=catalogue.products(db.session),
                           categories=catalogue.category_labels(), workshop=workshop,
                           away=away, back_form=BringBackForm()), status


@bp.route("/stock/bring-back", methods=["POST"])
@seller_required
def bring_back():
    form = BringBackForm()
    if not form.validate_on_submit():
        abort(400)
    with write_transaction(db.session):
        source = stock.find_location(db.session, form.source.data)
        moves = stock.bring_back_all(db.session, source.code, stock.workshop(db.session).code,
                                     current_user.id)
        name = source.name
        pieces = sum(m.qty for m in moves if m.qty > 0)
    flash(_("C'est noté : %(n)s pièce(s) ramenée(s) de %(place)s à l'atelier.", n=pieces,
            place=name), "success")
    return redirect(url_for("stock.index"))


def _counted_from_form() -> dict[str, int]:
    """The `qty-SKU` boxes that were filled in, by SKU (an empty box was not counted)."""
    # the services bound the quantities (MAX_QTY) and say so in their own words
    counts = read_counts(qty_boxes(), maximum=None, blank=None)
    if counts.bad:
        raise ServiceError("qty", _("Tapez un nombre entier pour chaque produit compté "
                                    "(0 s'il n'y en a pas)."))
    return counts.values


@bp.route("/stock/count", methods=["GET", "POST"])
@seller_required
def count():
    places = catalogue.locations(db.session)
    code = request.values.get("location")
    if not code:
        return render_template("stock/count_where.html", places=places,
                               kinds=catalogue.location_kind_labels())
    location = stock.find_location(db.session, code)
    form = CountForm()
    products = catalogue.products(db.session)
    counted: dict[str, int] = {}
    lines = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        with refusals(flash_it=True) as refused:
            counted = _counted_from_form()
            if form.step.data == "save":
                with write_transaction(db.session):
                    lines, _moves = stock.count(db.session, location.code, counted,
                                               current_user.id)
                changed = sum(1 for line in lines if line.difference)
                flash(_("Comptage enregistré à %(place)s : %(n)s produit(s) corrigé(s).",
                        place=location.name, n=changed), "success")
                return redirect(url_for("stock.index"))
            _location, lines = stock.count_preview(db.session, location.code, counted)
        if refused.failed:
            status, lines = 400, None
    levels = {p.id: stock.level(db.session, p.id, location.id) for p in products}
    return render_template("stock/count.html", form=form, location=location,
                           products=products, counted=counted, lines=lines,
                           levels=levels), status


@bp.route("/stock/consignment", methods=["GET", "POST"])
@treasurer_required
def consignment_statement():
    form = ConsignmentForm()
    shops = [loc for loc in catalogue.locations(db.session)
             if loc.kind == LocationKind.CONSIGNMENT]
    form.location.choices = [(loc.code, loc.name) for loc in shops]
    if request.method == "GET" and shops and not form.commission_percent.data:
        form.commission_percent.data = sales.default_percent(shops[0])
    products = catalogue.products(db.session)
    status, result, beyond = 200, None, False
    if form.validate_on_submit():
        with refusals(flash_it=True) as refused:
            sold = _counted_from_form()
            lines = [sales.StatementLine(sku, qty) for sku, qty in sold.items() if qty]
            location = stock.find_location(db.session, form.location.data)
            percent = (sales.parse_percent(form.commission_percent.data)
                       if form.commission_percent.data else None)
            paid = None
            if form.paid.data:
                try:
                    paid = parse_euros(form.paid.data)
                except ValueError:
                    raise ServiceError("paid", _("Le montant versé s'écrit comme 126,00."
                                                 )) from None
            with write_transaction(db.session):
                sale, statement = sales.record_statement(
                    db.session, location.code, form.period.data, lines, current_user.id,
                    commission_bp=percent, paid_cents=paid,
                    confirm=form.confirm.data == "1")
                result = {"number": sale.number, "total": sale.total_cents,
                          "commission": statement.commission_cents,
                          "paid": statement.paid_cents, "place": location.name}
        if refused.failed:
            status = 400
            beyond = getattr(refused.error, "code", "") == "beyond_deposit"
    elif request.method == "POST":
        status = 400
    deposits = {shop.code: dict(stock.levels_at(db.session, shop.code)) for shop in shops}
    return render_template("stock/consignment.html", form=form, products=products,
                           result=result, shops=shops, deposits=deposits,
                           ask_confirm=beyond), status


# --- Public: what a customer's phone opens from a label's QR code ----------------------

@bp.route("/p/<sku>")
def public_product(sku: str):
    product = db.session.scalar(select(Product).where(Product.sku == sku.upper()))
    if product is None:
        abort(404)
    lot = db.session.scalar(
        select(BannerLot).join(StockMove, StockMove.banner_lot_id == BannerLot.id)
        .where(StockMove.product_id == product.id).order_by(StockMove.id.desc()).limit(1))
    return render_template("stock/public.html", product=product, lot=lot,
                           category=catalogue.category_labels().get(product.category, ""))


@bp.route("/p/photo/<name>")
def photo(name: str):
    if not re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|webp)", name):
        abort(404)
    return send_from_directory(catalogue.photos_dir(current_app.instance_path), name,
                               max_age=86400)


@bp.route("/stock/swatches.css")
@seller_required
def swatches():
    """Each product's colour as a class: the pages allow no inline style (strict CSP)."""
    rules = "\n".join(f".swatch-{p.id} {{ background: {p.colour}; }}"
                      for p in catalogue.products(db.session, active_only=False)
                      if catalogue.COLOUR_PATTERN.match(p.colour or ""))
    return current_app.response_class(rules, mimetype="text/css")
