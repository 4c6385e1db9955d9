"""The box at the stall: `make run` safe by default (HTTPS off the loopback, with the kiosk's
own authority, constrained to local names and addresses), the plain-HTTP redirect to the
kiosk's own name. The kiosk is started here as the stall starts it: `python -m kiosk.serve`
in a process of its own, on a port the system chooses."""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import os
import queue
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from kiosk import create_app, tls

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"Caisse Fées déclic : (https?)://([^/]+):(\d+)/")


def kiosk_env(instance: Path, **settings: str) -> dict[str, str]:
    """The environment of `make run` on a fresh clone: no KIOSK_* setting but those given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE=str(instance), KIOSK_PORT="0", KIOSK_MDNS_NAME="none",
               KIOSK_PIN_HASH_COST="128", PYTHONUNBUFFERED="1")
    env.update(settings)
    return env


@contextmanager
def running_kiosk(env: dict[str, str], timeout: float = 180) -> Iterator[tuple[str, int, str]]:
    """`python -m kiosk.serve` started; yields (scheme, port, everything it printed)."""
    process = subprocess.Popen([sys.executable, "-m", "kiosk.serve"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    printed = ""
    try:
        deadline = time.monotonic() + timeout
        while not (found := URL.search(printed)) or (
                found.group(1) == "https" and "empreinte" not in printed):
            left = deadline - time.monotonic()
            assert left > 0 and process.poll() is None, printed
            try:
                printed += lines.get(timeout=min(left, 1)).decode()
            except queue.Empty:
                continue
        yield found.group(1), int(found.group(3)), printed
    finally:
        process.terminate()
        process.wait(20)


def https_get(port: int, ca: Path, name: str, path: str = "/ca.pem") -> int:
    """GET over TLS to 127.0.0.1 as a tablet that typed `name`, trusting only `ca`."""
    context = ssl.create_default_context(cafile=str(ca))
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                    server_hostname=name)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


# --- KIOSK_TLS=auto -------------------------------------------------------------------

def test_auto_is_plain_http_on_the_loopback_only():
    assert tls.serves_https("auto", "127.0.0.1") is False
    assert tls.serves_https("auto", "::1") is False
    assert tls.serves_https("auto", "localhost") is False
    for host in ("0.0.0.0", "", "192.168.1.10", "::", "kiosk.lan"):
        assert tls.serves_https("auto", host) is True, host
    assert tls.serves_https(True, "127.0.0.1") is True
    assert tls.serves_https(False, "0.0.0.0") is False


@pytest.mark.parametrize(("given", "read"), [
    (None, "auto"), ("auto", "auto"), ("1", True), ("0", False), ("true", True),
    ("false", False)])
def test_kiosk_tls_takes_auto_1_or_0(given, read, tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_TLS", raising=False)
    if given is not None:
        monkeypatch.setenv("KIOSK_TLS", given)
    assert create_app({}, str(tmp_path)).config["TLS"] == read


def test_a_kiosk_tls_that_is_not_auto_1_or_0_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_TLS", "maybe")
    with pytest.raises(ValueError, match="KIOSK_TLS must be auto, 1 or 0"):
        create_app({}, str(tmp_path))


def test_the_stall_command_serves_https_with_no_tls_setting(tmp_path):
    """`KIOSK_HOST=0.0.0.0 make run` on a fresh clone: HTTPS, from the kiosk's own authority;
    on the loopback, plain HTTP; KIOSK_TLS=0 and 1 still force either."""
    instance = tmp_path / "instance"
    with running_kiosk(kiosk_env(instance, KIOSK_HOST="127.0.0.1")) as (scheme, port, _):
        assert scheme == "http"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/start")
        assert conn.getresponse().status == 200
        conn.close()
    with running_kiosk(kiosk_env(instance, KIOSK_HOST="0.0.0.0")) as (scheme, port, printed):
        assert scheme == "https"
        ca = instance / "tls" / "ca.pem"
        assert tls.fingerprint(ca.read_bytes()) in printed  # to compare on the tablet
        for name in ("kiosk.lan", "localhost", "127.0.0.1"):
            assert https_get(port, ca, name) == 200
    with running_kiosk(kiosk_env(instance, KIOSK_HOST="0.0.0.0", KIOSK_TLS="0")) as run:
        assert run[0] == "http"
    with running_kiosk(kiosk_env(instance, KIOSK_HOST="127.0.0.1", KIOSK_TLS="1")) as run:
        assert run[0] == "https"


def test_the_first_start_offers_the_tablet_s_set_up(app, client):
    """A new database's first page: the two choices, then the tablet's step (the authority's
    link and QR code, the picture guide), before anyone has logged in."""
    import io
    from base64 import b64decode

    import zxingcpp
    from PIL import Image

    html = client.get("/start").text
    assert 'data-start="demo"' in html and "data-start-tablet" in html
    link = re.search(r'href="([^"]+)" data-ca-link', html).group(1)
    assert link.endswith("/ca.pem")
    qr = re.search(r'src="data:image/png;base64,([^"]+)"[^>]*data-ca-qr', html).group(1)
    assert [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(b64decode(qr))))] \
        == [link]
    assert len(re.findall(r'src="(/assets/[^"]+/img/guide/[^"]+\.svg)"', html)) == 9
    assert client.get("/ca.pem").data == tls.certificate_authority(app.instance_path)


# --- the authority vouches for local names and addresses only (issue 24, item 10) --------

def _leaf(ca_key, ca: x509.Certificate, names: list[x509.GeneralName]) -> x509.Certificate:
    """A server certificate for `names`, signed with the authority's own key file, as
    whoever stole `instance/tls/ca-key.pem` would make one."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def _verifies(ca: x509.Certificate, leaf: x509.Certificate, name: str) -> bool:
    try:
        subject = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        subject = x509.DNSName(name)
    try:
        PolicyBuilder().store(Store([ca])).build_server_verifier(subject).verify(leaf, [])
    except VerificationError:
        return False
    return True


