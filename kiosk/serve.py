"""`make run`: bring the schema up to date and serve (a new database asks how to start).

Serves with waitress (a production WSGI server, pure Python, fine on a Raspberry Pi),
on KIOSK_HOST:KIOSK_PORT (127.0.0.1:5000 by default; 0.0.0.0 to reach it from the
tablet over the stall's Wi-Fi).
"""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Fées déclic kiosk.")
    # Kept for old scripts: a new database no longer loads the demo by itself; its first
    # page asks "Essayer avec la démo" or "Commencer pour de vrai" (kiosk/start).
    parser.add_argument("--demo-on-first-start", action="store_true", help=argparse.SUPPRESS)
    parser.parse_args(argv)

    from waitress import serve

    from kiosk import create_app
    from kiosk.cli import upgrade_schema
    from kiosk.extensions import db

    app = create_app()
    with app.app_context():
        upgrade_schema()
        from kiosk.services.setup import is_new

        if is_new(db.session):
            print("Première mise en route : ouvrez la caisse dans le navigateur et choisissez "
                  "« Essayer avec la démo » ou « Commencer pour de vrai ».")
        db.session.remove()
    host = os.environ.get("KIOSK_HOST", "127.0.0.1")
    port = int(os.environ.get("KIOSK_PORT", "5000"))
    from kiosk.documents.queue import start_print_worker

    start_print_worker(app)  # retries queued receipts while the server runs
    print(f"Caisse Fées déclic : http://{host}:{port}/")
    serve(app, host=host, port=port, threads=8, ident="kiosk")


if __name__ == "__main__":
    main()
