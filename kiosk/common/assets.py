"""Light on a weak Wi-Fi: versioned static URLs cached for a year, and gzip on text answers.

`static_url("js/sell.js")` (a template global) gives `/assets/VERSION/js/sell.js`, where
VERSION is a hash of everything in static/: the tablet keeps those files for a year
without asking again (`immutable`), and a new version of any file changes every URL. The
version sits in the path, not the query, so an ES module's relative imports
(`./cart.js`) carry it too. `/static/FILE` still answers, revalidated each time.

Compression: a small after_request gzip rather than Flask-Compress, which pulls in brotli
and zstandard builds for no gain here (every browser takes gzip); a static file's gzip is
kept in memory, so it is compressed once per version.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "image/svg+xml", "application/manifest+json", "text/plain", "application/x-x509-ca-cert",
})
MIN_SIZE = 256  # below one packet, gzip saves nothing worth its header
LEVEL = 6


@lru_cache(maxsize=4)
def static_version(folder: str) -> str:
    """A hash of every file's name and bytes under static/: changes when any file does."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def current_version() -> str:
    return static_version(str(current_app.static_folder))


def static_url(filename: str) -> str:
    return f"/assets/{current_version()}/{filename.lstrip('/')}"


def send_asset(version: str, filename: str) -> Response:
    """A static file; kept a year when its URL carries the current version. An older
    version (a page loaded before an upgrade) gets today's file, revalidated."""
    response = send_from_directory(str(current_app.static_folder), filename)
    if version == current_version():
        response.headers["Cache-Control"] = IMMUTABLE
    return response


_gzipped: dict[tuple[str, str | None, int], bytes] = {}


def _gzip_cached(key: tuple[str, str | None, int], data: bytes) -> bytes:
    """A static file's gzip, made once (by path, tag and size: a changed file is another)."""
    body = _gzipped.get(key)
    if body is None:
        if len(_gzipped) > 256:
            _gzipped.clear()
        body = _gzipped[key] = gzip.compress(data, LEVEL, mtime=0)
    return body


def init_assets(app: Flask) -> None:
    """The static_url template global and gzip on every compressible answer."""
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(compress)


def compress(response: Response) -> Response:
    vary = response.mimetype in COMPRESSIBLE
    if vary:
        response.vary.add("Accept-Encoding")
    if (not vary or response.status_code != 200 or "Content-Encoding" in response.headers
            or "gzip" not in request.accept_encodings or request.method == "HEAD"
            or (response.is_streamed and not response.direct_passthrough)):
        return response  # a streamed export stays streamed; a 304 or a range has no body
    static = response.direct_passthrough  # send_file's file wrapper: read it whole
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    if static:
        body = _gzip_cached((request.path, response.get_etag()[0], len(data)), data)
    else:
        body = gzip.compress(data, LEVEL, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:  # another body, another tag (the plain one would answer 304 for the gzip)
        response.set_etag(f"{etag}-gzip", weak)
    return response
