"""Exports for the association's accounts: CSV files, and a journal Paheko imports.

The Paheko journal is written entry by entry (kiosk/services/paheko.py): each exported
entry is remembered in ExportEntry, so a period exported before its end leaves the rest
for the next export, a drawer still open is named and left for the export after its
closing, and importing twice needs `again`. An empty period writes nothing.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from kiosk.database import utcnow
from kiosk.errors import Conflict, InvalidInput
from kiosk.models import (
    CashCountLine,
    CashSession,
    CashSessionClosure,
    Cheque,
    CreditNote,
    Envelope,
    EnvelopeEntry,
    ExportEntry,
    ExportRecord,
    Invoice,
    Location,
    Order,
    OrderPayment,
    Partner,
    Payment,
    Product,
    Sale,
    SaleLine,
    Shift,
)
from kiosk.models.sales import gift_only
from kiosk.services import paheko
from kiosk.services.paheko import PAHEKO_COLUMNS
from kiosk.services.report_figures import hours_tenths, period_bounds
from kiosk.services.spreadsheet import Table, write_workbook
from kiosk.text import _
from kiosk.vocabulary import EVENT_WORDS, PARIS, kind_word, method_word

FORMATS = ("csv", "paheko", "xlsx")

@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    record: ExportRecord | None = None
    # Nothing in the period: no file is written and nothing is remembered (Paheko refuses
    # a file without data rows, and a remembered empty export would block a later one).
    nothing: bool = False
    message: str = ""
    left_out: list[str] = field(default_factory=list)  # drawers still open, named
    carried: list[str] = field(default_factory=list)  # left out before, now exported
    suffix: str = ""  # what the files' names end with: the period, and which export of it


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise InvalidInput("period", "La fin de la période est avant son début.")
    if (date_to - date_from).days > 3660:
        raise InvalidInput("period", "Dix ans au plus par export.")


def export(session: Session, date_from: date, date_to: date, fmt: str, directory: str | Path,
           user_id: int | None = None, again: bool = False) -> ExportResult:
    """Write the period's files into `directory` and remember the export (caller commits)."""
    if fmt not in FORMATS:
        raise InvalidInput("format", "Le format est csv, paheko ou xlsx.")
    check_period(date_from, date_to)
    if fmt == "paheko":
        return export_paheko(session, date_from, date_to, directory, user_id, again)
    if is_empty(session, date_from, date_to, fmt):
        return _nothing(date_from, date_to)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = file_suffix(session, fmt, date_from, date_to)
    if fmt == "xlsx":
        files = [write_workbook(tables(session, date_from, date_to),
                                directory / f"export-caisse_{suffix}.xlsx")]
    else:
        files = write_csv_files(session, date_from, date_to, directory, suffix)
    result = ExportResult(files=files, suffix=suffix)
    result.record = _remember(session, fmt, date_from, date_to, result.files, user_id)
    return result


def _nothing(date_from: date, date_to: date, extra: str = "") -> ExportResult:
    message = _("Rien à exporter du %(start)s au %(end)s : aucun fichier écrit, rien n'est "
                "retenu.", start=f"{date_from:%d/%m/%Y}", end=f"{date_to:%d/%m/%Y}")
    return ExportResult(nothing=True, message=f"{message} {extra}".strip())


def _remember(session: Session, fmt: str, date_from: date, date_to: date,
              files: list[Path], user_id: int | None) -> ExportRecord:
    record = ExportRecord(format=fmt, date_from=date_from, date_to=date_to,
                          filename=", ".join(p.name for p in files)[:255],
                          created_by=user_id)
    session.add(record)
    session.flush()
    return record


def left_out_message(names: list[str]) -> str:
    return _("Encore ouverte, laissée pour l'export qui suivra sa fermeture : %(names)s.",
             names=", ".join(names))


