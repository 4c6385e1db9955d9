"""The product categories: data the coordinator manages (add one, rename, retire)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length

from kiosk.admin import bp
from kiosk.auth.roles import admin_required
from kiosk.common.views import refusals
from kiosk.database import write_transaction
from kiosk.errors import InvalidInput
from kiosk.extensions import db
from kiosk.services import catalogue
from kiosk.vocabulary import NAME_MAX


class CategoryForm(FlaskForm):
    name = StringField(_l("Nom de la catégorie"), validators=[
        InputRequired(_l("Écrivez le nom de la catégorie.")), Length(max=NAME_MAX)])
    active = BooleanField(_l("Proposée pour les nouveaux produits"), default=True)


def _page(form: CategoryForm, status: int = 200, error: str | None = None):
    return render_template("admin/categories.html", categories=catalogue.categories(db.session),
                           labels=catalogue.category_labels(db.session), form=form,
                           error=error), status


@bp.route("/categories", methods=["GET"])
@admin_required
def categories():
    return _page(CategoryForm(prefix="new"))


@bp.route("/categories", methods=["POST"])
@admin_required
def add_category():
    form = CategoryForm(prefix="new")
    if not form.validate_on_submit():
        return _page(form, 400, next(iter(form.errors.values()))[0])
    with refusals() as refused:
        with write_transaction(db.session):
            added = catalogue.add_category(db.session, form.name.data)
        flash(_("La catégorie « %(name)s » est ajoutée.", name=added.name), "success")
        return redirect(url_for("admin.categories"), 303)
    return _page(form, refused.status, refused.message)


@bp.route("/categories/<code>", methods=["POST"])
@admin_required
def update_category(code: str):
    form = CategoryForm(prefix=f"c-{code}")
    if not form.validate_on_submit():
        raise InvalidInput("name", next(iter(form.errors.values()))[0])
    with write_transaction(db.session):
        changed = catalogue.update_category(db.session, code, form.name.data, form.active.data)
    flash(_("La catégorie « %(name)s » est enregistrée.", name=changed.name), "success")
    return redirect(url_for("admin.categories"), 303)