def test_the_authority_permits_only_local_suffixes_and_private_ranges(tmp_path, monkeypatch):
    monkeypatch.setattr(socket, "gethostname", lambda: "boutique")  # a real top-level domain
    files = tls.ensure_certificates(tmp_path)
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical and constraints.value.excluded_subtrees is None
    permitted = constraints.value.permitted_subtrees
    names = {n.value for n in permitted if isinstance(n, x509.DNSName)}
    networks = {str(n.value) for n in permitted if isinstance(n, x509.IPAddress)}
    assert names == {"lan", "local", "localhost", "home.arpa", "internal"}  # no "boutique"
    assert networks == {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                        "::1/128", "fc00::/7"}
    assert all(isinstance(n, x509.DNSName | x509.IPAddress) for n in permitted)
    # The kiosk's own certificate names the host as boutique.local, never boutique.
    leaf = x509.load_pem_x509_certificates(files.cert.read_bytes())[0]
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "boutique.local" in sans.get_values_for_type(x509.DNSName)
    assert "boutique" not in sans.get_values_for_type(x509.DNSName)

    ca_key = serialization.load_pem_private_key(
        (tmp_path / "tls" / "ca-key.pem").read_bytes(), password=None)
    for name in ("8.8.8.8", "2001:4860:4860::8888", "boutique", "www.boutique",
                 "www.example.com", "192.0.2.2"):
        try:
            general = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            general = x509.DNSName(name)
        forged = _leaf(ca_key, ca, [general])
        assert not _verifies(ca, forged, name), name
    for name in ("192.168.1.10", "10.0.0.7", "172.20.1.2", "127.0.0.1", "::1",
                 "fd12:3456::1", "caisse.local", "kiosk.lan", "localhost", "box.home.arpa"):
        try:
            general = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            general = x509.DNSName(name)
        assert _verifies(ca, _leaf(ca_key, ca, [general]), name), name


# --- plain http:// is sent to the kiosk's own name (issue 24, item 12) -------------------

def _plain_get(port: int, head: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer


def test_the_redirect_to_https_names_the_kiosk_not_the_request_s_host(app):
    from kiosk.serve import tls_server

    certificates = tls.ensure_certificates(app.instance_path, ["127.0.0.1", "192.168.1.10"],
                                           ["caisse.local", "kiosk.lan", "localhost"])
    server = tls_server(app, "127.0.0.1", 0, certificates, own_host="caisse.local")
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    port = server.bind_addr[1]
    try:
        for host, sent_to in [("evil.example", "caisse.local"),
                              (f"evil.example:{port}", "caisse.local"),
                              ("192.168.1.10:8080", "192.168.1.10"),  # the kiosk's own: kept
                              (f"KIOSK.lan:{port}", "kiosk.lan"),
                              ("8.8.8.8", "caisse.local")]:
            answer = _plain_get(port, f"GET /login?next=%2Fsell HTTP/1.1\r\nHost: {host}\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 301 "), answer
            location = re.search(rb"\r\nLocation: (\S+)\r\n", answer).group(1).decode()
            # on the port the request came in on, not the one the Host header claims
            assert location == f"https://{sent_to}:{port}/login?next=%2Fsell", (host, location)
        answer = _plain_get(port, "GET / HTTP/1.0\r\n\r\n")  # no Host at all
        assert f"\r\nLocation: https://caisse.local:{port}/\r\n".encode() in answer
        # And the server goes on serving HTTPS.
        assert https_get(port, certificates.ca, "caisse.local", "/ca.pem") == 200
    finally:
        server.stop()
        thread.join(10)


# --- caisse.local, announced by mDNS -----------------------------------------------------

def _off_any_event_loop(work, *args):
    """`work(*args)` in a thread of its own. zeroconf's blocking calls refuse to run in a
    thread whose asyncio loop is running (EventLoopBlocked), and a pytest process that has
    driven Chromium has one in its main thread (Playwright's): the order xdist draws
    decided whether these tests passed."""
    result: list = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work(*args))
        except BaseException as exc:  # handed back to the test's own thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def _resolve(name: str, service_type: str | None = None, timeout_ms: int = 5000):
    """What a tablet on the loopback's network learns of NAME.local: its addresses, and the
    port of the kiosk's service."""
    return _off_any_event_loop(_resolve_here, name, service_type, timeout_ms)