def export_paheko(session: Session, date_from: date, date_to: date, directory: str | Path,
                  user_id: int | None = None, again: bool = False) -> ExportResult:
    """The period's entries not yet exported, plus the drawers an earlier export left out
    that are closed now; `again`: the period's entries even if exported before."""
    done = dict(session.execute(select(ExportEntry.ref, ExportEntry.export_id).where(
        ExportEntry.state == "exported")).all())
    waiting = set(session.scalars(select(ExportEntry.ref).where(
        ExportEntry.state == "left_out"))) - set(done)
    extra = [int(ref.split("-", 1)[1]) for ref in waiting if ref.startswith("caisse-")]
    extra_invoices: list[int] = []
    if not again:  # what reached an exported entry since: carried by this export
        extra += late_drawers(session, done)
        extra_invoices = [i for i in paheko.paid_invoices(session)
                          if f"repartition-facture-{i}" not in done]
    found = paheko.entries(session, date_from, date_to, extra_drawers=extra,
                           done=frozenset() if again else frozenset(done),
                           extra_invoices=extra_invoices)
    ready = [e for e in found if e.ready and e.rows]
    still_open = [e for e in found if not e.ready]
    candidates = ready if again else [e for e in ready if e.ref not in done]
    covered = {ref for e in candidates for ref in e.covers}  # written with their drawer
    chosen = [e for e in candidates if e.ref not in covered]
    names = [f"{e.name} ({e.piece})" for e in still_open]
    for entry in still_open:  # remembered, so it comes with a later export, never lost
        if entry.ref not in waiting:
            session.add(ExportEntry(export_id=None, ref=entry.ref, piece=entry.piece,
                                    state="left_out"))
            waiting.add(entry.ref)
    if not chosen:
        if ready:
            first = session.get(ExportRecord, done[ready[0].ref])
            raise Conflict(
                "already_exported",
                "Cette période recoupe un export Paheko déjà fait (%(file)s, du %(start)s au "
                "%(end)s) : Paheko compterait ces ventes deux fois. Refaites-le seulement si "
                "l'import précédent a été annulé.", file=first.filename,
                start=f"{first.date_from:%d/%m/%Y}", end=f"{first.date_to:%d/%m/%Y}")
        return _nothing(date_from, date_to, left_out_message(names) if names else "")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = file_suffix(session, "paheko", date_from, date_to)
    path = directory / f"paheko-journal_{suffix}.csv"
    _write(path, PAHEKO_COLUMNS, [row for e in chosen for row in e.rows], encoding="utf-8")
    result = ExportResult(files=[path], left_out=names, suffix=suffix)
    result.record = _remember(session, "paheko", date_from, date_to, result.files, user_id)
    start = date_from
    for entry in chosen:
        for ref in (entry.ref, *entry.covers):
            session.add(ExportEntry(export_id=result.record.id, ref=ref, piece=entry.piece,
                                    state="exported"))
        if entry.day < start:
            result.carried.append(entry.piece)
    return result


def late_drawers(session: Session, done: dict[str, int]) -> list[int]:
    """Drawers exported already that a sale reached since (it waited on a tablet)."""
    exported = [int(ref.split("-", 1)[1]) for ref in done if ref.startswith("caisse-")]
    late = paheko.late_sale_ids(session, exported, paheko.drawers_exported_at(session))
    return [drawer_id for drawer_id, sales in late.items()
            if any(f"tardive-{i}" not in done for i in sales)]


def is_empty(session: Session, date_from: date, date_to: date, fmt: str) -> bool:
    """True when the period holds nothing the tables would write a row for (the Paheko
    journal decides entry by entry, in export_paheko)."""
    start, end = period_bounds(date_from, date_to)
    found = (session.scalar(select(Sale.id).where(Sale.created_at >= start,
                                                  Sale.created_at < end).limit(1))
             or session.scalar(select(CashSession.id).where(
                 CashSession.opened_at >= start, CashSession.opened_at < end).limit(1))
             or session.scalar(select(EnvelopeEntry.id).where(
                 EnvelopeEntry.entry_date >= date_from,
                 EnvelopeEntry.entry_date <= date_to).limit(1))
)
    return found is None and not any(
        session.scalar(select(model.id).where(model.created_at >= start,
                                              model.created_at < end).limit(1))
        for model in (Order, Invoice, CreditNote, OrderPayment))


def _suffix(date_from: date, date_to: date) -> str:
    return f"{date_from.isoformat()}_au_{date_to.isoformat()}"


