"""Exports for the association's accounts: CSV files, and a journal Paheko imports.

Paheko's "Simplifié" journal import (FIELD-NOTES): one row per two-line entry, positive
amounts only (a refund or a shortfall swaps the accounts), `Numéro d'écriture` left empty
(a filled one overwrites Paheko's entry of that number), UTF-8, every account in the
association's chart. Paheko does not detect duplicates, so each export is one file named
for its period and remembered in ExportRecord; exporting an overlapping period again to
Paheko needs `again`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    Envelope,
    EnvelopeEntry,
    ExportRecord,
    Location,
    Payment,
    Product,
    Sale,
    SaleLine,
    Setting,
)
from kiosk.models.sales import PaymentMethod
from kiosk.services.errors import Conflict, InvalidInput
from kiosk.services.reports import period_bounds
from kiosk.services.text import _
from kiosk.vocabulary import PARIS, method_word

FORMATS = ("csv", "paheko")

# Setting key → (default account, what the kiosk uses it for, the account's own name in
# Paheko's association chart PCA 2025, so the treasurer recognises it there). Every
# default exists in both PCA charts (2018 and 2025).
ACCOUNTS = {
    "paheko_account_cash": ("530", "Caisse", "Caisse"),
    "paheko_account_cheque": ("5112", "Chèques à encaisser", "Chèques à encaisser"),
    "paheko_account_card": ("5115", "Paiements par carte à encaisser",
                            "Paiements par carte à encaisser"),
    "paheko_account_transfer": ("512", "Banques (virements des dépôts-ventes)", "Banques"),
    "paheko_account_sales": ("701", "Ventes de produits finis", "Ventes de produits finis"),
    "paheko_account_shortfall": ("658", "Charges diverses (manque en caisse)",
                                 "Pénalités et autres charges"),
    "paheko_account_surplus": ("758", "Produits divers (excédent de caisse)",
                               "Indemnités et autres produits"),
}
METHOD_ACCOUNT = {PaymentMethod.CASH: "paheko_account_cash",
                  PaymentMethod.CHEQUE: "paheko_account_cheque",
                  PaymentMethod.CARD: "paheko_account_card",
                  PaymentMethod.TRANSFER: "paheko_account_transfer"}
PAHEKO_COLUMNS = ["Numéro d'écriture", "Libellé", "Date", "Remarques",
                  "Numéro pièce comptable", "Référence paiement", "Compte de débit",
                  "Compte de crédit", "Montant", "Projet analytique"]


@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    record: ExportRecord | None = None
    # Nothing in the period: no file is written and nothing is remembered (Paheko refuses
    # a file without data rows, and a remembered empty export would block a later one).
    nothing: bool = False
    message: str = ""


def accounts(session: Session) -> dict[str, str]:
    stored = dict(session.execute(select(Setting.key, Setting.value).where(
        Setting.key.in_(list(ACCOUNTS)))).all())
    return {key: (stored.get(key) or default).strip()
            for key, (default, *_names) in ACCOUNTS.items()}


def set_account(session: Session, key: str, code: str) -> None:
    code = code.strip()
    if key not in ACCOUNTS:
        raise InvalidInput("account", "Ce compte n'est pas réglable.")
    if not code.isdigit() or not 1 <= len(code) <= 12:
        raise InvalidInput("account", "Un numéro de compte est fait de chiffres, "
                           "par exemple 530.")
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=code))
    else:
        setting.value = code


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise InvalidInput("period", "La fin de la période est avant son début.")
    if (date_to - date_from).days > 3660:
        raise InvalidInput("period", "Dix ans au plus par export.")


def overlapping(session: Session, fmt: str, date_from: date, date_to: date
                ) -> list[ExportRecord]:
    return list(session.scalars(select(ExportRecord).where(
        ExportRecord.format == fmt, ExportRecord.date_from <= date_to,
        ExportRecord.date_to >= date_from).order_by(ExportRecord.id)))


def export(session: Session, date_from: date, date_to: date, fmt: str, directory: str | Path,
           user_id: int | None = None, again: bool = False) -> ExportResult:
    """Write the period's files into `directory` and remember the export (caller commits)."""
    if fmt not in FORMATS:
        raise InvalidInput("format", "Le format est csv ou paheko.")
    check_period(date_from, date_to)
    if fmt == "paheko" and not again:
        earlier = overlapping(session, fmt, date_from, date_to)
        if earlier:
            first = earlier[0]
            raise Conflict(
                "already_exported",
                "Cette période recoupe un export Paheko déjà fait (%(file)s, du %(start)s au "
                "%(end)s) : Paheko compterait ces ventes deux fois. Refaites-le seulement si "
                "l'import précédent a été annulé.", file=first.filename,
                start=f"{first.date_from:%d/%m/%Y}", end=f"{first.date_to:%d/%m/%Y}")
    if is_empty(session, date_from, date_to, fmt):
        return ExportResult(nothing=True, message=_(
            "Rien à exporter du %(start)s au %(end)s : aucun fichier écrit, rien n'est "
            "retenu.", start=f"{date_from:%d/%m/%Y}", end=f"{date_to:%d/%m/%Y}"))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    if fmt == "csv":
        result.files = write_csv_files(session, date_from, date_to, directory)
    else:
        result.files = [write_paheko(session, date_from, date_to, directory)]
    record = ExportRecord(format=fmt, date_from=date_from, date_to=date_to,
                          filename=", ".join(p.name for p in result.files)[:255],
                          created_by=user_id)
    session.add(record)
    result.record = record
    return result


