"""HTTPS at the stall: the kiosk's own small certificate authority and its server certificate.

The tablet reaches the kiosk at a LAN address (http://192.168.x.y:5000), which browsers do
not treat as a secure context: no service worker, no camera. With `KIOSK_TLS=1` the kiosk
serves HTTPS with a certificate signed by an authority it makes once in
`instance/tls/`; the tablet installs that authority's certificate (`GET /ca.pem`) once and
then trusts the kiosk at any of its addresses.

- The authority is made once and kept (ten years): reinstalling it on every tablet is
  the one thing to avoid. It is constrained to local names and addresses (RFC 5280 name
  constraints: names under `.lan`, `.local`…, private and loopback address ranges), so its
  key, were it stolen, could not vouch for a bank's site nor a public address.
- The server certificate names every LAN IPv4 of the machine, its host name (and
  `NAME.local`), `kiosk.lan` and `localhost`; it is made again at start whenever an address
  is missing (a new router), it expires within 30 days, or the authority changed. It lives
  397 days, under every browser's limit for a server certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import re
import socket
import sys
import threading
from base64 import b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
else:
    class _OnFirstUse:
        """A module (or a module's attribute) of cryptography, imported when first used:
        most starts of the kiosk read or make no certificate, and importing cryptography
        takes a fifth of a second on a small board."""

        def __init__(self, module: str, attribute: str | None = None) -> None:
            self._module, self._attribute = module, attribute

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            target = import_module(self._module)
            if self._attribute:
                target = getattr(target, self._attribute)
            return getattr(target, name)

    x509 = _OnFirstUse("cryptography.x509")
    hashes = _OnFirstUse("cryptography.hazmat.primitives.hashes")
    serialization = _OnFirstUse("cryptography.hazmat.primitives.serialization")
    ec = _OnFirstUse("cryptography.hazmat.primitives.asymmetric.ec")
    ExtendedKeyUsageOID = _OnFirstUse("cryptography.x509.oid", "ExtendedKeyUsageOID")
    NameOID = _OnFirstUse("cryptography.x509.oid", "NameOID")

CA_DAYS = 3650
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)
# The server's clock may be behind at the stall (a Raspberry Pi has no clock battery):
# a certificate valid from a week ago is already valid for the tablet, whose clock is right.
BACKDATE = dt.timedelta(days=7)
FIXED_NAMES = ("kiosk.lan", "localhost")
# The names the authority may vouch for: local ones only. A DNS subtree permits the name
# and every name under it, so a bare host name (`boutique`) is never one: it would permit
# a whole top-level domain. The host is vouched for as NAME.local (mDNS) instead.
LOCAL_DOMAINS = ("lan", "local", "localhost", "home.arpa", "internal")
# The addresses it may vouch for: private and loopback ranges only (RFC 1918, RFC 4193),
# where any router at a stall hands out addresses; never a public one (8.8.8.8).
LOCAL_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                  "::1/128", "fc00::/7")

_lock = threading.Lock()


@dataclass(frozen=True)
class Certificates:
    """The files cheroot serves with, and the authority's certificate for the tablets."""

    ca: Path  # the authority's certificate (public: GET /ca.pem)
    cert: Path  # the server's certificate (alone: the tablet holds the authority)
    key: Path  # the server's private key (0600)


def tls_dir(instance: str | Path) -> Path:
    path = Path(instance) / "tls"
    path.mkdir(parents=True, exist_ok=True)
    return path


def machine_addresses() -> list[str]:
    """Every IPv4 address of this machine's interfaces, 127.0.0.1 included, sorted."""
    found = {"127.0.0.1"}
    if sys.platform.startswith("linux"):
        found.update(_linux_interface_addresses())
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass  # a host name that does not resolve: the interfaces said it all
    addresses = {a for a in found if not ipaddress.ip_address(a).is_loopback} | {"127.0.0.1"}
    return sorted(addresses, key=ipaddress.ip_address)


def _linux_interface_addresses() -> set[str]:
    """Each interface's IPv4 address, asked of the kernel (SIOCGIFADDR): no packet sent."""
    import fcntl
    import struct

    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            try:
                answer = fcntl.ioctl(sock.fileno(), 0x8915,  # SIOCGIFADDR
                                     struct.pack("256s", name[:15].encode()))
            except OSError:
                continue  # an interface without an IPv4 address
            found.add(socket.inet_ntoa(answer[20:24]))
    return found


def machine_names() -> list[str]:
    """The names a tablet may use: NAME.local (mDNS), kiosk.lan, localhost."""
    host = socket.gethostname().strip().lower().rstrip(".")
    names = []
    if host and host != "localhost":
        # NAME.local, never the bare NAME: the authority may vouch for local suffixes only.
        names.append(host if host.endswith(".local") else f"{host.split('.')[0]}.local")
    return list(dict.fromkeys([*names, *FIXED_NAMES]))


def is_local_address(address: str) -> bool:
    """In a private or loopback range: an address the authority may vouch for."""
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(n) for n in LOCAL_NETWORKS)


def is_loopback_host(host: str) -> bool:
    """KIOSK_HOST names this machine only (127.x, ::1, localhost): no tablet can reach it."""
    host = (host or "").strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # "" or 0.0.0.0 (every interface) or a name: the Wi-Fi may reach it


def serves_https(setting: str | bool, host: str) -> bool:
    """KIOSK_TLS: True/False force; "auto" serves HTTPS wherever a tablet may connect."""
    if setting == "auto":
        return not is_loopback_host(host)
    return bool(setting)


