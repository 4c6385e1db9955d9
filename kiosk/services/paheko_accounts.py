"""How an envelope spending and an envelope's project are named in the association's
accounts (Paheko): the charge account and the money's source, the project code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Envelope, EnvelopeSpendAccount, Setting
from kiosk.services.errors import InvalidInput
from kiosk.services.text import _, is_digits

PAID_FROM = ("bank", "cash")

# Setting key → (default account, what the kiosk uses it for, the account's own name in
# Paheko's association chart PCA 2025, so the treasurer recognises it there).
ACCOUNTS = {
    "paheko_account_cash": ("530", "Caisse", "Caisse"),
    "paheko_account_cheque": ("5112", "Chèques à encaisser", "Chèques à encaisser"),
    "paheko_account_card": ("5115", "Paiements par carte à encaisser",
                            "Paiements par carte à encaisser"),
    "paheko_account_transfer": ("512", "Banques (virements des dépôts-ventes, dépenses)",
                                "Banques"),
    "paheko_account_sales": ("701", "Ventes de produits finis", "Ventes de produits finis"),
    "paheko_account_donations": ("7541", "Dons manuels (les dons reçus au stand)",
                                 "Dons manuels"),
    "paheko_account_shortfall": ("658", "Charges diverses (manque en caisse)",
                                 "Pénalités et autres charges"),
    "paheko_account_surplus": ("758", "Produits divers (excédent de caisse)",
                               "Indemnités et autres produits"),
    "paheko_account_commission": ("6222", "Commission gardée par les dépôts-ventes",
                                  "Commissions et courtages sur ventes"),
    "paheko_account_spend": ("6068", "Dépenses des enveloppes (quand aucun compte n'est "
                             "choisi)", "Autres fournitures & matières"),
    "paheko_account_waiting": ("4718", "Passage des virements entre enveloppes",
                               "Compte d'attente"),
    # Issue 19: a partner's order is invoiced to its customer account, then paid to the bank.
    "paheko_account_customers": ("411", "Partenaires à qui une facture est faite",
                                 "Clients"),
    "paheko_account_orders": ("701", "Ventes aux partenaires (commandes ; 706 pour une "
                              "prestation)", "Ventes de produits finis"),
}


def accounts(session: Session) -> dict[str, str]:
    stored = dict(session.execute(select(Setting.key, Setting.value).where(
        Setting.key.in_(list(ACCOUNTS)))).all())
    return {key: (stored.get(key) or default).strip()
            for key, (default, *_names) in ACCOUNTS.items()}


def set_account(session: Session, key: str, code: str) -> None:
    if key not in ACCOUNTS:
        raise InvalidInput("account", "Ce compte n'est pas réglable.")
    code = check_account(code)
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=code))
    else:
        setting.value = code


def check_account(code: str) -> str:
    code = (code or "").strip()
    if not is_digits(code, 12):  # ASCII: "５３０" or "²²²" would reach the Paheko file
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
