"""The floor of bench/bench_board.py: the least a Flask + Flask-SQLAlchemy app costs.

`python bench/board_floor.py start`: build a bare app and answer one query (cold start);
`serve`: serve it with waitress on KIOSK_PORT (same threads as the kiosk), with a route
that does one INSERT and one COMMIT; `kiosk`: serve the kiosk itself, as kiosk.serve does,
with that same route mounted, so that a sale and its floor cross the same server.
"""

from __future__ import annotations

import os
import sys
import uuid

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

THREADS = 8  # kiosk.serve's


def floor_route(app: Flask, db):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY "
                          "AUTOINCREMENT, payload VARCHAR(64) NOT NULL)"))

    def floor():  # the least a write can cost here: one INSERT, one COMMIT
        db.session.execute(text("INSERT INTO bench_floor (payload) VALUES (:p)"),
                           {"p": uuid.uuid4().hex})
        db.session.commit()
        return {"ok": True}

    app.add_url_rule("/bench/floor", "bench_floor", floor, methods=["POST"])
    return floor


def bare() -> tuple[Flask, SQLAlchemy]:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["KIOSK_DATABASE_URL"]
    db = SQLAlchemy(app)

    @app.get("/login")
    def login():
        return {"one": db.session.execute(text("SELECT 1")).scalar()}

    return app, db


def main(what: str) -> None:
    from waitress import serve

    host, port = "127.0.0.1", int(os.environ.get("KIOSK_PORT", "5000"))
    if what == "start":
        app, _db = bare()
        assert app.test_client().get("/login").status_code == 200
    elif what == "serve":
        app, db = bare()
        floor_route(app, db)
        serve(app, host=host, port=port, threads=THREADS, ident="floor")
    elif what == "kiosk":
        from kiosk import create_app
        from kiosk.extensions import csrf, db

        app = create_app()
        csrf.exempt(floor_route(app, db))
        serve(app, host=host, port=port, threads=THREADS, ident="kiosk")


if __name__ == "__main__":
    main(sys.argv[1])
