"""`python -m kiosk.journal_check`: the journal's whole check for the /journal page, in a
process of its own (kiosk/ledger/journal_checks.py starts it and reads it). The server's
settings (database, journal key, when sealing began, instance folder) come as JSON on
stdin; the check runs in one read transaction, its maps on disk (flat memory), and says
its progress (`entries N`, `rows N`, `rows_estimate N`) then its verdict (`verdict JSON`)
on stdout, a line each. Like kiosk/serve.py, nothing in the kiosk imports it."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime

from kiosk import create_app
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.ledger.disk_map import DiskMap
from kiosk.ledger.journal_checks import rows_estimate


def main() -> None:
    settings = json.loads(sys.stdin.read())
    app = create_app({"DATABASE_URL": settings["database_url"],
                      "JOURNAL_KEY": settings["journal_key"], "PRINTER": "none",
                      "LABEL_PRINTER": "none"}, settings["instance_path"])
    since = settings.get("sealed_since")
    app.config["JOURNAL_SEALED_SINCE"] = datetime.fromisoformat(since) if since else None

    def say(kind: str, value: object) -> None:
        print(kind, value, flush=True)

    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # one snapshot for the whole check
            db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        say("rows_estimate", rows_estimate(db.session))
        verdict = journal.verify(db.session, progress=say, mapping=DiskMap)
        db.session.rollback()
    say("verdict", json.dumps(asdict(verdict)))


if __name__ == "__main__":
    main()
