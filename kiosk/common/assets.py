"""Light on a weak Wi-Fi: versioned static URLs cached for a year, and gzip on text answers.

`static_url("js/sell.js")` (a template global) gives `/assets/VERSION/js/sell.js`, where
VERSION is a hash of everything in static/: the tablet keeps those files for a year
without asking again (`immutable`), and a new version of any file changes every URL. The
version sits in the path, not the query, so an ES module's relative imports
(`./cart.js`) carry it too. `/static/FILE` still answers, revalidated each time.

The sale screen is revalidated (ETag) instead of "no-store": a reload of an unchanged page
costs a 304.

Compression: a small after_request rather than Flask-Compress (which pulls in zstandard
too): brotli for a browser that asks for it, else gzip. (Chromium asks for brotli over
HTTPS, which the box serves at the stall, and on localhost; over plain HTTP to another
host it asks only gzip.) A static file's compressed bytes are kept in memory, so it is
compressed once per version, brotli at its slowest and smallest (a tenth less than gzip
on the sale screen's script); a page at a quality that costs about what gzip does.
Without the `brotli` package (an installation that skipped it) everyone gets gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from flask import Flask, Response, current_app, g, request, send_from_directory, session
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup, escape

from kiosk.common import bundle, rcssmin

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "image/svg+xml", "application/manifest+json", "text/plain",
})  # not /ca.pem: a phone's certificate installer may get the file as it was sent
MIN_SIZE = 256  # below one packet, compression saves nothing worth its header
LEVEL = 6
# A page is compressed at each answer: brotli's quality 5 takes 0.6 ms on the sale
# screen's 28 KB (gzip 6: 0.35 ms) and is 5 % smaller; quality 11 (13 % smaller) takes
# 0.2 s: for static files only, compressed once.
PAGE_BROTLI = 5


@lru_cache(maxsize=16)
def static_version(folder: str, touched: float = 0.0) -> str:
    """A hash of every file's name and bytes under static/: changes when any file does.
    (`touched`, the newest file's time, is there for debug mode: files edited while the
    server runs get a new version.)"""
    digest = hashlib.sha256()
    root = Path(folder)
    derived = root / bundle.FOLDER  # made from the others (kiosk/common/bundle.py)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and derived not in p.parents):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def current_version() -> str:
    folder = str(current_app.static_folder)
    if current_app.debug:
        return static_version(folder, max(p.stat().st_mtime for p in Path(folder).rglob("*")))
    return static_version(folder)


def static_url(filename: str) -> str:
    return f"/assets/{current_version()}/{filename.lstrip('/')}"


def module_scripts(entries: list[str]) -> Markup:
    """The page's ES modules (`entries`, in the order their script tags would run) as one
    script: their bundle (kiosk/common/bundle.py), which names the modules it holds; one
    script tag each when they cannot be bundled."""
    made = bundle.written(str(current_app.static_folder), current_version(), entries)
    if made is None:
        return Markup("\n").join(
            Markup('<script type="module" src="{}"></script>').format(static_url(entry))
            for entry in entries)
    return Markup('<script type="module" src="{}" data-modules="{}"></script>').format(
        static_url(made.path), escape(" ".join(made.modules)))


def style_sheets(sheets: list[str]) -> Markup:
    """The page's style sheets as one (kiosk/common/bundle.py); one link each when they
    cannot be joined."""
    made = bundle.styles_written(str(current_app.static_folder), current_version(), sheets)
    if made is None:
        return Markup("\n").join(Markup('<link rel="stylesheet" href="{}">').format(
            static_url(sheet)) for sheet in sheets)
    return Markup('<link rel="stylesheet" href="{}">').format(static_url(made.path))


def send_asset(version: str, filename: str) -> Response:
    """A static file; kept a year when its URL carries the current version. An older
    version (a page loaded before an upgrade) gets today's file, revalidated."""
    response = send_from_directory(str(current_app.static_folder), filename)
    response.headers.pop("Content-Disposition", None)  # (inline: the default anyway)
    response.headers.pop("Accept-Ranges", None)  # small files, asked whole
    if version == current_version():
        response.headers["Cache-Control"] = IMMUTABLE
        # Never revalidated: its validators would be 100 bytes of nothing on each file.
        response.headers.pop("ETag", None)
        response.headers.pop("Last-Modified", None)
    return response


_made: dict[tuple[tuple[str, str | None, int], str | None], bytes] = {}
_FULL_LINE_COMMENT = re.compile(rb"(?m)^[ \t]*//[^\n]*$")
OWN_FILES = frozenset({"static", "tablet.asset"})


def lighten(data: bytes, mimetype: str) -> bytes:
    """Our own scripts and style sheets without their comments, which are a third of
    their weight on the wire. In a script each comment line becomes an empty line, so that
    an error's line number still points into the file as written. Only whole-line `//`
    comments go (no template literal of static/js holds a line starting with `//`: a test
    checks each file still parses, and reads the same to node). A style sheet is minified
    by rCSSmin (kiosk/common/rcssmin.py, vendored): comments and needless whitespace out,
    the rules as written (a test compares them as Chromium reads them)."""
    if mimetype == "text/javascript":
        return _FULL_LINE_COMMENT.sub(b"", data)
    if mimetype == "text/css":
        return rcssmin.cssmin(data)
    return data


