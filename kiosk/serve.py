"""`make run`: bring the schema up to date and serve (a new database asks how to start).

Serves with waitress (a production WSGI server, pure Python, fine on a Raspberry Pi),
on KIOSK_HOST:KIOSK_PORT (127.0.0.1:5000 by default; 0.0.0.0 to reach it from the
tablet over the stall's Wi-Fi).

Off the loopback (KIOSK_TLS=auto, the default, and KIOSK_HOST=0.0.0.0 at the stall), or
with KIOSK_TLS=1, it serves HTTPS instead, with cheroot (CherryPy's WSGI server, pure Python
too, with TLS built in through the standard ssl module; waitress has none) and a
certificate from the kiosk's own authority (kiosk/tls.py).
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cheroot.wsgi import Server

    from kiosk.tls import Certificates

THREADS = 8
# glibc's mallopt(M_ARENA_MAX, …) (malloc.h): how many malloc arenas the process may have.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2  # the main thread's, and one the server's threads share


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """glibc gives each thread that allocates an arena of its own (up to eight per core),
    where what the thread freed stays: after 200 sales the 8 threads of the server held
    about 1.7 MB more than with one shared arena (issue 29; MALLOC_ARENA_MAX does the same,
    but nobody sets it on a box). Python allocates under its interpreter lock, so the
    threads seldom wait on the shared arena (SQLite's allocations, outside the lock, are
    few); the sale's latency did not change. False where the C library has no mallopt
    (macOS) or refuses it."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process' own C library
    except (AttributeError, OSError):
        return False
    return mallopt(M_ARENA_MAX, arenas) == 1


def main(argv: list[str] | None = None) -> None:
    cap_malloc_arenas()  # before any thread of the server allocates
    arguments = sys.argv[1:] if argv is None else argv
    if arguments:  # argparse (0.35 MB of a server's memory) only when there is one to read
        import argparse

        parser = argparse.ArgumentParser(description="Serve the Fées déclic kiosk.")
        # Kept for old scripts: a new database no longer loads the demo by itself; its
        # first page asks "Essayer avec la démo" or "Commencer pour de vrai" (kiosk/start).
        parser.add_argument("--demo-on-first-start", action="store_true",
                            help=argparse.SUPPRESS)
        parser.parse_args(arguments)

    from kiosk import create_app, schema
    from kiosk.cli import upgrade_schema
    from kiosk.extensions import db

    app = create_app()
    with app.app_context():
        if not schema.is_current(db.engine):  # Alembic only when there is work for it
            upgrade_schema()
        from kiosk.services.setup import is_new

        if is_new(db.session):
            print("Première mise en route : ouvrez la caisse dans le navigateur et choisissez "
                  "« Essayer avec la démo » ou « Commencer pour de vrai ».")
        db.session.remove()
    host = os.environ.get("KIOSK_HOST", "127.0.0.1")
    port = int(os.environ.get("KIOSK_PORT", "5000"))
    from kiosk import tls
    from kiosk.documents.queue import start_print_worker

    start_print_worker(app)  # retries queued receipts while the server runs
    from kiosk import api, documents
    from kiosk.services import replica

    documents.warm(app)  # the receipt printer's code, imported off the first sale's path
    api.warm()  # the sale screen's request bodies (the others are built when first used)

    replica.start(app)  # KIOSK_REPLICA: Litestream's live copy, watched while the server runs
    from kiosk import mdns

    name = app.config["MDNS_NAME"]  # caisse: announced as caisse.local
    if not tls.serves_https(app.config["TLS"], host):
        from waitress import create_server

        plain = create_server(app, host=host, port=port, threads=THREADS, ident="kiosk")
        port = plain.effective_port  # KIOSK_PORT=0: the port the system chose
        announcement = mdns.announce(name, port, False, host)
        if announcement is not None:
            print(f"Caisse Fées déclic : http://{announcement.host}:{port}/")
        print(f"Caisse Fées déclic : http://{host}:{port}/", flush=True)
        try:
            plain.run()
        finally:
            if announcement is not None:
                announcement.close()
        return
    names = [f"{name}.local"] if name else []
    certificates = tls.ensure_certificates(app.instance_path, _addresses(host),
                                           [*names, *tls.machine_names()])
    app.config["SESSION_COOKIE_SECURE"] = True  # the cookie never travels in clear
    addresses = (tls.lan_addresses() if host in ("0.0.0.0", "") else [host]) or [host]
    own = names[0] if names else next((a for a in addresses if _vouched(a)), None)
    server = tls_server(app, host, port, certificates, own_host=own)
    server.prepare()  # bound now: KIOSK_PORT=0 gets its port here
    port = server.bind_addr[1]
    announcement = mdns.announce(name, port, True, host)
    shown = [announcement.host] if announcement is not None else []
    for address in [*shown, *addresses]:
        print(f"Caisse Fées déclic : https://{address}:{port}/")
    print(f"Certificat de la caisse, à installer une fois sur chaque tablette (Réglages → "
          f"Tablette et HTTPS) : https://{addresses[0]}:{port}/ca.pem, empreinte SHA-256 "
          f"{tls.fingerprint(certificates.ca.read_bytes())}", flush=True)
    try:
        server.serve()
    finally:
        server.stop()
        if announcement is not None:
            announcement.close()


