"""How an envelope spending and an envelope's project are named in the association's
accounts (Paheko): the charge account and the money's source, the project code."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import InvalidInput
from kiosk.models import Envelope, EnvelopeSpendAccount, Setting
from kiosk.text import _, is_digits

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
                                 "Usagers"),
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


# Paheko's project codes: capitals, digits and "_" only; what is typed there is
# upper-cased (FIELD-NOTES, "Paheko's analytic projects").
PROJECT_CODE = re.compile(r"[A-Z0-9_]+")
PROJECT_CODE_MAX = 64


LIGATURES = str.maketrans({"Œ": "OE", "Æ": "AE", "ẞ": "SS"})


def code_from_name(name: str) -> str:
    """A code Paheko accepts, from an envelope's name: "Solidarité" → SOLIDARITE,
    "Sorties & loisirs" → SORTIES_LOISIRS."""
    upper = (name or "").upper().translate(LIGATURES)
    plain = unicodedata.normalize("NFKD", upper).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", plain.upper()).strip("_")[:PROJECT_CODE_MAX]


def project_code(envelope: Envelope) -> str:
    """The envelope's project in Paheko: the code the treasurer set, or one made from the
    envelope's name (its code when the name has no letter or digit)."""
    return envelope.project_code or code_from_name(envelope.name) or (
        code_from_name(envelope.code) or f"ENVELOPPE_{envelope.id}")


def project_codes(session: Session) -> dict[int, str]:
    """Every envelope's project (envelope id → code)."""
    return {e.id: project_code(e) for e in session.scalars(select(Envelope)
                                                           .order_by(Envelope.id))}


def check_project_code(project: str) -> str:
    """What Paheko would make of the code typed (upper-cased), or a refusal when it
    would refuse it; "" is the default."""
    project = (project or "").strip().upper()
    if project and (len(project) > PROJECT_CODE_MAX
                    or not PROJECT_CODE.fullmatch(project)):
        raise InvalidInput("project", _(
            "Paheko n'accepte dans un code de projet que des lettres sans accent, des "
            "chiffres et « _ » (%(max)s caractères au plus), par exemple SOLIDARITE.",
            max=PROJECT_CODE_MAX))
    return project


def set_project_code(session: Session, code: str, project: str) -> None:
    """The envelope's project, as Paheko stores it: upper-cased; refused when Paheko would
    refuse it; empty: back to the default (made from the envelope's name)."""
    envelope = session.scalar(select(Envelope).where(Envelope.code == code))
    if envelope is None:
        raise InvalidInput("envelope", _("L'enveloppe « %(which)s » n'existe pas.",
                                         which=code))
    project = check_project_code(project)
    envelope.project_code = project or None