def _cached(key: tuple[str, str | None, int], coding: str | None, data: bytes,
            mimetype: str) -> bytes:
    """A static file lightened, and compressed if asked (`coding`: "br", "gzip"), once (by
    path, tag and size: a changed file is another)."""
    body = _made.get((key, coding))
    if body is None:
        if len(_made) > 512:
            _made.clear()
        body = lighten(data, mimetype)
        body = _compress(body, coding, static=True)
        _made[(key, coding)] = body
    return body


def _compress(data: bytes, coding: str | None, static: bool = False) -> bytes:
    if coding == "br":
        return _brotli().compress(data, quality=11 if static else PAGE_BROTLI)
    if coding == "gzip":
        return gzip.compress(data, 9 if static else LEVEL, mtime=0)  # static: once, smallest
    return data


@lru_cache(maxsize=1)
def _brotli() -> ModuleType | None:
    """The brotli module, imported when a browser first asks for it (0.4 MB a server that
    only takes sales, or serves only plain HTTP, does not hold); None without the package
    (a dependency, but gzip alone still works)."""
    try:
        import brotli
    except ImportError:
        return None
    return brotli


def _coding() -> str | None:
    """The encoding this request's answer gets: brotli when asked and installed, else gzip
    when asked."""
    if "br" in request.accept_encodings and _brotli() is not None:
        return "br"
    return "gzip" if "gzip" in request.accept_encodings else None


# The same bytes for everyone: no session cookie, and no `Vary: Cookie` (Flask-Login reads
# the session on every request) that would make a browser's cache miss after each login.
SHARED_ENDPOINTS = frozenset({"static", "tablet.asset", "tablet.service_worker"})


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app, session, response) -> None:
        if request.endpoint in SHARED_ENDPOINTS and not session.modified:
            return
        super().save_session(app, session, response)


def init_assets(app: Flask) -> None:
    """The static_url template global, gzip on every compressible answer, static files
    without the session's cookie."""
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["module_scripts"] = module_scripts
    app.jinja_env.globals["style_sheets"] = style_sheets
    # The data a page hands its script (`|tojson`) in UTF-8, as the page: "Espèces", not
    # "Esp\u00e8ces" (still escaped for HTML: <, >, & and ' as \u escapes).
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    app.after_request(compress)
    app.session_interface = SessionInterface()


# Pages the tablet reloads all day: kept by the browser and asked again each time (ETag),
# so that a reload while nothing changed costs a "304 Not Modified" instead of the page.
# Other pages stay "no-store".
REVALIDATED_PAGES = frozenset({"sell.index", "tablet.service_worker"})


def _revalidate(response: Response) -> Response:
    # A hash of the page as rendered, but for its CSRF token: Flask-WTF signs the session's
    # token with the time, so it reads differently every second, and the copy the tablet
    # keeps holds one as valid (WTF_CSRF_TIME_LIMIT: the session bounds it). The session's
    # own token is in the hash instead: a new session (its cookie expired or lost with the
    # browser, the same volunteer back on the same drawer) must not be answered 304 with a
    # copy whose token was another session's, which every sale would be refused with.
    # Compressed, the tag is sent as TAG-br or TAG-gzip (see compress); any form comes back
    # in If-None-Match.
    body = response.get_data()
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    digest = hashlib.sha256(body.replace(token.encode(), b"") if token else body)
    if token:  # (a page without a token, the service worker's script, is everyone's)
        digest.update(b"\0" + str(session.get(field, "")).encode())
    etag = digest.hexdigest()[:24]
    response.headers["Cache-Control"] = "no-cache, private"
    response.set_etag(etag)
    if any(request.if_none_match.contains(tag) for tag in (etag, f"{etag}-gzip", f"{etag}-br")):
        response.set_data(b"")
        response.status_code = 304
        coding = _coding()
        if coding:  # the tag of the body a 200 would have sent
            response.set_etag(f"{etag}-{coding}")
        response.vary.add("Accept-Encoding")
        response.headers.pop("Content-Type", None)
    return response


def compress(response: Response) -> Response:
    if (request.endpoint in REVALIDATED_PAGES and request.method == "GET"
            and response.status_code == 200):
        response = _revalidate(response)
    vary = response.mimetype in COMPRESSIBLE
    if vary:
        response.vary.add("Accept-Encoding")
    if (not vary or response.status_code != 200 or "Content-Encoding" in response.headers
            or request.method == "HEAD"
            or (response.is_streamed and not response.direct_passthrough)):
        return response  # a streamed export stays streamed; a 304 or a range has no body
    own = request.endpoint in OWN_FILES and response.direct_passthrough
    coding = _coding()
    if not (own or coding):
        return response
    response.direct_passthrough = False  # send_file's file wrapper: read it whole
    data = response.get_data()
    etag, weak = response.get_etag()
    key = (request.path, etag, len(data))
    if own:  # one of static/'s files: made light (and compressed) once
        body = _cached(key, coding, data, response.mimetype)
    elif len(data) >= MIN_SIZE:
        body = _compress(data, coding)
    else:
        return response
    response.set_data(body)
    if coding:
        response.headers["Content-Encoding"] = coding
        if etag:  # another body, another tag (the plain one would answer 304 for this one)
            response.set_etag(f"{etag}-{coding}", weak)
    return response