def lan_addresses() -> list[str]:
    """The addresses a tablet on the stall's Wi-Fi may reach: all but loopback."""
    return [a for a in machine_addresses() if not ipaddress.ip_address(a).is_loopback]


def ensure_certificates(instance: str | Path, addresses: Iterable[str] | None = None,
                        names: Iterable[str] | None = None,
                        now: dt.datetime | None = None) -> Certificates:
    """The authority (made once) and a server certificate that names every address."""
    now = now or dt.datetime.now(dt.UTC)
    wanted_ips = sorted({*(addresses if addresses is not None else machine_addresses()),
                         "127.0.0.1"}, key=ipaddress.ip_address)
    wanted_names = list(dict.fromkeys(names if names is not None else machine_names()))
    folder = tls_dir(instance)
    files = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    with _lock:
        ca_key, ca_cert = _authority(folder, now)
        if not _server_is_good(files, ca_cert, wanted_ips, wanted_names, now):
            _make_server(files, ca_key, ca_cert, wanted_ips, wanted_names, now)
    return files


def certificate_authority(instance: str | Path) -> bytes:
    """The authority's certificate, PEM (made now if it does not exist yet)."""
    folder = tls_dir(instance)
    with _lock:
        _authority(folder, dt.datetime.now(dt.UTC))
    return (folder / "ca.pem").read_bytes()


def fingerprint(pem: bytes) -> str:
    """SHA-256 of the certificate, as phones show it (AB:CD:…), to compare by eye."""
    digest = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def spki_hash(pem: bytes) -> str:
    """base64 SHA-256 of the certificate's public key: Chromium's
    --ignore-certificate-errors-spki-list takes it (the tests use it)."""
    public = x509.load_pem_x509_certificate(pem).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b64encode(hashlib.sha256(public).digest()).decode()


# --- making and checking ---------------------------------------------------------------

def _authority(folder: Path, now: dt.datetime) -> tuple[ec.EllipticCurvePrivateKey,
                                                         x509.Certificate]:
    key_path, cert_path = folder / "ca-key.pem", folder / "ca.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())  # type: ignore[return-value]
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname() or "kiosk"
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fées déclic"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Caisse Fées déclic ({host[:40]})"),
    ])
    permitted: list[x509.GeneralName] = [
        *(x509.DNSName(d) for d in LOCAL_DOMAINS),
        *(x509.IPAddress(ipaddress.ip_network(n)) for n in LOCAL_NETWORKS)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True,
            content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.NameConstraints(permitted_subtrees=permitted,
                                            excluded_subtrees=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _server_is_good(files: Certificates, ca_cert: x509.Certificate, ips: list[str],
                    names: list[str], now: dt.datetime) -> bool:
    if not (files.cert.exists() and files.key.exists()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        cert.verify_directly_issued_by(ca_cert)
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, x509.ExtensionNotFound, x509.InvalidSignature):
        return False  # unreadable, or signed by an authority that is no longer ours
    have_ips = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    have_names = set(sans.get_values_for_type(x509.DNSName))
    wanted_ips = {str(ip) for ip in _permitted_ips(ca_cert, ips)}
    return (wanted_ips <= have_ips and set(_permitted_names(ca_cert, names)) <= have_names
            and cert.not_valid_after_utc - RENEW_BEFORE > now)


def _constraints(ca_cert: x509.Certificate) -> x509.NameConstraints | None:
    try:
        return ca_cert.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return None


def _permitted_names(ca_cert: x509.Certificate, names: Iterable[str]) -> list[str]:
    """The names the authority may vouch for: one outside its constraints (a public name,
    a host renamed since) would make browsers refuse the whole certificate."""
    constraints = _constraints(ca_cert)
    domains = [d.value.lower() for d in (constraints.permitted_subtrees or [])
               if isinstance(d, x509.DNSName)] if constraints else None
    out = []
    for name in dict.fromkeys(n.lower().rstrip(".") for n in names):
        if not re.fullmatch(r"[a-z0-9.-]{1,253}", name):
            continue
        if domains is None or any(name == d or name.endswith("." + d) for d in domains):
            out.append(name)
    return out


def _permitted_ips(ca_cert: x509.Certificate, ips: Iterable[str]) -> list:
    constraints = _constraints(ca_cert)
    networks = [n.value for n in (constraints.permitted_subtrees or [])
                if isinstance(n, x509.IPAddress)] if constraints else []
    addresses = [ipaddress.ip_address(ip) for ip in ips]
    # No address subtree: every address is allowed.
    return [ip for ip in addresses if not networks or any(ip in net for net in networks)]


def _make_server(files: Certificates, ca_key, ca_cert: x509.Certificate, ips: list[str],
                 names: list[str], now: dt.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    allowed = _permitted_ips(ca_cert, ips)
    dns = _permitted_names(ca_cert, names)
    sans = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ip) for ip in allowed]
    common = dns[0] if dns else str(allowed[0])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=False, crl_sign=False,
            content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_cert.public_key()), critical=False)  # type: ignore[arg-type]
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(files.key, _key_pem(key))
    # The certificate alone, without the authority's: a tablet that trusts the kiosk holds
    # it already, and each TLS handshake (Chromium opens six at once) is 650 bytes lighter.
    _write(files.cert, cert.public_bytes(serialization.Encoding.PEM))


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a crash mid-write leaves the old file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_private(path: Path, data: bytes) -> None:
    """A private key, readable by the kiosk's own user only from the moment it exists."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
