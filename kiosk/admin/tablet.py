"""The tablet's set-up page: HTTPS (the authority's certificate to install), the home
screen and screen pinning, step by step with pictures."""

from __future__ import annotations

import io
import ipaddress
from base64 import b64encode
from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for

from kiosk import tls
from kiosk.admin import bp
from kiosk.auth.roles import admin_required


def _tablet_base_url() -> str:
    """The kiosk's address as the tablet reaches it: this page's own, unless it is open
    on the kiosk's machine itself (127.0.0.1), where the tablet needs a LAN address."""
    parts = urlsplit(request.host_url)
    host = parts.hostname or "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        lan = tls.lan_addresses()
        if lan:
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme}://{lan[0]}{port}/"
    return request.host_url


def _qr_data_url(text: str) -> str:
    """A PNG in the page itself (the CSP allows data: images): no route of its own."""
    import qrcode  # (with Pillow) imported by this page, not at the server's start
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return "data:image/png;base64," + b64encode(out.getvalue()).decode()


@bp.route("/tablet", methods=["GET"])
@admin_required
def tablet():
    base = _tablet_base_url()
    ca_url = base.rstrip("/") + url_for("tablet.ca_pem")
    pem = tls.certificate_authority(current_app.instance_path)
    port = urlsplit(base).port or (443 if base.startswith("https") else 80)
    return render_template(
        "admin/tablet.html", ca_url=ca_url, qr=_qr_data_url(ca_url),
        fingerprint=tls.fingerprint(pem), secure=request.is_secure,
        https_url=f"https://{urlsplit(base).hostname}:{port}/",
        lan_addresses=tls.lan_addresses(), port=port)
