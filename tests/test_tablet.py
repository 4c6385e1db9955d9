"""The tablet as a till: HTTPS from the kiosk's own authority, compressed answers, static
files cached for a year under versioned URLs, the service worker and the manifest."""

from __future__ import annotations

import gzip
import http.client
import io
import ipaddress
import json
import re
import socket
import ssl
import threading
from base64 import b64decode
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store

from kiosk import tls
from kiosk.common.assets import lighten
from kiosk.paths import static_dir, templates_dir
from kiosk.serve import tls_server
from tests.conftest import api_login, web_login

# A browser that takes gzip but not brotli (Chromium over plain HTTP to another host than
# localhost); Chromium over HTTPS (the stall's default) or on localhost asks for both.
GZIP = {"Accept-Encoding": "gzip, deflate"}
CHROMIUM = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def _chain_verifies(certificates: tls.Certificates, name: str) -> None:
    """As a browser does: the server's certificate, for this name, up to the authority."""
    ca = x509.load_pem_x509_certificate(certificates.ca.read_bytes())
    leaf, *rest = x509.load_pem_x509_certificates(certificates.cert.read_bytes())
    assert rest == []  # sent alone: the tablet holds the authority
    try:
        subject = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        subject = x509.DNSName(name)
    verifier = PolicyBuilder().store(Store([ca])).build_server_verifier(subject)
    chain = verifier.verify(leaf, rest)
    assert chain[-1] == ca


# --- the authority and the server certificate -----------------------------------------

def test_ca_pem_is_the_authority_and_anyone_may_download_it(client, app):
    response = client.get("/ca.pem", headers=GZIP)  # no login: the tablet has none yet
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.mimetype == "application/x-x509-ca-cert"
    assert "caisse-fees-declic.crt" in response.headers["Content-Disposition"]
    ca = x509.load_pem_x509_certificate(response.data)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert ca.issuer == ca.subject
    ca.verify_directly_issued_by(ca)  # self-signed, and the signature holds
    # Made once: the same authority on every later request (tablets install it once).
    assert client.get("/ca.pem").data == response.data
    assert (Path(app.instance_path) / "tls" / "ca-key.pem").stat().st_mode & 0o077 == 0


def test_the_server_certificate_chains_to_the_authority_for_every_address(app):
    certificates = tls.ensure_certificates(app.instance_path)
    assert certificates.ca.read_bytes() == tls.certificate_authority(app.instance_path)
    # Every address in a private or loopback range (a public one the authority may not
    # vouch for: issue 24), every local name.
    names = [*filter(tls.is_local_address, tls.machine_addresses()), *tls.machine_names()]
    assert "127.0.0.1" in names and "kiosk.lan" in names and "localhost" in names
    assert set(filter(tls.is_local_address, tls.lan_addresses())) <= set(names)
    for name in names:
        _chain_verifies(certificates, name)
    with pytest.raises(x509.verification.VerificationError):
        _chain_verifies(certificates, "www.example.com")
    assert certificates.key.stat().st_mode & 0o077 == 0


def test_a_new_address_renews_the_server_certificate_not_the_authority(tmp_path):
    first = tls.ensure_certificates(tmp_path, addresses=["192.168.1.10"])
    ca, cert = first.ca.read_bytes(), first.cert.read_bytes()
    tls.ensure_certificates(tmp_path, addresses=["192.168.1.10"])
    assert first.cert.read_bytes() == cert  # nothing missing: kept as it is
    tls.ensure_certificates(tmp_path, addresses=["10.0.0.7"])  # the stall's other router
    assert first.cert.read_bytes() != cert and first.ca.read_bytes() == ca
    _chain_verifies(first, "10.0.0.7")


def test_the_authority_vouches_for_no_public_name(tmp_path):
    """Its key, were it stolen, could not impersonate a real site to the tablet."""
    files = tls.ensure_certificates(tmp_path, names=["kiosk.lan", "caisse.example.com"])
    leaf = x509.load_pem_x509_certificates(files.cert.read_bytes())[0]
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "caisse.example.com" not in sans.get_values_for_type(x509.DNSName)
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    permitted = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    assert {"lan", "local"} <= {n.value for n in permitted.permitted_subtrees}


@pytest.fixture
def https_server(demo) -> Iterator[tuple[int, tls.Certificates]]:
    """The kiosk served over TLS by cheroot, as `KIOSK_TLS=1 make run` serves it, on a
    machine whose address at the stall is 192.168.1.10."""
    certificates = tls.ensure_certificates(demo.instance_path,
                                           [*tls.machine_addresses(), "192.168.1.10"])
    server = tls_server(demo, "127.0.0.1", 0, certificates)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server.bind_addr[1], certificates
    server.stop()
    thread.join(10)


