"""The kiosk's name on the stall's network: `caisse.local`, announced by mDNS (python-zeroconf),
so the tablet's bookmark and its trust in the certificate survive a new address.

The kiosk answers the tablet's "who is caisse.local?" on every interface, and announces a
service (`_https._tcp` or `_http._tcp`) that a network browser lists. When the machine's
addresses change (the box moved to another Wi-Fi, the router handed out a new lease) the
announcement follows within a minute.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from kiosk import tls

LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
CHECK_SECONDS = 30.0


def mdns_name(setting: Any) -> str | None:
    """KIOSK_MDNS_NAME as one DNS label (`caisse`), or None: `none` or empty turns it off."""
    if setting is None or setting is False:
        return None
    name = str(setting).strip().lower()
    if name.endswith(".local"):
        name = name[: -len(".local")]
    if name in ("", "none", "0", "false", "off"):
        return None
    if not LABEL.fullmatch(name):
        raise ValueError("KIOSK_MDNS_NAME must be one name made of letters a-z, digits and "
                         "hyphens (caisse), or none")
    return name


class Announcement:
    """`NAME.local` and its service, announced until `close()`."""

    def __init__(self, name: str, port: int, https: bool, addresses: list[str],
                 interfaces: list[str] | None = None, follow=None) -> None:
        self.name, self.port, self.https = name, port, https
        self.interfaces = interfaces
        self.follow = follow  # () -> addresses now: followed while announcing (None: fixed)
        self._stop = threading.Event()
        self._zeroconf = None
        self._info = None
        self._start(addresses)
        if follow is not None:
            threading.Thread(target=self._follow, name="mdns", daemon=True).start()

    @property
    def host(self) -> str:
        return f"{self.name}.local"

    @property
    def service_type(self) -> str:
        return "_https._tcp.local." if self.https else "_http._tcp.local."

    def _start(self, addresses: list[str]) -> None:
        from zeroconf import InterfaceChoice, IPVersion, ServiceInfo, Zeroconf

        self.addresses = list(addresses)
        self._info = ServiceInfo(
            self.service_type, f"Caisse Fées déclic ({self.name}).{self.service_type}",
            server=f"{self.host}.", parsed_addresses=self.addresses, port=self.port,
            properties={"path": "/"})
        self._zeroconf = Zeroconf(
            interfaces=self.interfaces or InterfaceChoice.All, ip_version=IPVersion.All
            if any(":" in a for a in self.addresses) else IPVersion.V4Only)
        self._zeroconf.register_service(self._info, allow_name_change=True)

    def _stop_announcing(self) -> None:
        if self._zeroconf is not None:
            try:
                self._zeroconf.unregister_service(self._info)
            finally:
                self._zeroconf.close()
            self._zeroconf = None

    def _follow(self) -> None:
        while not self._stop.wait(CHECK_SECONDS):
            try:
                self._follow_once()
            except Exception:  # the network is changing: next time
                continue

    def _follow_once(self) -> None:
        now = self.follow()
        if now and sorted(now) != sorted(self.addresses):
            # New addresses (another Wi-Fi): new sockets on the new interfaces too.
            self._stop_announcing()
            self._start(now)

    def close(self) -> None:
        self._stop.set()
        self._stop_announcing()


def announce(name: str | None, port: int, https: bool, host: str) -> Announcement | None:
    """What `make run` announces: the addresses it listens on (all the machine's LAN
    addresses for 0.0.0.0), followed as they change. None when the name is off, or when
    the kiosk listens on the loopback (no tablet could reach it)."""

    if name is None or tls.is_loopback_host(host):
        return None

    def addresses() -> list[str]:
        if host not in ("0.0.0.0", "", "::"):
            return [host]
        return tls.lan_addresses() or ["127.0.0.1"]

    try:
        return Announcement(name, port, https, addresses(), follow=addresses)
    except Exception as exc:  # no multicast here, a name taken…: the kiosk serves anyway
        print(f"Nom {name}.local non annoncé sur le réseau ({exc}) : la tablette ouvrira "
              f"la caisse par son adresse.", flush=True)
        return None
