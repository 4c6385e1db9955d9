"""How an envelope spending and an envelope's project are named in the association's
accounts (Paheko): the charge account and the money's source, the project code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Envelope, EnvelopeSpendAccount
from kiosk.services.errors import InvalidInput
from kiosk.services.text import _

PAID_FROM = ("bank", "cash")


def check_account(code: str) -> str:
    code = (code or "").strip()
    if not code.isdigit() or not 1 <= len(code) <= 12:
        raise InvalidInput("account", _("Un numéro de compte est fait de chiffres, "
                                        "par exemple 530."))
    return code


def spend_accounts(session: Session, charge_account: str | None, paid_from: str | None
                   ) -> EnvelopeSpendAccount | None:
    """The row to journal with a spending, or None when neither was chosen."""
    if not charge_account and not paid_from:
        return None
    if paid_from and paid_from not in PAID_FROM:
        raise InvalidInput("paid_from", _("L'argent sort de la banque ou de la caisse."))
    from kiosk.services.exports import accounts

    charge = check_account(charge_account) if charge_account else (
        accounts(session)["paheko_account_spend"])
    return EnvelopeSpendAccount(charge_account=charge, paid_from=paid_from or "bank")


def project_code(envelope: Envelope) -> str:
    """The envelope's project in Paheko: its own code unless the treasurer set another."""
    return envelope.project_code or envelope.code


def set_project_code(session: Session, code: str, project: str) -> None:
    """Paheko matches the project exactly, case included: stored as typed, trimmed."""
    envelope = session.scalar(select(Envelope).where(Envelope.code == code))
    if envelope is None:
        raise InvalidInput("envelope", _("L'enveloppe « %(which)s » n'existe pas.",
                                         which=code))
    project = (project or "").strip()
    if len(project) > 64 or any(ord(c) < 32 or ord(c) == 127 for c in project):
        raise InvalidInput("project", _("Le code du projet fait 64 caractères au plus."))
    envelope.project_code = project or None
