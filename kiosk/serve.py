"""`make run`: bring the schema up to date, load the demo on first start, and serve.

Serves with waitress (a production WSGI server, pure Python, fine on a Raspberry Pi),
on KIOSK_HOST:KIOSK_PORT (127.0.0.1:5000 by default; 0.0.0.0 to reach it from the
tablet over the stall's Wi-Fi).
"""

from __future__ import annotations

import argparse
import os

from sqlalchemy import inspect


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Fées déclic kiosk.")
    parser.add_argument("--demo-on-first-start", action="store_true",
                        help="load the demo catalogue and users if the database is new")
    args = parser.parse_args(argv)

    from waitress import serve

    from kiosk import create_app
    from kiosk.cli import upgrade_schema
    from kiosk.database import write_transaction
    from kiosk.extensions import db

    app = create_app()
    with app.app_context():
        is_new = not inspect(db.engine).has_table("alembic_version")
        upgrade_schema()
        if args.demo_on_first_start and is_new:
            from kiosk.demo.seed import seed_demo

            with write_transaction(db.session):
                seed_demo(db.session)
            print("Première mise en route : démo chargée (Admin 1234, Tresoriere 2345, "
                  "Vendeuse 3456).")
    host = os.environ.get("KIOSK_HOST", "127.0.0.1")
    port = int(os.environ.get("KIOSK_PORT", "5000"))
    from kiosk.documents.queue import start_print_worker

    start_print_worker(app)  # retries queued receipts while the server runs
    print(f"Caisse Fées déclic : http://{host}:{port}/")
    serve(app, host=host, port=port, threads=8, ident="kiosk")


if __name__ == "__main__":
    main()
