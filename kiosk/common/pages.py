"""What every page shares: the security headers, and the filters and globals templates use
(money, Paris time, the words for payment methods and sale kinds, the limits, the
languages)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from flask import Flask, request
from flask_babel import format_datetime, get_locale
from markupsafe import Markup

from kiosk import paths
from kiosk.common.assets import OWN_FILES  # static/: never a visitor's upload
from kiosk.ledger.money import format_euros, format_money
from kiosk.vocabulary import (
    FIRST_DAY,
    LAST_DAY,
    MAX_COUNT,
    MAX_QTY,
    NAME_MAX,
    NOTE_MAX,
    kind_word,
    kind_words,
    method_word,
    method_words,
)

# Everything comes from this server: the stall has no internet, and nothing may be
# injected. Camera frames (scanning) are blobs; label previews are data: URLs.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
LANGUAGES = (("fr", "Français"), ("en", "English"))


# Headers a browser honours only on a secure origin: over http://192.168.x.y it logs a
# console error on every page instead (seen over http://kiosk.lan in Chromium).
SECURE_CONTEXT_ONLY = frozenset({"Cross-Origin-Opener-Policy"})
# Answers a browser never runs as a document (a style sheet, a module, JSON, a picture):
# the policies that govern documents mean nothing there, and on the stall's Wi-Fi their
# 600 bytes would come with each of them. nosniff stays on everything. A service worker's
# script keeps them all (a worker runs under the policy of its own script).
SUBRESOURCE_TYPES = frozenset({"text/css", "text/javascript", "application/javascript",
                               "application/json", "application/manifest+json",
                               "image/png", "image/jpeg", "image/webp", "font/ttf"})
DOCUMENT_ONLY = frozenset(SECURITY_HEADERS) - {"X-Content-Type-Options"}


def paris_datetime(value: datetime | None, fmt: str = "dd/MM/yyyy HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


@cache
def _icon_svg(name: str) -> str:
    return (paths.static_dir() / "img" / "icons" / f"{name}.svg").read_text()


def icon(name: str, css: str = "icon") -> Markup:
    """A small SVG icon from static/img/icons, inline so it takes the text's colour.
    Icons, not emoji: a tablet without an emoji font draws those as empty boxes."""
    if not re.fullmatch(r"[a-z-]+", name):
        raise ValueError(name)
    svg = _icon_svg(name).replace(
        "<svg ", f'<svg class="{css}" aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)


def init_pages(app: Flask) -> None:
    """Headers on every response (API included), filters and globals for every template."""

    @app.after_request
    def _security_headers(response):
        # A 304 updates the headers of the copy the browser kept, which has the policies.
        subresource = request.endpoint in OWN_FILES or response.status_code == 304 or (
            response.mimetype in SUBRESOURCE_TYPES and request.endpoint != "tablet.service_worker")
        for header, value in SECURITY_HEADERS.items():
            if header in SECURE_CONTEXT_ONLY and not request.is_secure:
                continue  # over the stall's plain HTTP a browser ignores it, with an error
            if subresource and header in DOCUMENT_ONLY:
                continue
            response.headers.setdefault(header, value)
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["euros"] = format_euros  # the same, in a box: "12,50"
    app.jinja_env.filters["paris"] = paris_datetime
    app.jinja_env.globals.update(
        get_locale=get_locale, languages=LANGUAGES,
        method_word=method_word, kind_word=kind_word,
        method_words=method_words, kind_words=kind_words,
        MAX_QTY=MAX_QTY, MAX_COUNT=MAX_COUNT, icon=icon,  # the bounds the number boxes show
        NAME_MAX=NAME_MAX, NOTE_MAX=NOTE_MAX,  # and the text boxes (maxlength)
        FIRST_DAY=FIRST_DAY, LAST_DAY=LAST_DAY)  # the days a period may name
