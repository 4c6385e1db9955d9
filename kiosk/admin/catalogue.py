"""The catalogue, the banner lots and the label sheet, managed by the coordinator."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kiosk.admin import bp
from kiosk.admin.catalogue_forms import LotForm, ProductForm, SheetForm
from kiosk.auth.roles import admin_required
from kiosk.common.views import refusals
from kiosk.database import write_transaction
from kiosk.documents import labels
from kiosk.extensions import db
from kiosk.ledger.money import format_euros, parse_euros
from kiosk.models import Product
from kiosk.services import catalogue


def _product_form(product: Product | None = None) -> ProductForm:
    form = ProductForm(obj=product) if product and request.method == "GET" else ProductForm()
    choices = catalogue.category_labels(active_only=True)
    if product is not None and product.category not in choices:  # a retired one it keeps
        choices[product.category] = catalogue.category_labels().get(product.category,
                                                                    product.category)
    form.category.choices = list(choices.items())
    if product is not None and request.method == "GET":
        form.price.data = format_euros(product.price_cents)
        form.min_price.data = format_euros(product.min_price_cents)
    return form


@bp.route("/products")
@admin_required
def products():
    return render_template("admin/products.html",
                           products=catalogue.products(db.session, active_only=False),
                           categories=catalogue.category_labels())


def _save_product(form: ProductForm, product_id: int | None):
    """Validate and save; returns the product, or None with the error on the form."""
    try:
        price = parse_euros(form.price.data or "")
    except ValueError:
        form.price.errors.append(_("Le prix doit être un nombre, par exemple 12,50."))
        return None
    try:
        minimum = parse_euros(form.min_price.data or "0")
    except ValueError:
        form.min_price.errors.append(_("Le prix doit être un nombre, par exemple 12,50."))
        return None
    data = catalogue.ProductData(
        sku=form.sku.data or "", name=form.name.data or "", category=form.category.data,
        price_cents=price, active=form.active.data, story=form.story.data or "",
        colour=form.colour.data or "#2b6cb0", banner_area_cm2=form.banner_area_cm2.data or 0,
        free_price=form.free_price.data, min_price_cents=minimum)
    upload = form.photo.data
    raw = upload.read() if upload and getattr(upload, "filename", "") else None
    with refusals() as refused, write_transaction(db.session):
        if product_id is None:
            product = catalogue.create_product(db.session, data)
        else:
            product = catalogue.update_product(db.session, product_id, data)
        if raw is not None:
            catalogue.store_photo(db.session, product, raw, current_app.instance_path)
        return product.id
    field = getattr(form, {"price_cents": "price", "min_price_cents": "min_price"}.get(
        refused.code, refused.code), None)
    field = field if field is not None and hasattr(field, "errors") else form.name
    if refused.code in ("sku_taken",):
        field = form.sku
    field.errors = [*field.errors, refused.message]
    return None


@bp.route("/products/new", methods=["GET", "POST"])
@admin_required
def new_product():
    form = _product_form()
    if form.validate_on_submit():
        saved = _save_product(form, None)
        if saved is not None:
            flash(_("Le produit %(name)s est au catalogue.", name=form.name.data), "success")
            return redirect(url_for("admin.products"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/product_form.html", form=form, product=None), status


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@admin_required
def edit_product(product_id: int):
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    form = _product_form(product)
    if form.validate_on_submit():
        saved = _save_product(form, product_id)
        if saved is not None:
            flash(_("Modifications enregistrées."), "success")
            return redirect(url_for("admin.products"))
        db.session.rollback()
        product = db.session.get(Product, product_id)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/product_form.html", form=form, product=product), status


@bp.route("/lots", methods=["GET", "POST"])
@admin_required
def lots():
    form = LotForm()
    status = 200
    if form.validate_on_submit():
        with refusals() as refused:
            with write_transaction(db.session):
                catalogue.create_lot(db.session, form.code.data, form.partner.data,
                                     form.received_on.data, form.area.data,
                                     form.description.data or "")
            flash(_("Le lot %(code)s est enregistré.", code=form.code.data.upper()), "success")
            return redirect(url_for("admin.lots"))
        field = {"code": form.code, "lot_taken": form.code, "partner": form.partner,
                 "area": form.area, "received_on": form.received_on}.get(
                     refused.code, form.description)
        field.errors = [*field.errors, refused.message]
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("admin/lots.html", form=form,
                           lots=catalogue.lots(db.session)), status


@bp.route("/labels", methods=["GET", "POST"])
@admin_required
def label_sheet():
    layout = labels.load_layout(db.session)
    form = SheetForm(data=layout.__dict__) if request.method == "GET" else SheetForm()
    status = 200
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in layout.__dict__}
        try:
            new = labels.SheetLayout(**{k: (int(v) if k in ("cols", "rows") else float(v))
                                        for k, v in values.items()})
            with write_transaction(db.session):
                labels.save_layout(db.session, new)
        except ValueError:
            form.cols.errors = [*form.cols.errors, _(
                "Les étiquettes ne tiennent pas sur une feuille A4 avec ces mesures : "
                "vérifiez les tailles et les marges.")]
            status = 400
        else:
            flash(_("Réglage de la feuille d'étiquettes enregistré."), "success")
            return redirect(url_for("admin.label_sheet"))
    elif request.method == "POST":
        status = 400
    sample = next(iter(catalogue.products(db.session)), None)
    return render_template("admin/labels.html", form=form,
                           sample_url=labels_sample_url(sample.sku if sample else None)), status


def labels_sample_url(sku: str | None) -> str | None:
    return f"/api/v1/labels.pdf?sku={sku}&copies=21" if sku else None
