"""Flask extensions, created unbound here and bound to an app in create_app()."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


class LazyMigrate:
    """Flask-Migrate, imported only when a migration runs: it imports Alembic (and Mako),
    a good part of a second on a small board, which a server answering pages or a CLI
    command such as `backup` never needs. Bound like Flask-Migrate (`init_app`); the first
    use of `app.extensions["migrate"]` (flask_migrate.upgrade() and the others, Alembic's
    env.py) or of `flask db` builds the real Flask-Migrate in its place."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        def real() -> Any:
            from flask_migrate import Migrate

            if isinstance(app.extensions.get("migrate"), _PendingMigrate):
                Migrate(**self.kwargs).init_app(app, db, directory=directory)
            return app.extensions["migrate"]

        app.extensions["migrate"] = _PendingMigrate(real)
        app.cli.add_command(_LazyCommand("db", real))


class _PendingMigrate:
    """Flask-Migrate's `_MigrateConfig` until something asks for one of its attributes."""

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real(), name)


class _LazyCommand(click.Command):
    """`flask db …`: Flask-Migrate's command group, imported when it is called."""

    def __init__(self, name: str, real) -> None:
        super().__init__(name, help="Perform database migrations (Flask-Migrate).")
        self._real = real

    def _group(self) -> click.Command:
        self._real()
        from flask_migrate.cli import db as group

        return group

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._group().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        return self._group().invoke(ctx)


migrate = LazyMigrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
