"""A USB receipt printer found by itself: the printer devices the kernel made
(/dev/usb/lp*) and the USB devices of the makers python-escpos has profiles for, read from
sysfs (no root needed). The printer page offers them, with a test ticket; no URL to type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.extensions import db
from kiosk.models.settings import Setting

# USB vendor ids of the makers in python-escpos's printer profiles (escpos/capabilities.json:
# Epson, Citizen, Star Micronics, Seiko, Rongta, Zjiang/Netum/generic 58 mm…), and the
# profile to suggest; any device with a USB printer interface (class 07) counts as well.
KNOWN_VENDORS: dict[str, tuple[str, str]] = {
    "04b8": ("Epson", "TM-T20II"),
    "1d90": ("Citizen", "CT-S651"),
    "2730": ("Citizen", "CT-S651"),
    "0519": ("Star Micronics", "TSP600"),
    "0619": ("Seiko", "default"),
    "0fe6": ("Rongta / générique", "default"),
    "0416": ("Zjiang / générique (POS-5890…)", "POS-5890"),
    "0483": ("générique (Xprinter…)", "default"),
    "1fc9": ("générique (Xprinter…)", "default"),
    "28e9": ("générique (GD32)", "default"),
    "0dd4": ("Custom", "default"),
    "0aa7": ("Wincor Nixdorf", "default"),
    "1504": ("Bixolon", "default"),
    "154f": ("SNBC", "default"),
}
PRINTER_CLASS = "07"


@dataclass(frozen=True)
class FoundPrinter:
    url: str  # what KIOSK_PRINTER would say: file:///dev/usb/lp0 or usb://04b8:0202
    name: str  # the maker and model as the device names itself
    profile: str  # the python-escpos profile to suggest


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def find_printers(root: Path | str = "/") -> list[FoundPrinter]:
    """The receipt printers plugged in, best first: those the kernel gave a /dev/usb/lpN
    (written to as a file, no driver needed), then the others by their USB ids.
    `root` is "/" on the box; tests give a folder made like /sys and /dev."""
    root = Path(root)
    found: dict[str, FoundPrinter] = {}
    devices = root / "sys" / "bus" / "usb" / "devices"
    for device in sorted(devices.glob("*")) if devices.is_dir() else []:
        vendor = _read(device / "idVendor").lower()
        product = _read(device / "idProduct").lower()
        if not vendor or not product:
            continue  # an interface (1-1:1.0), a hub's port, not a device
        interfaces = sorted(devices.glob(device.name + ":*"))
        is_printer = any(_read(i / "bInterfaceClass") == PRINTER_CLASS for i in interfaces)
        if not is_printer and vendor not in KNOWN_VENDORS:
            continue
        maker, profile = KNOWN_VENDORS.get(vendor, ("", "default"))
        name = " ".join(filter(None, [_read(device / "manufacturer") or maker,
                                      _read(device / "product")])) or f"USB {vendor}:{product}"
        lp = [p.name for i in interfaces for p in sorted((i / "usbmisc").glob("lp*"))]
        url = _lp_url(root, lp[0]) if lp else f"usb://{vendor}:{product}"
        found[url] = FoundPrinter(url, f"{name} ({vendor}:{product})", profile)
    for lp in sorted((root / "dev" / "usb").glob("lp*")):
        url = _lp_url(root, lp.name)
        found.setdefault(url, FoundPrinter(url, f"/dev/usb/{lp.name}", "default"))
    return sorted(found.values(), key=lambda p: (not p.url.startswith("file:"), p.url))


def _lp_url(root: Path, name: str) -> str:
    """file:///dev/usb/lp0 (under `root` when it is not /: a test's folder)."""
    return f"file://{(root / 'dev' / 'usb' / name).resolve()}"


# --- the one the admin chose on the printer page ------------------------------------------

CHOSEN = "printer_url"  # the Setting row: "URL PROFILE"


def chosen_printer(app) -> tuple[str, str] | None:
    """The printer chosen on the printer page (used when KIOSK_PRINTER is none), read once
    per process on a connection of its own (never inside a caller's transaction)."""
    cache = app.extensions.setdefault("kiosk_chosen_printer", {})
    if "value" not in cache:
        from sqlalchemy import select
        from sqlalchemy.exc import SQLAlchemyError


        try:
            with app.app_context(), db.engine.connect() as conn:
                value = conn.scalar(select(Setting.value).where(Setting.key == CHOSEN))
        except SQLAlchemyError:
            return None  # no schema yet: ask again next time
        cache["value"] = value
    value = cache["value"]
    if not value:
        return None
    url, _, profile = value.partition(" ")
    return url, profile or "default"


def choose_printer(session, app, found: FoundPrinter) -> None:
    """Records the admin's choice (the caller commits), and uses it from now on."""

    value = f"{found.url} {found.profile}"
    row = session.get(Setting, CHOSEN)
    if row is None:
        session.add(Setting(key=CHOSEN, value=value))
    else:
        row.value = value
    app.extensions.setdefault("kiosk_chosen_printer", {})["value"] = value
