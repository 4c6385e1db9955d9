"""Pages of the sell area: opening a drawer, the sale screen, one sale's page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kiosk import sales as sales_service
from kiosk.auth.roles import seller_required, treasurer_required
from kiosk.common.input import arg_id, id_or_none
from kiosk.common.views import posted, qty_boxes, read_counts, refusals
from kiosk.database import utcnow, write_transaction
from kiosk.documents import queue, receipts
from kiosk.extensions import db
from kiosk.models import CashSession, Location, Product, Sale, StockLevel, User
from kiosk.models.cash import DENOMINATIONS_CENTS
from kiosk.models.catalogue import LocationKind
from kiosk.sales.undo import voidable_sale
from kiosk.sell import bp
from kiosk.sell.forms import OpenSessionForm, RefundForm, TeamForm
from kiosk.services import catalogue as catalogue_service
from kiosk.services import shifts
from kiosk.services.cash import default_session_name, open_cash_session, open_sessions
from kiosk.text import alphabetical


def category_labels() -> dict[str, str]:
    return {"bag": _("Sacs"), "apron": _("Tabliers"), "pouch": _("Pochettes"),
            "toiletry_kit": _("Trousses"), "laundry_bag": _("Sacs à linge"),
            "luggage_tag": _("Étiquettes de valise"), "other": _("Autres")}


def receipt_status_labels() -> dict[str, str]:
    return {"printed": _("Ticket imprimé"),
            "queued": _("Ticket en attente : l'imprimante ne répond pas"),
            "unconfirmed": _("Ticket envoyé, pas confirmé par l'imprimante : il reste "
                             "en attente pour être imprimé de nouveau"),
            "failed": _("Ticket non imprimé : vérifiez l'imprimante"),
            "none": _("Pas d'imprimante : aucun ticket")}


def _catalogue(location_id: int) -> list[dict]:
    """What the screen needs to sell with no request: embedded in the page as JSON."""
    stock = dict(db.session.execute(
        select(StockLevel.product_id, StockLevel.qty)
        .where(StockLevel.location_id == location_id)).all())
    products = db.session.scalars(
        select(Product).where(Product.active.is_(True)).order_by(Product.category, Product.name))
    return [{"sku": p.sku, "name": p.name, "category": p.category, "price": p.price_cents,
             "colour": p.colour, "photo": url_for("stock.photo", name=p.photo) if p.photo
             else None, "stock": stock.get(p.id, 0),
             # "prix libre": the price above is the suggestion, "min" the floor
             **({"free": True, "min": p.min_price_cents} if p.free_price else {})}
            for p in products]


@bp.route("/sell")
@seller_required
def index():
    sessions = open_sessions(db.session)
    if not sessions:
        return render_template("sell/no_session.html")
    wanted = request.args.get("session", type=arg_id)
    chosen = next((s for s in sessions if s.id == wanted), sessions[0])
    location = db.session.get(Location, chosen.location_id)
    catalogue = _catalogue(chosen.location_id)
    labels = {**catalogue_service.category_labels(db.session), **category_labels()}
    categories = [(code, labels.get(code, code))
                  for code in dict.fromkeys(p["category"] for p in catalogue)]
    last = voidable_sale(db.session, chosen.id, current_user.id)
    screen = {
        "session": chosen.id,
        "last_sale": {"id": last.id, "number": last.number, "total": last.total_cents}
        if last else None,
        "sale_url": url_for("sell.sale_page", sale_id=0).removesuffix("0"),
        # the screen prints each sale's receipt itself, once the sale is recorded
        # (only when the admin set receipts to "always": the law forbids printing each one)
        "auto_receipt": queue.get_printer("receipt").enabled
        and receipts.receipt_mode(db.session) == "always",
        "user": current_user.id,
        "open_url": url_for("sell.open_session"),
        "idle_lock_ms": round(float(current_app.config["IDLE_LOCK_MINUTES"]) * 60_000),
    }
    # who may unlock the screen after its idle lock: the names of the login page
    volunteers = sorted(db.session.scalars(select(User.name).where(User.active.is_(True))),
                        key=alphabetical)
    return render_template("sell/index.html", cash_session=chosen, location=location,
                           sessions=sessions, catalogue=catalogue, categories=categories,
                           screen=screen, volunteers=volunteers, gift_screen=_gift_screen())


def _gift_screen() -> dict:
    """What static/js/gift.js needs: the receipt setting, whether gift receipts exist."""
    return {"receipt_mode": receipts.receipt_mode(db.session),
            "printer": queue.get_printer("receipt").enabled,
            "gift_receipts": receipts.gift_receipts_enabled(db.session)}


@bp.route("/sell/open", methods=["GET", "POST"])
@seller_required
def open_session():
    locations = db.session.scalars(
        select(Location).where(Location.active.is_(True),
                               Location.kind != LocationKind.CONSIGNMENT)
        .order_by(Location.kind.desc(), Location.name)).all()
    form = OpenSessionForm()
    form.location.choices = [(loc.code, loc.name) for loc in locations]
    stall = next((loc for loc in locations if loc.kind == LocationKind.STALL), None)
    if request.method == "GET":
        form.location.data = stall.code if stall else (locations[0].code if locations else None)
        form.name.data = default_session_name(stall, utcnow())
    error = None
    if form.validate_on_submit():
        # the service bounds each count (MAX_COUNT) and says so in its own words
        read = read_counts({d: f"d{d}" for d in DENOMINATIONS_CENTS}, maximum=None)
        counts = read.values
        team = _team_ids(form)
        if read.bad:
            error = _("Les nombres de billets et de pièces s'écrivent en chiffres.")
        elif team is None:
            error = _("Choisissez les bénévoles dans la liste.")
        else:
            with refusals() as refused:
                with write_transaction(db.session):
                    cash_session = open_cash_session(db.session, form.name.data,
                                                     form.location.data, counts,
                                                     current_user.id)
                    session_id = cash_session.id
                    # who holds the stall: the names tapped, or whoever opens the drawer
                    shifts.join(db.session, session_id, team or [current_user.id])
                flash(_("La caisse est ouverte. Bonne vente !"), "success")
                return redirect(url_for("sell.index", session=session_id))
            error = refused.message
    elif request.method == "POST":
        error = _("Choisissez le lieu et donnez un nom à la caisse.")
    notes = [d for d in DENOMINATIONS_CENTS if d >= 500]
    coins = [d for d in DENOMINATIONS_CENTS if d < 500]
    counts = read_counts({d: f"d{d}" for d in DENOMINATIONS_CENTS}, maximum=None).typed
    chosen = set(_team_ids(form) or []) if request.method == "POST" else {current_user.id}
    return render_template("sell/open.html", form=form, notes=notes, coins=coins,
                           counts=counts, error=error, team=shifts.volunteers(db.session),
                           chosen=chosen), (
        400 if error else 200)


def _team_ids(form: OpenSessionForm | TeamForm) -> list[int] | None:
    """The volunteers' ids tapped on the form (`team`); None when one is not a number."""
    ids = form.team.data or []
    return None if None in ids else ids


