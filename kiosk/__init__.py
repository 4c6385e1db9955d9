"""Fées déclic kiosk: a touch point-of-sale and stock app for a charity sewing group."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from kiosk import paths
from kiosk.config import load_config
from kiosk.extensions import babel, csrf, db, login_manager, migrate
from kiosk.vocabulary import MAX_ID

SUPPORTED_LANGUAGES = ("fr", "en")
# Pages a customer's phone opens from a label's QR code: they follow the phone's language
# (a visitor at the museum may not read French); the kiosk's own pages stay French unless
# the volunteer chooses otherwise.
VISITOR_ENDPOINTS = frozenset({"stock.public_product"})


def _clone_instance() -> str | None:
    """A wheel installed into a clone's .venv (`update FILE.whl` on a box made with `make
    run`) keeps the clone's instance/ folder, where Flask would look in .venv/var/."""
    import sys
    from pathlib import Path

    if (Path(__file__).resolve().parent.parent / "pyproject.toml").exists():
        return None  # running from the clone itself: Flask's default is its instance/
    clone = Path(sys.prefix).resolve().parent
    if (clone / "pyproject.toml").exists() and (clone / "instance").is_dir():
        return str(clone / "instance")
    return None


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the kiosk. `config` overrides the KIOSK_* environment (tests use it).

    The instance folder (database, keys, certificates) is `instance_path`, else
    KIOSK_INSTANCE, else Flask's default (`instance/` beside the code of a clone): the
    service and `update` pin it, so a wheel installed over a clone finds the same data."""
    import os

    instance_path = instance_path or os.environ.get("KIOSK_INSTANCE") or _clone_instance()
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(paths.templates_dir()),
        static_folder=str(paths.static_dir()),
    )
    # Every <int:…> in a path is an id the databases can hold: a larger one is a 404, not
    # an OverflowError (SQLite, 2^63) or "integer out of range" (PostgreSQL, 2^31).
    app.url_map.converters["int"] = BoundedIdConverter
    load_config(app, config)

    db.init_app(app)
    with app.app_context():
        from kiosk.database import configure_engine

        configure_engine(db.engine)
        from kiosk.services import replica

        replica.init_app(app, db.engine)  # KIOSK_REPLICA: Litestream makes the checkpoints
    migrate.init_app(app, db, directory=str(paths.MIGRATIONS_DIR))
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(paths.TRANSLATIONS_DIR),
    )
    csrf.init_app(app)
    login_manager.init_app(app)

    from kiosk import models  # noqa: F401  (registers the tables)
    from kiosk.admin import bp as admin_bp
    from kiosk.api import bp as api_bp
    from kiosk.auth import bp as auth_bp
    from kiosk.cash import bp as cash_bp
    from kiosk.common.assets import init_assets
    from kiosk.common.errors import init_errors
    from kiosk.common.input import init_input
    from kiosk.common.login import init_login
    from kiosk.common.pages import init_pages
    from kiosk.envelopes import bp as envelopes_bp
    from kiosk.main import bp as main_bp
    from kiosk.meeting import bp as meeting_bp
    from kiosk.partner_orders import bp as partner_orders_bp
    from kiosk.reports import bp as reports_bp
    from kiosk.sell import bp as sell_bp
    from kiosk.start import bp as start_bp
    from kiosk.stock import bp as stock_bp
    from kiosk.tablet import bp as tablet_bp

    init_login(login_manager)
    init_pages(app)
    init_assets(app)
    init_input(app)
    init_errors(app)
    from kiosk.ledger import journal

    journal.init_app(app)  # a row written behind the app's back: a 409 naming it, not a 500
    csrf.exempt(api_bp)  # the API checks CSRF itself when called with the session cookie
    # Every blueprint of the kiosk, here and nowhere else.
    for blueprint in (auth_bp, api_bp, main_bp, sell_bp, stock_bp, cash_bp, envelopes_bp,
                      reports_bp, partner_orders_bp, meeting_bp, admin_bp, tablet_bp, start_bp):
        app.register_blueprint(blueprint)

    from kiosk.cli import register_cli

    register_cli(app)

    from kiosk import documents

    documents.init_app(app)  # every printed document; a malformed KIOSK_PRINTER fails here
    return app


class BoundedIdConverter(IntegerConverter):
    """`int` in a route: 0 to 2^31 - 1 (PostgreSQL's integer), else no such page."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in SUPPORTED_LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in SUPPORTED_LANGUAGES:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language:
        return current_user.language
    if request.endpoint in VISITOR_ENDPOINTS:
        return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "fr"
    return "fr"


__all__ = ["create_app", "db"]
