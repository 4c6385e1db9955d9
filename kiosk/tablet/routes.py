"""The tablet's public files: /assets/VERSION/…, /sw.js and /ca.pem."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from kiosk import tls
from kiosk.common.assets import send_asset
from kiosk.tablet import bp

CA_FILENAME = "caisse-fees-declic.crt"  # what Android's installer and iPadOS expect


@bp.route("/assets/<version>/<path:filename>")
def asset(version: str, filename: str):
    return send_asset(version, filename)


@bp.route("/sw.js")
def service_worker():
    """Served from the root so that its scope is the whole kiosk (/sell included);
    revalidated (ETag, kiosk/common/assets.py) whenever the browser checks for a new one."""
    source = (Path(current_app.static_folder) / "sw.js").read_bytes()
    return current_app.response_class(source, mimetype="text/javascript")


@bp.route("/ca.pem")
def ca_pem():
    """The authority's certificate, for the tablet to install (made on first request, so
    the tablet can install it over plain HTTP before HTTPS is turned on)."""
    response = current_app.response_class(tls.certificate_authority(current_app.instance_path),
                                          mimetype="application/x-x509-ca-cert")
    response.headers["Content-Disposition"] = f'attachment; filename="{CA_FILENAME}"'
    response.headers["Cache-Control"] = "no-cache"
    return response