def is_empty(session: Session, date_from: date, date_to: date, fmt: str) -> bool:
    """True when the period holds nothing the format would write a row for."""
    if fmt == "paheko":
        return not paheko_rows(session, date_from, date_to)
    start, end = period_bounds(date_from, date_to)
    found = (session.scalar(select(Sale.id).where(Sale.created_at >= start,
                                                  Sale.created_at < end).limit(1))
             or session.scalar(select(CashSession.id).where(
                 CashSession.opened_at >= start, CashSession.opened_at < end).limit(1))
             or session.scalar(select(EnvelopeEntry.id).where(
                 EnvelopeEntry.entry_date >= date_from,
                 EnvelopeEntry.entry_date <= date_to).limit(1)))
    return found is None


def _suffix(date_from: date, date_to: date) -> str:
    return f"{date_from.isoformat()}_au_{date_to.isoformat()}"


def _paris(moment) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# injection"): a product named =HYPERLINK(…) or a reason typed by any seller must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet reads as text: formula-leading text gets a leading
    apostrophe. Numbers stay numbers (amounts in cents keep their sign)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write(path: Path, header: list[str], rows: Iterable[Iterable], encoding="utf-8-sig"
           ) -> Path:
    """Every CSV the kiosk writes goes through here, so every cell is made safe once."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return path


def _sessions_in(session: Session, start, end) -> list[CashSession]:
    return list(session.scalars(select(CashSession).where(
        CashSession.opened_at >= start, CashSession.opened_at < end).order_by(CashSession.id)))


def write_csv_files(session: Session, date_from: date, date_to: date, directory: Path
                    ) -> list[Path]:
    start, end = period_bounds(date_from, date_to)
    suffix = _suffix(date_from, date_to)
    in_period = (Sale.created_at >= start, Sale.created_at < end)
    files = []
    original = aliased(Sale)
    lines = session.execute(
        select(Sale, SaleLine, Product.sku, Product.name, Location.code, CashSession.name,
               original.number)
        .join(SaleLine, SaleLine.sale_id == Sale.id)
        .outerjoin(original, original.id == Sale.refund_of_id)
        .join(Product, Product.id == SaleLine.product_id)
        .join(Location, Location.id == Sale.location_id)
        .outerjoin(CashSession, CashSession.id == Sale.cash_session_id)
        .where(*in_period).order_by(Sale.year, Sale.seq, SaleLine.id))
    files.append(_write(directory / f"ventes-lignes_{suffix}.csv", [
        "numero", "date", "type", "caisse", "nom_caisse", "lieu", "article", "nom_article",
        "quantite", "prix_unitaire_centimes", "total_centimes", "motif", "annule_vente"],
        ([sale.number, _paris(sale.created_at), sale.kind, sale.cash_session_id or "",
          session_name or "", location, sku, name, line.qty, line.unit_price_cents,
          line.line_total_cents, sale.reason, undone or ""]
         for sale, line, sku, name, location, session_name, undone in lines)))

    payments = session.execute(
        select(Sale, Payment).join(Payment, Payment.sale_id == Sale.id)
        .where(*in_period).order_by(Sale.year, Sale.seq, Payment.id))
    files.append(_write(directory / f"paiements_{suffix}.csv", [
        "numero", "date", "type", "caisse", "moyen", "montant_centimes", "donne_centimes",
        "rendu_centimes"],
        ([sale.number, _paris(sale.created_at), sale.kind, sale.cash_session_id or "",
          p.method, p.amount_cents, p.tendered_cents, p.change_cents]
         for sale, p in payments)))

    sessions = _sessions_in(session, start, end)
    ids = [s.id for s in sessions]
    names = {s.id: s.name for s in sessions}
    closures = {c.cash_session_id: c for c in session.scalars(
        select(CashSessionClosure).where(CashSessionClosure.cash_session_id.in_(ids)))}
    files.append(_write(directory / f"caisses_{suffix}.csv", [
        "caisse", "nom", "ouverte_le", "fermee_le", "fond_centimes", "attendu_centimes",
        "compte_centimes", "ecart_centimes", "ventes_nettes_centimes", "cheques_centimes",
        "carte_centimes"],
        ([s.id, s.name, _paris(s.opened_at),
          _paris(closures[s.id].closed_at) if s.id in closures else "", s.float_cents,
          *((c.expected_cash_cents, c.counted_cash_cents, c.difference_cents,
             c.revenue_cents, c.cheque_total_cents, c.card_total_cents)
            if (c := closures.get(s.id)) else ("",) * 6)]
         for s in sessions)))
    counts = session.scalars(select(CashCountLine).where(
        CashCountLine.cash_session_id.in_(ids)).order_by(CashCountLine.id))
    files.append(_write(directory / f"comptages-caisse_{suffix}.csv", [
        "caisse", "nom_caisse", "moment", "valeur_centimes", "nombre", "total_centimes"],
        ([c.cash_session_id, names[c.cash_session_id], "ouverture" if c.moment == "open"
          else "fermeture", c.denomination_cents, c.count, c.denomination_cents * c.count]
         for c in counts)))
    cheques = session.scalars(select(Cheque).where(Cheque.cash_session_id.in_(ids))
                              .order_by(Cheque.id))
    files.append(_write(directory / f"cheques_{suffix}.csv", [
        "caisse", "nom_caisse", "montant_centimes", "tireur", "banque", "numero"],
        ([c.cash_session_id, names[c.cash_session_id], c.amount_cents, c.drawer, c.bank,
          c.number] for c in cheques)))
    entries = session.execute(
        select(EnvelopeEntry, Envelope.code, Envelope.name)
        .join(Envelope, Envelope.id == EnvelopeEntry.envelope_id)
        .where(EnvelopeEntry.entry_date >= date_from, EnvelopeEntry.entry_date <= date_to)
        .order_by(EnvelopeEntry.entry_date, EnvelopeEntry.id))
    files.append(_write(directory / f"enveloppes_{suffix}.csv", [
        "date", "enveloppe", "nom_enveloppe", "type", "montant_centimes", "libelle",
        "justificatif", "caisse"],
        ([e.entry_date.isoformat(), code, name, e.kind, e.amount_cents, e.label, e.receipt_ref,
          e.cash_session_id or ""] for e, code, name in entries)))
    return files


def _euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def paheko_rows(session: Session, date_from: date, date_to: date) -> list[list[str]]:
    """The period's entries: sales per drawer, day and payment method, then the cash
    differences of the drawers closed in the period."""
    acc = accounts(session)
    start, end = period_bounds(date_from, date_to)
    groups: dict[tuple, dict] = defaultdict(lambda: {"cents": 0, "numbers": []})
    rows = session.execute(
        select(Sale.cash_session_id, Sale.created_at, Sale.number, Payment.method,
               Payment.amount_cents)
        .join(Payment, Payment.sale_id == Sale.id)
        .where(Sale.created_at >= start, Sale.created_at < end)
        .order_by(Sale.year, Sale.seq, Payment.id))
    for cash_session_id, created_at, number, method, amount in rows:
        day = created_at.astimezone(PARIS).date()
        group = groups[(day, cash_session_id or 0, method)]
        group["cents"] += amount
        group["numbers"].append(number)
    names = dict(session.execute(select(CashSession.id, CashSession.name)).all())
    out = []
    for (day, cash_session_id, method), group in sorted(groups.items()):
        cents = group["cents"]
        if cents == 0:
            continue
        where = names.get(cash_session_id, "") if cash_session_id else "hors caisse"
        debit, credit = acc[METHOD_ACCOUNT.get(method, "paheko_account_cash")], \
            acc["paheko_account_sales"]
        label = f"Ventes {where} ({method_word(method, paper=True).lower()})"
        if cents < 0:  # more refunded than sold: money went out, the accounts swap
            debit, credit = credit, debit
            label = f"Remboursements {where} ({method_word(method, paper=True).lower()})"
        numbers = group["numbers"]
        piece = f"Caisse {cash_session_id}" if cash_session_id else f"Hors caisse {day}"
        notes = f"Tickets {numbers[0]} à {numbers[-1]}" if len(numbers) > 1 else (
            f"Ticket {numbers[0]}")
        out.append(["", label[:120], day.strftime("%d/%m/%Y"), notes, piece, "", debit,
                    credit, _euros(abs(cents)), ""])
    closures = session.execute(
        select(CashSessionClosure, CashSession.name)
        .join(CashSession, CashSession.id == CashSessionClosure.cash_session_id)
        .where(CashSessionClosure.closed_at >= start, CashSessionClosure.closed_at < end,
               CashSessionClosure.difference_cents != 0)
        .order_by(CashSessionClosure.closed_at))
    for closure, name in closures:
        day = closure.closed_at.astimezone(PARIS).date().strftime("%d/%m/%Y")
        if closure.difference_cents < 0:
            label = f"Manque en caisse {name}"
            debit, credit = acc["paheko_account_shortfall"], acc["paheko_account_cash"]
        else:
            label = f"Excédent de caisse {name}"
            debit, credit = acc["paheko_account_cash"], acc["paheko_account_surplus"]
        out.append(["", label[:120], day, "Écart constaté à la clôture",
                    f"Caisse {closure.cash_session_id}", "", debit, credit,
                    _euros(abs(closure.difference_cents)), ""])
    return out


def write_paheko(session: Session, date_from: date, date_to: date, directory: Path) -> Path:
    path = directory / f"paheko-journal_{_suffix(date_from, date_to)}.csv"
    return _write(path, PAHEKO_COLUMNS, paheko_rows(session, date_from, date_to),
                  encoding="utf-8")


def history(session: Session) -> list[ExportRecord]:
    return list(session.scalars(select(ExportRecord).order_by(ExportRecord.id.desc())))