def file_suffix(session: Session, fmt: str, date_from: date, date_to: date) -> str:
    """The period, and from the second export of the same period in the same format on,
    which one it is (`…_export2`): two exports of a month hold different entries, and
    the second must not overwrite the first in the treasurer's downloads."""
    earlier = session.scalar(select(func.count()).select_from(ExportRecord).where(
        ExportRecord.format == fmt, ExportRecord.date_from == date_from,
        ExportRecord.date_to == date_to)) or 0
    base = _suffix(date_from, date_to)
    return base if not earlier else f"{base}_export{earlier + 1}"


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


def tables(session: Session, date_from: date, date_to: date) -> list[Table]:
    """The period's tables, their cells typed (times, dates, cents as int, text): the CSV
    files and the spreadsheet are two writings of the same tables."""
    start, end = period_bounds(date_from, date_to)
    in_period = (Sale.created_at >= start, Sale.created_at < end)
    files: list[Table] = []
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
    files.append(Table("ventes-lignes", [
        "numero", "date", "type", "caisse", "nom_caisse", "lieu", "article", "nom_article",
        "quantite", "prix_unitaire_centimes", "total_centimes", "motif", "annule_vente"],
        ([sale.number, sale.created_at, csv_kind(sale.kind), sale.cash_session_id or "",
          session_name or "", location, sku, name, line.qty, line.unit_price_cents,
          line.line_total_cents, sale.reason, undone or ""]
         for sale, line, sku, name, location, session_name, undone in lines)))

    # a gift-only ticket is a gift, not a sale: its type says so (as the Z and reports)
    gift_ids = set(session.scalars(select(Sale.id).where(*in_period, gift_only())))

    def kind(sale: Sale) -> str:
        if sale.id in gift_ids:
            return GIFT if sale.kind == "sale" else GIFT_VOID
        return csv_kind(sale.kind)

    payments = session.execute(
        select(Sale, Payment).join(Payment, Payment.sale_id == Sale.id)
        .where(*in_period).order_by(Sale.year, Sale.seq, Payment.id))
    files.append(Table("paiements", [
        "numero", "date", "type", "caisse", "moyen", "montant_centimes", "donne_centimes",
        "rendu_centimes"],
        ([sale.number, sale.created_at, kind(sale), sale.cash_session_id or "",
          csv_method(p.method), p.amount_cents, p.tendered_cents, p.change_cents]
         for sale, p in payments)))

    gifts = session.execute(
        select(Sale, CashSession.name, original.number)
        .outerjoin(CashSession, CashSession.id == Sale.cash_session_id)
        .outerjoin(original, original.id == Sale.refund_of_id)
        .where(*in_period, Sale.donation_cents != 0).order_by(Sale.year, Sale.seq))
    with_lines = set(session.scalars(select(SaleLine.sale_id).join(Sale).where(
        *in_period, Sale.donation_cents != 0)))
    files.append(Table("dons", [  # a gift is not a sale line: its own file (7541)
        "numero", "date", "type", "caisse", "nom_caisse", "don_centimes", "annule_vente",
        "genre"],
        ([sale.number, sale.created_at, kind(sale), sale.cash_session_id or "",
          session_name or "", sale.donation_cents, undone or "",
          GIFT_WITH_PURCHASE if sale.id in with_lines else GIFT_ALONE]
         for sale, session_name, undone in gifts)))

    sessions = _sessions_in(session, start, end)
    ids = [s.id for s in sessions]
    names = {s.id: s.name for s in sessions}
    closures = {c.cash_session_id: c for c in session.scalars(
        select(CashSessionClosure).where(CashSessionClosure.cash_session_id.in_(ids)))}
    files.append(Table("caisses", [
        "caisse", "nom", "ouverte_le", "fermee_le", "fond_centimes", "attendu_centimes",
        "compte_centimes", "ecart_centimes", "ventes_nettes_centimes", "cheques_centimes",
        "carte_centimes"],
        ([s.id, s.name, s.opened_at,
          closures[s.id].closed_at if s.id in closures else "", s.float_cents,
          *((c.expected_cash_cents, c.counted_cash_cents, c.difference_cents,
             c.revenue_cents, c.cheque_total_cents, c.card_total_cents)
            if (c := closures.get(s.id)) else ("",) * 6)]
         for s in sessions)))
    counts = session.scalars(select(CashCountLine).where(
        CashCountLine.cash_session_id.in_(ids)).order_by(CashCountLine.id))
    files.append(Table("comptages-caisse", [
        "caisse", "nom_caisse", "moment", "valeur_centimes", "nombre", "total_centimes"],
        ([c.cash_session_id, names[c.cash_session_id], "ouverture" if c.moment == "open"
          else "fermeture", c.denomination_cents, c.count, c.denomination_cents * c.count]
         for c in counts)))
    cheques = session.scalars(select(Cheque).where(Cheque.cash_session_id.in_(ids))
                              .order_by(Cheque.id))
    files.append(Table("cheques", [
        "caisse", "nom_caisse", "montant_centimes", "tireur", "banque", "numero"],
        ([c.cash_session_id, names[c.cash_session_id], c.amount_cents, c.drawer, c.bank,
          c.number] for c in cheques)))
    entries = session.execute(
        select(EnvelopeEntry, Envelope.code, Envelope.name)
        .join(Envelope, Envelope.id == EnvelopeEntry.envelope_id)
        .where(EnvelopeEntry.entry_date >= date_from, EnvelopeEntry.entry_date <= date_to)
        .order_by(EnvelopeEntry.entry_date, EnvelopeEntry.id))
    files += order_tables(session, start, end)
    files.append(hours_table(session, sessions))
    files.append(Table("enveloppes", [
        "date", "enveloppe", "nom_enveloppe", "type", "montant_centimes", "libelle",
        "justificatif", "caisse"],
        ([e.entry_date, code, name, envelope_kind(e.kind), e.amount_cents, e.label, e.receipt_ref,
          e.cash_session_id or ""] for e, code, name in entries)))
    return files


