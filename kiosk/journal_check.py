"""`python -m kiosk.journal_check`: the journal page's whole check, in a process of its own
(kiosk/services/journal_checks.py starts it and reads its progress). An entry point, like
`kiosk.serve`: it builds an app of its own."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime

from kiosk import create_app
from kiosk.extensions import db
from kiosk.services import journal
from kiosk.services.journal_checks import rows_estimate


def main() -> None:
    """Settings as JSON on stdin: the whole check in one read transaction, its progress
    then its verdict on stdout."""
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
        verdict = journal.verify(db.session, progress=say)
        db.session.rollback()
    say("verdict", json.dumps(asdict(verdict)))


if __name__ == "__main__":
    main()