def test_the_kiosk_serves_https_that_trusts_only_its_authority(https_server):
    port, certificates = https_server
    trusting = ssl.create_default_context(cafile=str(certificates.ca))
    for name in ("kiosk.lan", "127.0.0.1", "localhost"):
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=trusting, timeout=10)
        conn.sock = trusting.wrap_socket(  # the address the tablet typed, checked
            socket.create_connection(("127.0.0.1", port), timeout=10),
            server_hostname=name)
        conn.request("GET", "/login")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        # Over TLS the headers meant for a secure origin are sent.
        assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"
        conn.close()
    stranger = ssl.create_default_context()  # the system's authorities only
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=stranger, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        conn.request("GET", "/login")
    conn.close()


# --- compression and cache headers -----------------------------------------------------

def open_drawer(client) -> None:
    """A drawer open at the IKEA stall, as the seller's tablet opens it (the API)."""
    response = client.post("/api/v1/cash-sessions", headers=api_login(
        client, "Vendeuse", "3456"), json={"name": "Vente IKEA", "location": "ikea",
                                           "opening_float": {"1000": 3}})
    assert response.status_code == 201, response.get_json()


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:assets|static)/[^"]+)"', html)


def test_pages_scripts_styles_and_json_come_gzipped(demo, client):
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    page = client.get("/sell", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    html = gzip.decompress(page.data).decode()
    assert 'data-sku="SAC-IKEA"' in html
    assert len(page.data) < len(html.encode()) / 3
    plain = client.get("/sell")  # a client that takes no gzip gets the page as it is
    assert "Content-Encoding" not in plain.headers
    # (but for its CSRF token, signed with the time: two renders a second apart differ)
    assert _without_csrf(plain.text) == _without_csrf(html)
    urls = _static_urls(html)
    for suffix in (".js", ".css"):
        url = next(u for u in urls if u.endswith(suffix) and "sell" in u)
        response = client.get(url, headers=GZIP)
        assert response.headers["Content-Encoding"] == "gzip", url
        body = gzip.decompress(response.data)
        source = (static_dir() / url.split("/", 3)[3]).read_bytes()
        assert body == lighten(source, response.mimetype) and len(body) < len(source)
        response.close()
    _assert_the_api_answers_in(client, GZIP, "gzip", gzip.decompress)


def test_a_browser_that_asks_for_brotli_gets_the_same_bytes_smaller(demo, client):
    """Brotli when asked (Chromium over HTTPS, as at the stall): the page, its style sheet
    and script decode to what the gzip answer decodes to, in fewer bytes."""
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    page = client.get("/sell", headers=CHROMIUM)
    assert page.headers["Content-Encoding"] == "br" and page.headers["ETag"].endswith('-br"')
    assert "Accept-Encoding" in page.headers["Vary"]
    html = brotli.decompress(page.data).decode()
    gzipped = client.get("/sell", headers=GZIP)
    assert _without_csrf(html) == _without_csrf(gzip.decompress(gzipped.data).decode())
    assert len(page.data) < len(gzipped.data)
    for url in _static_urls(html):
        if not url.endswith((".js", ".css", ".svg")):
            continue
        answers = {coding: client.get(url, headers=headers)
                   for coding, headers in (("br", CHROMIUM), ("gzip", GZIP))}
        assert answers["br"].headers["Content-Encoding"] == "br", url
        assert answers["gzip"].headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in answers["br"].headers["Vary"], url
        body = brotli.decompress(answers["br"].data)
        assert body == gzip.decompress(answers["gzip"].data), url
        if len(body) > 2000:  # (a small icon may come out a few bytes either way)
            assert len(answers["br"].data) < len(answers["gzip"].data), url
        for answer in answers.values():
            answer.close()
    _assert_the_api_answers_in(client, CHROMIUM, "br", brotli.decompress)


def test_a_reload_in_brotli_costs_a_304_whatever_the_tag_kept(demo, client):
    """The tag kept by the browser names the encoding it got (TAG-br, TAG-gzip): either
    answers 304, tagged for the encoding the browser now asks for."""
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    first = client.get("/sell", headers=CHROMIUM)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.endswith('-br"')
    again = client.get("/sell", headers={**CHROMIUM, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert "Content-Security-Policy" not in again.headers
    # A browser that kept the gzip answer's copy, now asking brotli too (and the other way).
    gzipped = client.get("/sell", headers=GZIP).headers["ETag"]
    assert gzipped == tag.replace('-br"', '-gzip"')
    crossed = client.get("/sell", headers={**CHROMIUM, "If-None-Match": gzipped})
    assert crossed.status_code == 304 and crossed.headers["ETag"] == tag
    back = client.get("/sell", headers={**GZIP, "If-None-Match": tag})
    assert back.status_code == 304 and back.headers["ETag"] == gzipped
    plain = client.get("/sell", headers={"If-None-Match": tag})
    assert plain.status_code == 304 and plain.headers["ETag"] == tag.replace("-br", "")


def _assert_the_api_answers_in(client, accepting: dict, coding: str, decompress) -> None:
    """The JSON API's answers come compressed as the page's do."""
    headers = {**accepting, **api_login(client, "Vendeuse", "3456")}
    products = client.get("/api/v1/products", headers=headers)
    assert products.headers["Content-Encoding"] == coding
    assert {p["sku"] for p in json.loads(decompress(products.data))} >= {"SAC-IKEA"}


def _without_csrf(html: str) -> str:
    """A page with its CSRF tokens (Flask-WTF signs them with the second) blanked."""
    tokens = set(re.findall(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html))
    assert tokens  # the page does carry one
    for token in tokens:
        html = html.replace(token, "CSRF")
    return html


def test_static_files_are_kept_a_year_under_versioned_urls(demo, client):
    web_login(client, "Vendeuse", "3456")
    html = client.get("/sell").text
    urls = _static_urls(html)
    assert urls and all(u.startswith("/assets/") for u in urls), urls
    versions = {u.split("/")[2] for u in urls}
    assert len(versions) == 1  # one version for all: a module's ./imports carry it
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        response.close()
    # A module imported by another, at its relative URL, is kept as long.
    module = client.get(f"/assets/{next(iter(versions))}/js/cart.js")
    assert "immutable" in module.headers["Cache-Control"]
    module.close()
    # A page loaded before an upgrade asks an older version: today's file, revalidated.
    old = client.get("/assets/000000000000/css/kiosk.css")
    assert old.status_code == 200 and "immutable" not in old.headers.get("Cache-Control", "")
    old.close()
    unversioned = client.get("/static/css/kiosk.css")
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")
    unversioned.close()
    assert client.get("/sessions").headers["Cache-Control"] == "no-store"  # pages: always new


def test_scripts_served_without_their_comments_still_parse_line_for_line(tmp_path):
    """What the tablet runs is static/js as written, less its whole-line comments."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        from tests.conftest import missing

        missing("Node not found (apt-get install nodejs)")
    scripts = [*sorted((static_dir() / "js").glob("*.js")), static_dir() / "sw.js"]
    for script in scripts:
        source = script.read_bytes()
        light = lighten(source, "text/javascript")
        assert light.count(b"\n") == source.count(b"\n"), script.name  # same line numbers
        copy = tmp_path / f"{script.stem}.mjs"
        copy.write_bytes(light)
        checked = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True,
                                 timeout=60)
        assert checked.returncode == 0, (script.name, checked.stderr)
        # Nothing but comments went: the same tokens once comments are set aside.
        assert _code(light) == _code(source), script.name
    css = (static_dir() / "css" / "kiosk.css").read_bytes()
    assert b"/*" not in lighten(css, "text/css") and b"/*" in css


def _code(source: bytes) -> list[str]:
    """The lines of a script that are not whole-line comments, stripped."""
    return [line.strip() for line in source.decode().splitlines()
            if line.strip() and not line.strip().startswith("//")]


def test_every_static_url_in_the_templates_is_versioned():
    """url_for('static', …) would bypass the year-long cache: templates use static_url."""
    offenders = [str(path.relative_to(templates_dir())) for path in
                 templates_dir().rglob("*.html")
                 if re.search(r"url_for\(\s*['\"]static['\"]", path.read_text())]
    assert offenders == []


# --- the service worker, the manifest, the set-up page ---------------------------------

def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache, private"
    assert response.data == (static_dir() / "sw.js").read_bytes()
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304  # the browser's daily check costs no download
    # It never touches a sale: only GETs are answered from what it keeps.
    assert 'request.method !== "GET"' in response.text


def test_the_manifest_opens_the_sale_screen_full_screen(demo, client):
    web_login(client, "Vendeuse", "3456")
    html = client.get("/sell").text
    href = re.search(r'<link rel="manifest" href="([^"]+)"', html).group(1)
    response = client.get(href)
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["start_url"] == "/sell" and manifest["display"] == "fullscreen"
    from PIL import Image

    sizes = set()
    for icon in manifest["icons"]:
        icon_response = client.get(href.rsplit("/", 1)[0] + "/" + icon["src"])
        assert icon_response.status_code == 200, icon
        if icon["type"] == "image/png":
            image = Image.open(io.BytesIO(icon_response.data))
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(image.width)
        icon_response.close()
    assert sizes == {192, 512}


def test_the_set_up_page_shows_the_certificate_s_qr_code_and_the_guides(demo, client):
    import zxingcpp
    from PIL import Image

    web_login(client, "Admin", "1234")
    page = client.get("/admin/tablet")
    assert page.status_code == 200
    html = page.text
    link = re.search(r'href="([^"]+)" data-ca-link', html).group(1)
    assert link.endswith("/ca.pem")
    # What the tablet's camera reads is the link, at an address the tablet can reach.
    qr = re.search(r'src="data:image/png;base64,([^"]+)"[^>]*data-ca-qr', html).group(1)
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(b64decode(qr))))
    assert [code.text for code in codes] == [link]
    pictures = re.findall(r'src="(/assets/[^"]+/img/guide/[^"]+\.svg)"', html)
    assert len(pictures) == 9
    for picture in pictures:
        response = client.get(picture)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", picture
        response.close()
    assert "KIOSK_TLS=1" in html and "Épinglage d" in html
    english = client.get("/admin/tablet?lang=en").text
    assert "On an iPad" in english and "Pin the till on an Android tablet" in english


def test_a_reload_of_the_unchanged_sale_screen_costs_a_304(demo, client, seller_headers):
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    first = client.get("/sell", headers=GZIP)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache, private"
    again = client.get("/sell", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # The copy kept has the policies; the 304 only refreshes it (and stays small).
    assert "Content-Security-Policy" in first.headers
    assert "Content-Security-Policy" not in again.headers
    # A sale changes the page (the stock it shows, the last sale to void): all of it again.
    session_id = client.get("/api/v1/cash-sessions", headers=seller_headers).get_json()[0]["id"]
    sale = client.post("/api/v1/sales", headers=seller_headers, json={
        "client_id": "6f1c2b8e-3a4d-4e5f-9a0b-1c2d3e4f5a6b", "cash_session_id": session_id,
        "lines": [{"sku": "SAC-IKEA", "qty": 1}],
        "payments": [{"method": "cash", "amount_cents": 2000}]})
    assert sale.status_code == 201, sale.get_json()
    after = client.get("/sell", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]


def test_a_tablet_still_on_http_is_sent_to_https(https_server):
    """A bookmark or home-screen icon made before HTTPS opens http://…: it lands on https."""
    port, certificates = https_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET /sell?session=3 HTTP/1.1\r\nHost: 192.168.1.10:{port}\r\n"
                     "Accept: text/html\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 301 ")
    assert f"\r\nLocation: https://192.168.1.10:{port}/sell?session=3\r\n".encode() in answer
    # And the server goes on serving HTTPS.
    trusting = ssl.create_default_context(cafile=str(certificates.ca))
    conn = http.client.HTTPSConnection("localhost", port, context=trusting, timeout=10)
    conn.request("GET", "/login")
    assert conn.getresponse().status == 200
    conn.close()


def test_a_new_session_never_gets_a_copy_kept_with_another_session_s_token(demo, app, client):
    """The tablet's copy of /sell holds its session's CSRF token. The session's cookie gone
    (expired, or lost with the browser) and the same volunteer back on the same drawer, the
    page reads the same but for the token: a 304 would leave the tablet with a token the
    server refuses every sale with. Within one session, a reload still costs a 304."""
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    first = client.get("/sell", headers=GZIP)
    assert first.status_code == 200
    assert client.get("/sell", headers={**GZIP, "If-None-Match": first.headers["ETag"]}
                      ).status_code == 304
    tablet_again = app.test_client()  # no cookie: a new session
    web_login(tablet_again, "Vendeuse", "3456")
    again = tablet_again.get("/sell", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"',
                      gzip.decompress(again.data).decode())[1]
    heartbeat = tablet_again.post("/api/v1/tablets/heartbeat", headers={"X-CSRFToken": token},
                                  json={"tablet_id": "7d1c2b8e-3a4d-4e5f-9a0b-1c2d3e4f5a6b",
                                        "waiting": []})
    assert heartbeat.status_code == 200, heartbeat.get_json()
