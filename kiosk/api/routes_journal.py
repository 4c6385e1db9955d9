"""The journal's head and its verification."""

from __future__ import annotations

from flask import jsonify

from kiosk.api.endpoint import endpoint
from kiosk.extensions import db
from kiosk.ledger import journal, journal_checks
from kiosk.models.people import Role


@endpoint("/journal/head", summary="The chain's length and last hash")
def journal_head():
    entries, digest = journal.head(db.session)
    return jsonify({"entries": entries, "hash": digest})


@endpoint("/journal/verify", summary="Re-check the whole chain and the stock ledger",
          role=Role.TREASURER)
def journal_verify():
    verdict = journal_checks.check_now(db.session)  # the whole check; the page's last too
    return jsonify({"ok": verdict.ok, "entries": verdict.entries, "hash": verdict.head_hash,
                    "problems": verdict.problems})