GIFT_WITH_PURCHASE = "gardez la monnaie (don en plus d'un achat)"
GIFT_ALONE = "don sans achat"
# The treasurer reads French (issue 27, point 12): a kind, a method, an envelope entry's kind
# is written in the kiosk's own French words (kiosk/vocabulary.py), never its code ("sale",
# "cash"); the Paheko journal (kiosk/services/paheko.py) keeps what Paheko imports.
GIFT = "don"
GIFT_VOID = "annulation du don"


def csv_kind(kind: str) -> str:
    """"vente", "remboursement", "annulation", "dépôt-vente"."""
    return kind_word(kind, paper=True).lower()


def csv_method(method: str) -> str:
    """"espèces", "chèque", "carte bancaire", "virement"."""
    return method_word(method, paper=True).lower()


# An envelope entry's kind, in the words the journal gives the same event.
ENVELOPE_EVENTS = {"takings": "takings", "consignment": "consignment", "late_sale": "late_sale",
                   "spend": "envelope_spend", "transfer": "envelope_transfer"}


def envelope_kind(kind: str) -> str:
    if kind == "donation":
        return GIFT
    event = ENVELOPE_EVENTS.get(kind)
    return EVENT_WORDS[event].lower() if event else kind  # French, whoever downloads


def order_tables(session: Session, start, end) -> list[Table]:
    """The partners' orders of the period (issue 19) as the books have them: the orders
    taken, the invoices, the credit notes and the payments received."""
    orders = session.execute(
        select(Order, Partner.name).join(Partner, Partner.id == Order.partner_id)
        .where(Order.created_at >= start, Order.created_at < end)
        .order_by(Order.year, Order.seq))
    invoices = session.execute(
        select(Invoice, Order.number).join(Order, Order.id == Invoice.order_id)
        .where(Invoice.created_at >= start, Invoice.created_at < end)
        .order_by(Invoice.year, Invoice.seq))
    notes = session.execute(
        select(CreditNote, Invoice.number, Invoice.partner_name)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(CreditNote.created_at >= start, CreditNote.created_at < end)
        .order_by(CreditNote.year, CreditNote.seq))
    payments = session.execute(
        select(OrderPayment, Order.number, Partner.name)
        .join(Order, Order.id == OrderPayment.order_id)
        .join(Partner, Partner.id == Order.partner_id)
        .where(OrderPayment.created_at >= start, OrderPayment.created_at < end)
        .order_by(OrderPayment.id))
    return [
        Table("commandes", ["numero", "date", "partenaire", "souhaitee_le", "note",
                            "total_centimes"],
              ([o.number, o.created_at, partner, o.wished_on or "", o.note, o.total_cents]
               for o, partner in orders)),
        Table("factures", ["numero", "date", "emise_le", "echeance", "commande",
                           "partenaire", "total_centimes"],
              ([i.number, i.created_at, i.issued_on, i.due_on, order, i.partner_name,
                i.total_cents] for i, order in invoices)),
        Table("avoirs", ["numero", "date", "facture", "partenaire", "motif",
                         "montant_centimes"],
              ([n.number, n.created_at, invoice, partner, n.reason, n.amount_cents]
               for n, invoice, partner in notes)),
        Table("paiements-commandes", ["date", "commande", "partenaire", "moyen",
                                      "reference", "montant_centimes"],
              ([p.received_on, order, partner, csv_method(p.method), p.reference,
                p.amount_cents]
               for p, order, partner in payments)),
    ]