def _resolve_here(name: str, service_type: str | None, timeout_ms: int):
    from zeroconf import AddressResolver, IPVersion, ServiceBrowser, Zeroconf

    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        resolver = AddressResolver(f"{name}.local.")
        addresses = resolver.parsed_addresses() if resolver.request(zc, timeout_ms) else []
        found: list[str] = []
        if service_type:
            class Listener:
                def add_service(self, zc, type_, name):
                    found.append(name)

                def update_service(self, *args):
                    pass

                def remove_service(self, *args):
                    pass

            browser = ServiceBrowser(zc, service_type, Listener())
            deadline = time.monotonic() + timeout_ms / 1000
            while not found and time.monotonic() < deadline:
                time.sleep(0.1)
            browser.cancel()
        ports = []
        for service in found:
            info = zc.get_service_info(service_type, service, timeout_ms)
            if info is not None and info.server == f"{name}.local.":
                ports.append(info.port)
        return addresses, ports
    finally:
        zc.close()


def test_the_kiosk_announces_itself_as_caisse_local(tmp_path):
    """`make run` announces NAME.local (KIOSK_MDNS_NAME, `caisse` by default) and its
    service; a zeroconf browser on the loopback sees both; the certificate covers the name;
    `none` announces nothing."""
    from kiosk.config import DEFAULTS

    assert DEFAULTS["MDNS_NAME"] == "caisse"
    name = f"caisse-test-{os.getpid()}"  # not to answer for another test run's kiosk
    instance = tmp_path / "instance"
    env = kiosk_env(instance, KIOSK_HOST="0.0.0.0", KIOSK_MDNS_NAME=name)
    with running_kiosk(env) as (_, port, printed):
        assert f"https://{name}.local:{port}/" in printed
        addresses, ports = _resolve(name, "_https._tcp.local.")
        # the machine's addresses on the stall's network (the loopback when it has none)
        assert sorted(addresses) == sorted(tls.lan_addresses() or ["127.0.0.1"])
        assert ports == [port]
        assert https_get(port, instance / "tls" / "ca.pem", f"{name}.local") == 200
    env["KIOSK_MDNS_NAME"] = "none"
    with running_kiosk(env) as (_, _, printed):
        assert ".local" not in printed
        assert _resolve(name, timeout_ms=1500) == ([], [])
    # A kiosk on the loopback is announced to nobody: no tablet could reach it.
    env.update(KIOSK_MDNS_NAME=name, KIOSK_HOST="127.0.0.1")
    with running_kiosk(env) as (_, _, printed):
        assert ".local" not in printed
        assert _resolve(name, timeout_ms=1500) == ([], [])


def test_a_mdns_name_that_is_not_one_label_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_MDNS_NAME", "caisse du stand")
    with pytest.raises(ValueError, match="KIOSK_MDNS_NAME"):
        create_app({}, str(tmp_path))
    for off in ("none", ""):
        monkeypatch.setenv("KIOSK_MDNS_NAME", off)
        assert create_app({}, str(tmp_path)).config["MDNS_NAME"] is None
    monkeypatch.setenv("KIOSK_MDNS_NAME", "Stand-2.local")
    assert create_app({}, str(tmp_path)).config["MDNS_NAME"] == "stand-2"


def test_the_announcement_follows_a_new_address():
    """The box moved to another Wi-Fi: the name now answers with the new address."""
    _off_any_event_loop(_the_announcement_follows_a_new_address)


def _the_announcement_follows_a_new_address() -> None:
    from kiosk.mdns import Announcement

    name = f"caisse-move-{os.getpid()}"
    now = ["127.0.0.1"]
    announcement = Announcement(name, 8443, True, list(now), interfaces=["127.0.0.1"],
                                follow=lambda: list(now))
    try:
        assert _resolve(name)[0] == ["127.0.0.1"]
        now[:] = ["127.0.0.2"]
        announcement._follow_once()
        assert _resolve(name)[0] == ["127.0.0.2"]
    finally:
        announcement.close()
