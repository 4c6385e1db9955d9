"""The tablet's set-up, shared by the admin's page and the first start: where the tablet
downloads the kiosk's authority (a link and its QR code) and where it then opens the kiosk."""

from __future__ import annotations

import io
import ipaddress
from base64 import b64encode
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from kiosk import tls


def tablet_base_url() -> str:
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


def qr_data_url(text: str) -> str:
    """A PNG in the page itself (the CSP allows data: images): no route of its own."""
    import qrcode  # (with Pillow) imported by this page, not at the server's start
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return "data:image/png;base64," + b64encode(out.getvalue()).decode()


def tablet_setup() -> dict:
    """What templates/tablet/_setup.html shows: the authority's link, QR code and
    fingerprint, the https address to open afterwards."""
    base = tablet_base_url()
    ca_url = base.rstrip("/") + url_for("tablet.ca_pem")
    pem = tls.certificate_authority(current_app.instance_path)
    port = urlsplit(base).port or (443 if base.startswith("https") else 80)
    return {"ca_url": ca_url, "qr": qr_data_url(ca_url), "fingerprint": tls.fingerprint(pem),
            "secure": request.is_secure,
            "https_url": f"https://{urlsplit(base).hostname}:{port}/",
            "lan_addresses": tls.lan_addresses(), "port": port}
