"""Where templates/, static/ and the translations live, in a checkout or an installed wheel."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(name: str) -> Path:
    # Installed wheel: kiosk/templates (force-included); checkout: the repository's top.
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name}/ folder next to {PACKAGE_DIR}")


def templates_dir() -> Path:
    return _first_existing("templates")


def static_dir() -> Path:
    return _first_existing("static")


TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