def _vouched(address: str) -> bool:
    from kiosk import tls

    try:
        return tls.is_local_address(address)
    except ValueError:
        return False  # a name, not an address


def _addresses(host: str) -> list[str]:
    from kiosk import tls

    addresses = tls.machine_addresses()
    return addresses if host in ("0.0.0.0", "") else sorted({*addresses, host})


def tls_server(app, host: str, port: int, certificates: Certificates,
               own_host: str | None = None) -> Server:
    """cheroot serving `app` over TLS with the kiosk's certificate (tests use it too).

    A plain-HTTP request is redirected to https at one of the kiosk's own names (those its
    certificate covers); `own_host` (default: the certificate's first name) is where a
    request naming any other host is sent."""
    from cheroot.wsgi import Server

    server = Server((host, port), app, numthreads=THREADS, server_name="kiosk")
    adapter = _redirecting_adapter()(str(certificates.cert), str(certificates.key))
    adapter.own_hosts, first = _certificate_hosts(certificates)
    adapter.own_host = own_host or first
    server.ssl_adapter = adapter
    return server


def _certificate_hosts(certificates: Certificates) -> tuple[frozenset[str], str]:
    """The names and addresses the server's certificate covers, and its first name."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificates(certificates.cert.read_bytes())[0]
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = [n.lower() for n in sans.get_values_for_type(x509.DNSName)]
    ips = [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]
    return frozenset(names + ips), (names + ips)[0]


PLAIN_REQUEST = re.compile(rb"^(?:GET|HEAD) (/[\x21-\x7e]*) HTTP/1\.[01]\r?\n")
HOST_HEADER = re.compile(
    rb"\r?\nHost: *([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})? *\r?\n",
    re.IGNORECASE)


def _redirecting_adapter():
    """cheroot's TLS adapter, but a browser that still opens http://… (a bookmark, the
    home screen's icon made before HTTPS) is sent to the same page in https://, where
    cheroot alone would answer an English "400 Bad Request"."""
    import socket

    from cheroot import errors
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    class RedirectingSSLAdapter(BuiltinSSLAdapter):
        own_hosts: frozenset[str] = frozenset()
        own_host = "localhost"

        def wrap(self, sock):
            try:
                first = sock.recv(1, socket.MSG_PEEK)
            except OSError as exc:
                raise errors.FatalSSLAlert(*exc.args) from exc
            if first and first != b"\x16":  # not a TLS handshake record: plain HTTP
                where = _redirect_to_https(sock, self.own_hosts, self.own_host)
                raise errors.FatalSSLAlert(f"plain HTTP, sent to {where}")
            return super().wrap(sock)

    return RedirectingSSLAdapter


def _redirect_to_https(sock, own_hosts: frozenset[str], own_host: str) -> str:
    """Reads a plain HTTP request's head and answers 301 to the same place in https, at
    the kiosk's own name: the request's Host only when it is one of the kiosk's names
    (the one the tablet knows it by), never another (`Host: evil.example` would make the
    kiosk send the tablet elsewhere); and on the port the request came in on."""
    head = b""
    try:
        port = sock.getsockname()[1]
        while b"\r\n\r\n" not in head and b"\n\n" not in head and len(head) < 8192:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        request, host = PLAIN_REQUEST.match(head), HOST_HEADER.search(head)
        if request:
            asked = host.group(1).decode().lower().strip("[]") if host else ""
            name = asked if asked in own_hosts else own_host
            if ":" in name:
                name = f"[{name}]"  # an IPv6 address
            location = f"https://{name}:{port}{request.group(1).decode()}"
            sock.sendall(b"HTTP/1.1 301 Moved Permanently\r\nLocation: " + location.encode()
                         + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return location
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
        return "nowhere (not a GET)"
    except OSError:
        return "nowhere (the connection dropped)"
    finally:
        sock.close()


if __name__ == "__main__":
    main()
