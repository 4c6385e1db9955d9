"""The floor of bench/bench_board.py: the least a Flask + Flask-SQLAlchemy app costs.

`python bench/board_floor.py start`: build a bare app and answer one query (cold start);
`serve`: serve it with waitress on KIOSK_PORT (same threads as the kiosk), with a route
that does one INSERT and one COMMIT; `kiosk`: serve the kiosk itself, as kiosk.serve does,
with that same route mounted, so that a sale and its floor cross the same server;
`bound`: in the kiosk's own process (Flask's test client), the time a sale and the floor
spend inside SQLite itself (cProfile's count of sqlite3's C calls: statements, fetches,
commit with its fsync), printed as JSON: the part of a sale no Python can take away.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
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


def sqlite_seconds(profile: cProfile.Profile) -> float:
    """Time spent inside sqlite3's C functions (C calls carry no Python of their own)."""
    return sum(inside for (where, _line, name), (_calls, _n, inside, _cum, _by)
               in pstats.Stats(profile).stats.items()
               if where == "~" and "of 'sqlite3." in name)


def bound(rounds: int = 300) -> dict[str, float]:
    from bench.bench_board import _sale, drawer
    from kiosk import create_app
    from kiosk.extensions import csrf, db

    app = create_app()
    csrf.exempt(floor_route(app, db))
    client = app.test_client()

    def token(user: str, pin: str) -> dict[str, str]:
        answer = client.post("/api/v1/login", json={"user": user, "pin": pin})
        return {"Authorization": f"Bearer {answer.get_json()['token']}"}

    session_id = client.post("/api/v1/cash-sessions", headers=token("Tresoriere", "2345"),
                             json=drawer("ikea")).get_json()["id"]
    seller = token("Vendeuse", "3456")
    sales = iter(_sale(session_id, number) for number in range(2 * rounds + 30))

    def sale() -> None:
        answer = client.post("/api/v1/sales", headers=seller, json=next(sales))
        assert answer.status_code == 201, answer.get_data(as_text=True)

    def floor() -> None:
        assert client.post("/bench/floor", headers=seller).status_code == 200

    for _ in range(30):  # the caches warm, as in the HTTP run
        sale()
        floor()
    # alternated, as over HTTP: a checkpoint of the WAL falls in either's commits alike
    profiles = {"sale": cProfile.Profile(), "floor": cProfile.Profile()}
    for _ in range(rounds):
        for name, request in (("sale", sale), ("floor", floor)):
            profiles[name].enable()
            request()
            profiles[name].disable()
    return {f"{name}_sqlite_ms": sqlite_seconds(profile) / rounds * 1000
            for name, profile in profiles.items()}


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
    elif what == "bound":
        print(json.dumps(bound()))
    elif what == "kiosk":
        from kiosk import create_app
        from kiosk.extensions import csrf, db

        app = create_app()
        csrf.exempt(floor_route(app, db))
        serve(app, host=host, port=port, threads=THREADS, ident="kiosk")


if __name__ == "__main__":
    main(sys.argv[1])