@bp.route("/sell/team/<int:session_id>", methods=["GET", "POST"])
@seller_required
def team(session_id: int):
    """Who holds the stall: tap a name to join or to leave during the day."""
    drawer = db.session.get(CashSession, session_id)
    if drawer is None:
        abort(404)
    error, status = None, 400
    if request.method == "POST":
        form = posted(TeamForm())
        action, ids = form.action.data, _team_ids(form)
        if action not in ("join", "leave") or not ids or len(ids) != 1:
            error = _("Touchez le nom d'une bénévole pour dire qu'elle arrive ou qu'elle part.")
        else:
            with refusals() as refused:
                with write_transaction(db.session):
                    if action == "join":
                        shifts.join(db.session, session_id, ids)
                    else:
                        shifts.leave(db.session, session_id, ids[0])
                return redirect(url_for("sell.team", session_id=session_id))
            error, status = refused.message, refused.status
    return render_template("sell/team.html", drawer=drawer, error=error,
                           team=shifts.volunteers(db.session),
                           here=shifts.on_duty(db.session, session_id)), status if error else 200


def _sale_context(sale: Sale) -> dict:
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_([line.product_id for line in sale.lines])))}
    seller = db.session.get(User, sale.user_id)
    cash_session = db.session.get(CashSession, sale.cash_session_id) if (
        sale.cash_session_id) else None
    refunds = sales_service.refunded_by(db.session, sale.id)
    original = db.session.get(Sale, sale.refund_of_id) if sale.refund_of_id else None
    refundable = sales_service.is_refundable(sale.kind)
    left = sales_service.refundable_lines(db.session, sale) if refundable else {}
    default_drawer = sales_service.default_refund_drawer(db.session, sale) if left else None
    return {"sale": sale, "products": products, "seller": seller, "cash_session": cash_session,
            "refunds": refunds, "original": original,
            "refundable": refundable and any(left.values()), "left": left,
            "drawers": open_sessions(db.session) if refundable else [],
            "default_drawer": default_drawer,
            "receipt": queue.latest_status(db.session, "receipt", sale.id),
            "receipt_labels": receipt_status_labels()}


@bp.route("/sell/sales/<int:sale_id>")
@seller_required
def sale_page(sale_id: int):
    sale = sales_service.get_sale(db.session, sale_id)
    form = RefundForm()
    return render_template("sell/sale.html", form=form, **_sale_context(sale))


@bp.route("/sell/sales/<int:sale_id>/receipt", methods=["POST"])
@seller_required
def reprint(sale_id: int):
    sales_service.get_sale(db.session, sale_id)  # 404 for an unknown sale
    status = queue.submit_and_attempt(db.session, "receipt", ref_id=sale_id)
    if status == "queued" and queue.unconfirmed(db.session, "receipt", sale_id):
        status = "unconfirmed"
    flash(receipt_status_labels().get(status, status),
          "success" if status in ("printed", "none") else "error")
    return redirect(url_for("sell.sale_page", sale_id=sale_id))


@bp.route("/sell/sales/<int:sale_id>/refund", methods=["POST"])
@treasurer_required
def refund(sale_id: int):
    sale = sales_service.get_sale(db.session, sale_id)
    form = RefundForm()
    if not form.validate_on_submit():
        flash(_("Dites en quelques mots pourquoi vous remboursez."), "error")
        return redirect(url_for("sell.sale_page", sale_id=sale_id))
    drawer = form.drawer.data
    drawer_id = id_or_none(drawer) if drawer else None
    if drawer and drawer_id is None:
        abort(400)
    # SKU → quantity typed (left as sold: the whole sale); the service bounds each one
    read = read_counts(qty_boxes(), maximum=None)
    if read.bad:  # ASCII digits only: "²" or "５" is not a quantity
        abort(400)
    asked = read.values
    with refusals(flash_it=True):
        with write_transaction(db.session):
            result = sales_service.refund_as_asked(db.session, sale.id, form.reason.data,
                                                   asked, current_user.id,
                                                   drawer_id)
            refund_id = result.sale.id
        queue.submit_and_attempt(db.session, "receipt", ref_id=refund_id)
        flash(_("Remboursement enregistré."), "success")
        return redirect(url_for("sell.sale_page", sale_id=refund_id))
    return redirect(url_for("sell.sale_page", sale_id=sale_id))
