"""Keep the English catalogue in step: extract, update, compile.

    .venv/bin/python scripts/i18n.py            # extract + update en .po + compile .mo
    .venv/bin/python scripts/i18n.py --missing  # list the French strings not yet translated
    .venv/bin/python scripts/i18n.py --apply en.json  # {"French": "English", …} into the .po

French is the source language (every msgid is what a French volunteer reads); English
is the translation. tests/test_i18n.py fails while a string has no English.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "kiosk" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            # the message of a service error (kiosk/errors.py) is its 2nd argument
            "ServiceError": (2,), "InvalidInput": (2,), "NotFound": (2,), "Conflict": (2,),
            "N_": None}
METHODS = [("kiosk/**.py", "python"), ("templates/**.html", "jinja2")]


def extract() -> Catalog:
    template = Catalog(project="fees-declic-kiosk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def load() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def update() -> Catalog:
    catalog = load()
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False)
    with MO.open("wb") as handle:
        write_mo(handle, catalog)
    return catalog


def apply(translations: dict[str, str]) -> Catalog:
    catalog = load()
    for message in catalog:
        if isinstance(message.id, str) and message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False)
    with MO.open("wb") as handle:
        write_mo(handle, catalog)
    return catalog


def missing(catalog: Catalog) -> list[str]:
    return [m.id if isinstance(m.id, str) else m.id[0]
            for m in catalog if m.id and (not m.string or m.fuzzy)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--missing", action="store_true")
    parser.add_argument("--apply", metavar="JSON")
    args = parser.parse_args()
    if args.apply:
        import json

        left = missing(apply(json.loads(Path(args.apply).read_text())))
        print(f"{len(left)} string(s) still without English")
    elif args.missing:
        for text in missing(load()):
            print(text)
    else:
        left = missing(update())
        print(f"{PO.relative_to(ROOT)}: {len(left)} string(s) without English")
