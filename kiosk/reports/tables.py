"""The reports page's sections: each a chart, its table and its CSV, from one Report, so the
picture, the table and the download always say the same."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from kiosk.ledger.money import format_money
from kiosk.reports import charts
from kiosk.services.exports import safe_cell
from kiosk.services.report_figures import Report
from kiosk.text import figure, is_digits


@dataclass(frozen=True)
class Money:
    """A cell holding cents: shown as 12,50 €, downloaded as cents."""

    cents: int


@dataclass
class Section:
    name: str  # its CSV: /reports/NAME.csv
    title: str
    headers: list[str]
    rows: list[list]
    chart: Markup | None = None
    note: str = ""
    empty: str = ""
    numeric: set[int] = field(default_factory=set)  # columns aligned right

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([h + (" (centimes)" if self._money(i) else "")
                         for i, h in enumerate(self.headers)])
        for row in self.rows:
            writer.writerow([safe_cell(c.cents if isinstance(c, Money) else c) for c in row])
        return "\ufeff" + out.getvalue()  # a BOM: spreadsheets then read UTF-8

    def _money(self, column: int) -> bool:
        return any(isinstance(row[column], Money) for row in self.rows)


def month_name(month: date) -> str:
    return format_date(month, "LLLL yyyy")  # "décembre 2026", "December 2026"


def category_names() -> dict[str, str]:
    return {"bag": _("Sacs"), "apron": _("Tabliers"), "pouch": _("Pochettes"),
            "toiletry_kit": _("Trousses"), "laundry_bag": _("Sacs à linge"),
            "luggage_tag": _("Étiquettes"), "other": _("Autres")}


def event_label(row) -> str:
    """A drawer's name, or a consignment shop's (its statements have no drawer)."""
    return row.label if is_digits(row.key) else f"{row.label} ({_('dépôt-vente')})"


def _euros(cents: int) -> str:
    return format_money(cents)


class _NoCharts:
    """Stands for `charts` when only the tables are wanted (a CSV download)."""

    PALETTE = charts.PALETTE

    @staticmethod
    def bars(*_args, **_kwargs) -> None:
        return None

    columns = lines = bars


def sections(report: Report, with_charts: bool = True) -> list[Section]:
    draw = charts if with_charts else _NoCharts
    counted = [_("Ventes"), _("Annulations"), _("Remboursements")]
    out: list[Section] = []
    months = [(month_name(r.month), r) for r in report.by_month if r.month]
    out.append(Section(
        "months", _("Recettes par mois"), [_("Mois"), *counted, _("Objets"), _("Montant")],
        [[name, r.count, r.voids, r.refunds, r.qty, Money(r.cents)] for name, r in months],
        draw.columns(_("Recettes par mois"), [(name, r.cents) for name, r in months],
                       _euros) if months else None,
        empty=_("Aucune vente sur cette période."), numeric={1, 2, 3, 4, 5}))
    channel_names = {"stall": _("Stand"), "consignment": _("Dépôts-ventes"),
                     "orders": _("Commandes des partenaires (factures, avoirs déduits)")}
    out.append(Section(
        "channels", _("Recettes par canal"), [_("Canal"), _("Ventes ou factures"),
                                              _("Montant")],
        [[channel_names.get(r.key, r.label), r.count, Money(r.cents)]
         for r in report.by_channel]
        + [[_("Total, comme le compte des ventes (701)"), "", Money(report.takings_cents)]],
        note=_("Les commandes des partenaires comptent à leur facture, comme dans la "
               "comptabilité ; les dons sont à part."), numeric={1, 2}))
    out.append(Section(
        "events", _("Recettes par vente (événement)"),
        [_("Vente"), *counted, _("Objets"), _("Montant")],
        [[event_label(r), r.count, r.voids, r.refunds, r.qty, Money(r.cents)]
         for r in report.by_event],
        draw.bars(_("Recettes par vente"),
                  [(event_label(r), r.cents) for r in report.by_event[:12]], _euros)
        if report.by_event else None,
        note=_("Les 12 dernières ventes sur le graphique, toutes dans le tableau.")
        if len(report.by_event) > 12 else "",
        empty=_("Aucune vente sur cette période."), numeric={1, 2, 3, 4, 5}))
    kinds = {"workshop": _("atelier et fêtes de quartier"), "stall": _("stand"),
             "consignment": _("dépôt-vente")}
    out.append(Section(
        "places", _("Ce qui se vend où"), [_("Lieu"), _("Genre"), *counted, _("Objets"),
                                           _("Montant")],
        [[r.label, kinds.get(r.extra, r.extra), r.count, r.voids, r.refunds, r.qty,
          Money(r.cents)] for r in report.by_place],
        draw.bars(_("Recettes par lieu"), [(r.label, r.cents) for r in report.by_place],
                    _euros, draw.PALETTE) if report.by_place else None,
        empty=_("Aucune vente sur cette période."), numeric={2, 3, 4, 5, 6}))
    names = category_names()
    out.append(Section(
        "categories", _("Par catégorie"), [_("Catégorie"), _("Objets"), _("Montant")],
        [[names.get(r.key, r.key), r.qty, Money(r.cents)] for r in report.by_category],
        draw.bars(_("Recettes par catégorie"),
                    [(names.get(r.key, r.key), r.cents) for r in report.by_category], _euros,
                    draw.PALETTE) if report.by_category else None,
        empty=_("Aucune vente sur cette période."), numeric={1, 2}))
    out.append(Section(
        "best", _("Les meilleures ventes"), [_("Article"), _("Objets vendus"), _("Montant")],
        [[r.label, r.qty, Money(r.cents)] for r in report.best_sellers],
        draw.bars(_("Objets vendus, les 5 premiers"),
                    [(r.label, r.qty) for r in report.best_sellers], figure,
                    [report.colours.get(r.key, charts.PALETTE[0]) for r in report.best_sellers])
        if report.best_sellers else None,
        empty=_("Aucune vente sur cette période."), numeric={1, 2}))
    out.append(Section(
        "products", _("Par article"), [_("Article"), _("Référence"), _("Catégorie"),
                                       _("Objets"), _("Montant")],
        [[r.label, r.key, names.get(r.extra, r.extra), r.qty, Money(r.cents)]
         for r in report.by_product],
        empty=_("Aucune vente sur cette période."), numeric={3, 4}))
    out.append(Section(
        "to_sew", _("À recoudre : stock bas"),
        [_("Article"), _("Référence"), _("En stock, partout"), _("Vendus sur la période")],
        [list(t) for t in report.to_sew],
        note=_("Les articles dont il reste peu, les plus vendus d'abord."),
        empty=_("Rien à recoudre en urgence."), numeric={2, 3}))
    out.append(Section(
        "to_check", _("Stock à vérifier"), [_("Article"), _("Lieu"), _("Stock")],
        [list(t) for t in report.to_check],
        note=_("Vendu alors que les comptes n'en avaient plus : à recompter."),
        empty=_("Rien à vérifier : aucun stock négatif."), numeric={2}))
    month_labels = [format_date(m, "MMM yyyy") for m in report.months]  # "nov. 2026"
    out.append(Section(
        "envelopes", _("Les enveloppes"),
        [_("Enveloppe"), _("Au début"), _("Reçu"), _("Dépensé"), _("Virements"), _("À la fin")],
        [[e.name, Money(e.opening_cents), Money(e.in_cents), Money(e.spent_cents),
          Money(e.transfers_cents), Money(e.closing_cents)] for e in report.envelopes],
        draw.lines(_("Solde des enveloppes à la fin de chaque mois"), month_labels,
                     [(e.name, list(e.by_month.values())) for e in report.envelopes], _euros)
        if report.envelopes and len(report.months) > 1 else None,
        empty=_("Aucune enveloppe."), numeric={1, 2, 3, 4, 5}))
    spent = [e for e in report.envelopes if e.spent_cents]
    out.append(Section(
        "spending", _("Les dépenses"), [_("Date"), _("Enveloppe"), _("Pour quoi"),
                                        _("Montant")],
        [[s.day.strftime("%d/%m/%Y"), next((e.name for e in report.envelopes
                                            if e.code == s.envelope), s.envelope),
          s.label, Money(s.cents)] for s in report.spending],
        draw.bars(_("Dépensé par enveloppe"), [(e.name, e.spent_cents) for e in spent],
                    _euros, draw.PALETTE) if spent else None,
        empty=_("Aucune dépense sur cette période."), numeric={3}))
    out.append(Section(
        "gifts", _("Les dons"), [_("Dons"), _("Montant")],
        [[_("Dons reçus aux ventes"), Money(report.donations_cents)]], numeric={1}))
    return out