def hours_table(session: Session, drawers: list[CashSession]) -> Table:
    """The volunteers' time at each drawer of the period, rounded as the reports round it
    (a drawer's time to the tenth of an hour); no names (the admin's alone)."""

    now = utcnow()
    minutes: dict[int, int] = defaultdict(int)
    people: dict[int, set[int]] = defaultdict(set)
    for drawer_id, user_id, started, ended in session.execute(
            select(Shift.cash_session_id, Shift.user_id, Shift.started_at, Shift.ended_at)
            .where(Shift.cash_session_id.in_([d.id for d in drawers]))):
        minutes[drawer_id] += max(0, int(((ended or now) - started).total_seconds() // 60))
        people[drawer_id].add(user_id)
    return Table("heures-benevoles", ["caisse", "nom_caisse", "date", "personnes", "minutes",
                                      "heures"],
                 ([d.id, d.name, d.opened_at.astimezone(PARIS).date(), len(people[d.id]),
                   minutes[d.id], hours_tenths(minutes[d.id]) / 10]
                  for d in drawers if d.id in minutes))


def write_csv_files(session: Session, date_from: date, date_to: date, directory: Path,
                    suffix: str = "") -> list[Path]:
    suffix = suffix or _suffix(date_from, date_to)
    return [_write(directory / f"{table.name}_{suffix}.csv", table.header,
                   ([_csv_value(cell) for cell in row] for row in table.rows))
            for table in tables(session, date_from, date_to)]


def _csv_value(cell: object) -> object:
    if isinstance(cell, datetime):
        return _paris(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def history(session: Session) -> list[ExportRecord]:
    return list(session.scalars(select(ExportRecord).order_by(ExportRecord.id.desc())))


def pieces_by_export(session: Session) -> dict[int, list[str]]:
    """Each Paheko export's entries, by their Numéro pièce comptable (what the treasurer
    searches for in Paheko to see whether a file was imported already)."""
    out: dict[int, list[str]] = defaultdict(list)
    for export_id, piece in session.execute(
            select(ExportEntry.export_id, ExportEntry.piece)
            .where(ExportEntry.state == "exported").order_by(ExportEntry.id)):
        if piece not in out[export_id][-1:]:  # (an entry's covers share its piece)
            out[export_id].append(piece)
    return out


def waiting_drawers(session: Session) -> list[str]:
    """Drawers an export left out while open and no export has written since."""
    done = select(ExportEntry.ref).where(ExportEntry.state == "exported")
    return list(dict.fromkeys(session.scalars(
        select(ExportEntry.piece).where(ExportEntry.state == "left_out",
                                        ExportEntry.ref.not_in(done))
        .order_by(ExportEntry.id))))


def default_period(session: Session, today: date) -> tuple[date, date]:
    """The page's proposal: the first month (of the last twelve) with a closed entry not
    yet exported, to its end (or today); with none, last month."""
    first = date(today.year - 1, today.month, 1)
    done = set(session.scalars(select(ExportEntry.ref).where(
        ExportEntry.state == "exported")))
    pending = [day for ref, day in paheko.ready_entry_days(session, first, today).items()
               if ref not in done]
    if pending:
        start = min(pending).replace(day=1)
    else:
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, min(end, today)
