"""Every string a volunteer reads has its English translation, compiled."""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import i18n


def test_every_french_string_has_an_english_translation():
    catalog = i18n.load()
    known = {m.id for m in catalog if m.id}
    source = {m.id for m in i18n.extract() if m.id}
    assert not source - known, "run: .venv/bin/python scripts/i18n.py, then translate"
    assert i18n.missing(catalog) == []


def test_compiled_catalogue_matches_the_po_file():
    with i18n.MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in i18n.load():
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id


def test_english_says_till_never_drawer():
    """Issue 27, point 12: the "caisse" the volunteers open, count and close is one English
    word on every screen, "till" (as for the machine itself), never "drawer" beside it."""
    words = re.compile(r"\bdrawers?\b", re.IGNORECASE)
    mixed = []
    for message in i18n.load():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        mixed += [text for text in strings if text and words.search(text)]
    assert mixed == []
