"""Configuration: defaults, then KIOSK_* environment variables, then the caller's dict."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from kiosk.mdns import mdns_name
from kiosk.private import private_folder

DEFAULTS: dict[str, Any] = {
    "PRINTER": "none",
    "LABEL_PRINTER": None,  # None: same as PRINTER
    "PRINTER_PROFILE": "default",
    "PAPER_WIDTH": 80,
    "PRINTER_CODEPAGE": "CP858",
    "PRINTER_TIMEOUT": 3.0,  # seconds a sale may wait for the printer
    "PUBLIC_URL": None,
    # `make run` serves HTTPS with the kiosk's own certificate authority (kiosk/tls.py):
    # "auto" off a loopback KIOSK_HOST (the tablet's Wi-Fi), plain HTTP on one; 1/0 force.
    "TLS": "auto",
    # The name `make run` announces on the stall's network by mDNS (kiosk/mdns.py), as
    # NAME.local, and its certificate covers; "none" or empty: not announced.
    "MDNS_NAME": "caisse",
    "TOKEN_DAYS": 365,
    "REPORT_LOW_STOCK": 3,  # reports: a product with this many or fewer left is to sew again
    "BANNER_GRAMS_PER_M2": 500,  # impact report: what a m² of banner weighs (PVC: 400-600 g)
    # Paheko export: each hour at a stall valued at this many cents in 864/875; 0 = left out
    "PAHEKO_VOLUNTEER_HOUR_CENTS": 0,
    "SESSION_HOURS": 16,  # a login on a browser lasts a stall day, a day at most
    "LOCKOUT_ATTEMPTS": 5,
    "LOCKOUT_MINUTES": 5,
    # One address that got this many different names wrong (no right PIN between) waits
    # LOGIN_SLOW_SECONDS between attempts: a stranger walking down the login list.
    "LOGIN_SLOW_AFTER_NAMES": 3,
    "LOGIN_SLOW_SECONDS": 30,
    "IDLE_LOCK_MINUTES": 3,  # the sale screen locks after this long untouched; 0: never
    # scrypt's N for new PIN hashes (werkzeug's default); each hash records its own cost,
    # so changing this never locks out a PIN hashed before. Tests set it low.
    "PIN_HASH_COST": 32768,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a stall day is long; the session cookie bounds it
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # The server's clock (kiosk/services/clock.py): seconds added to it (tests move it so),
    # and how the kiosk may set it from the tablet's: "none" (it shows the command to
    # run), "system" (it sets the system clock: needs CAP_SYS_TIME), "offset" (it moves
    # CLOCK_OFFSET_SECONDS, for tests and demonstrations).
    "CLOCK_OFFSET_SECONDS": 0,
    "CLOCK_SET": "none",
    # A folder (a USB stick's mount point): a live copy of the SQLite database kept there by
    # Litestream (kiosk/services/replica.py), and a dated copy after each closing, of which
    # the newest REPLICA_COPIES are kept.
    "REPLICA": None,
    "REPLICA_COPIES": 14,
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("KIOSK")
    if overrides:
        app.config.from_mapping(overrides)

    instance = private_folder(app.instance_path)  # 0700: the database and the keys
    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'kiosk.sqlite3'}"
    app.config["DATABASE_URL"] = url
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        # SQLite connections may be shared across the server's threads one at a time.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}
    if not app.config.get("LABEL_PRINTER"):
        app.config["LABEL_PRINTER"] = app.config["PRINTER"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if not app.config.get("JOURNAL_KEY"):
        # Seals every journal entry (ledger/journal.py): kept apart from the database,
        # so whoever rewrites the database cannot reseal what they rewrote.
        key_file = instance / "journal_key"
        app.config["JOURNAL_KEY"] = _instance_secret(key_file)
        # Entries older than the key were written before the kiosk sealed them (an
        # upgraded installation); any later entry without a seal was stripped of it.
        app.config.setdefault("JOURNAL_SEALED_SINCE", datetime.fromtimestamp(
            key_file.stat().st_mtime, UTC))
    if int(app.config["PAPER_WIDTH"]) not in (58, 80):
        raise ValueError("KIOSK_PAPER_WIDTH must be 58 or 80")
    idle = app.config["IDLE_LOCK_MINUTES"]
    # a number of minutes, fractions included (tests lock after seconds); 0 never locks
    if isinstance(idle, bool) or not isinstance(idle, int | float) or not 0 <= idle <= 24 * 60:
        raise ValueError("KIOSK_IDLE_LOCK_MINUTES must be a number of minutes, 0 to 1440")
    app.config["TLS"] = _tls_setting(app.config["TLS"])

    app.config["MDNS_NAME"] = mdns_name(app.config["MDNS_NAME"])
    if app.config["CLOCK_SET"] not in ("none", "system", "offset"):
        raise ValueError("KIOSK_CLOCK_SET must be none, system or offset")
    copies = app.config["REPLICA_COPIES"]
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 3650:
        raise ValueError("KIOSK_REPLICA_COPIES must be a number of copies, 1 to 3650")
    cost = app.config["PIN_HASH_COST"]
    # scrypt wants a power of two; below 128, werkzeug's memory bound refuses it.
    if not isinstance(cost, int) or cost < 128 or cost & (cost - 1):
        raise ValueError("KIOSK_PIN_HASH_COST must be a power of two, 128 or more")


def _tls_setting(value: Any) -> str | bool:
    """KIOSK_TLS as "auto", True or False (the environment gives 1, 0, true, "auto"…)."""
    if isinstance(value, str):
        value = value.strip().lower()
        if value in ("auto", ""):
            return "auto"
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
    elif value in (True, False, 1, 0) and not isinstance(value, float):
        return bool(value)
    raise ValueError("KIOSK_TLS must be auto, 1 or 0")


def _instance_secret(path: Path) -> str:
    """Generated once per installation, never a constant in the code; readable by the
    kiosk's own user only from the moment it exists (0600)."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: read theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()
