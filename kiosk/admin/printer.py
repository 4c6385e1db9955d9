"""The printer page: where receipts go, whether the printer answers, what waits."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import Length

from kiosk.admin import bp
from kiosk.auth.roles import admin_required
from kiosk.common.fields import TextField
from kiosk.common.pages import paris_datetime
from kiosk.database import utcnow, write_transaction
from kiosk.documents import queue, receipts, usb
from kiosk.errors import InvalidInput
from kiosk.extensions import db


class PrinterActionForm(FlaskForm):
    """The CSRF token, and the printer found on USB that a button chooses (`url`)."""

    url = TextField()


class ReceiptSettingsForm(FlaskForm):
    receipt_mode = RadioField(_l("Tickets de caisse"), choices=[
        ("on_request", _l("Sur demande de la cliente (la loi l'exige, conseillé)")),
        ("always", _l("Toujours, après chaque vente")),
        ("never", _l("Jamais (pas de bouton « Ticket »)"))], default="on_request")
    gift_receipts = BooleanField(_l("L'association peut délivrer des reçus de don "
                                    "(organisme d'intérêt général)"))
    gift_receipt_identity = StringField(
        _l("Sur les reçus de don : numéro RNA ou SIRET, objet de l'association"),
        validators=[Length(max=300, message=_l("300 caractères au plus."))])


def _receipt_form() -> ReceiptSettingsForm:
    form = ReceiptSettingsForm(prefix="receipts")
    if not form.is_submitted():
        form.receipt_mode.data = receipts.receipt_mode(db.session)
        form.gift_receipts.data = receipts.gift_receipts_enabled(db.session)
        form.gift_receipt_identity.data = receipts.setting(db.session, "gift_receipt_identity")
    return form


@bp.route("/printer", methods=["GET"])
@admin_required
def printer_page():
    receipt = queue.get_printer("receipt")
    label = queue.get_printer("label")
    printers = [("receipt", _("Tickets de caisse"), receipt, receipt.status(),
                 queue.paper("receipt"))]
    if label.url != receipt.url:
        printers.append(("label", _("Étiquettes"), label, label.status(), queue.paper("label")))
    jobs = queue.waiting_jobs(db.session)
    return render_template("admin/printer.html", printers=printers, jobs=jobs,
                           form=PrinterActionForm(), receipt_form=_receipt_form(),
                           found=_found_printers(), chosen=usb.chosen_printer(current_app),
                           typed=current_app.config.get("PRINTER") not in (None, "none"))


def _found_printers() -> list[usb.FoundPrinter]:
    """The USB printers plugged in (KIOSK_USB_ROOT: where /sys and /dev are; tests)."""
    return usb.find_printers(current_app.config.get("USB_ROOT") or "/")


@bp.route("/printer/found", methods=["POST"])
@admin_required
def printer_found():
    """A printer found on USB: used for receipts (when none is typed in KIOSK_PRINTER),
    and a test ticket printed on it at once."""
    form = PrinterActionForm()
    if not form.validate_on_submit():
        flash(_("La page a expiré : revenez en arrière et recommencez."), "error")
        return redirect(url_for("admin.printer_page"), 303)
    found = next((p for p in _found_printers() if p.url == form.url.data), None)
    if found is None:
        raise InvalidInput("url", _("Cette imprimante n'est plus branchée : rien n'a changé. "
                                    "Rebranchez-la puis rechargez la page."))
    with write_transaction(db.session):
        usb.choose_printer(db.session, current_app, found)
    status = queue.submit_and_attempt(
        db.session, "test", payload={"by": current_user.name,
                                     "when": paris_datetime(utcnow(), "dd/MM/yyyy HH:mm")})
    flash(*_STATUS_MESSAGES[status]())
    return redirect(url_for("admin.printer_page"), 303)


@bp.route("/printer/receipts", methods=["POST"])
@admin_required
def receipt_settings():
    """When receipts print (on request by default) and whether gift receipts exist."""
    form = _receipt_form()
    if not form.validate_on_submit():
        flash(_("Les réglages ne sont pas enregistrés : vérifiez le formulaire."), "error")
        return redirect(url_for("admin.printer_page"), 303)
    with write_transaction(db.session):
        receipts.save_settings(db.session, {
            "receipt_mode": form.receipt_mode.data,
            "gift_receipts": "on" if form.gift_receipts.data else "off",
            "gift_receipt_identity": " ".join((form.gift_receipt_identity.data or "").split())})
    flash(_("Réglages des tickets enregistrés."), "success")
    return redirect(url_for("admin.printer_page"), 303)


@bp.route("/printer/test", methods=["POST"])
@admin_required
def printer_test():
    if not PrinterActionForm().validate_on_submit():
        flash(_("La page a expiré : revenez en arrière et recommencez."), "error")
        return redirect(url_for("admin.printer_page"), 303)
    status = queue.submit_and_attempt(
        db.session, "test", payload={"by": current_user.name,
                                     "when": paris_datetime(utcnow(), "dd/MM/yyyy HH:mm")})
    flash(*_STATUS_MESSAGES[status]())
    return redirect(url_for("admin.printer_page"), 303)


@bp.route("/printer/retry", methods=["POST"])
@admin_required
def printer_retry():
    if not PrinterActionForm().validate_on_submit():
        flash(_("La page a expiré : revenez en arrière et recommencez."), "error")
        return redirect(url_for("admin.printer_page"), 303)
    queue.requeue(db.session)
    printed = queue.retry_queued(db.session)
    left = len(queue.waiting_jobs(db.session))
    if left:
        flash(_("%(n)s impression(s) faite(s), %(left)s attendent encore : vérifiez que "
                "l'imprimante est allumée et a du papier.", n=printed, left=left), "error")
    else:
        flash(_("%(n)s impression(s) faite(s), plus rien n'attend.", n=printed), "success")
    return redirect(url_for("admin.printer_page"), 303)


_STATUS_MESSAGES = {
    "printed": lambda: (_("Le ticket de test est imprimé."), "success"),
    "queued": lambda: (_("L'imprimante n'a pas répondu : le ticket attend, vérifiez "
                         "qu'elle est allumée puis relancez."), "error"),
    "failed": lambda: (_("Le ticket n'a pas pu être imprimé : vérifiez l'imprimante puis "
                         "relancez."), "error"),
    "none": lambda: (_("Aucune imprimante n'est réglée (KIOSK_PRINTER)."), "error"),
}
