"""The journal anchored outside the database (issue 15, point 8): someone holding the
laptop who edits a sale and recomputes the whole chain, or cuts its last entries and moves
the head back, is caught by the seals (a key the database does not hold) and by the head
printed on the Z report."""

from __future__ import annotations

import json
import os
import stat

from sqlalchemy import select, text

from kiosk import create_app
from kiosk.documents import closing as closing_documents
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import JournalEntry, Sale
from kiosk.services.closing import closing_entry
from tests.closing_helpers import close_body, open_session, sales_day, sell


def verify(runner, *args: str):
    return runner.invoke(args=["verify-journal", *args])


def rehash_after_editing_a_sale(sale_id: int, total: int) -> None:
    """What an attacker with the database and the code (but not the key) can do: change
    a row, then recompute its digest, every entry hash after it and the head."""
    db.session.execute(text("UPDATE sales SET total_cents = :t WHERE id = :i"),
                       {"t": total, "i": sale_id})
    row = dict(db.session.execute(select(Sale.__table__).where(Sale.id == sale_id))
               .mappings().one())
    new_digest = journal.row_digest("sales", row)
    prev = None
    for entry in db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq)):
        rows = json.loads(entry.rows)
        for item in rows:
            if item[0] == "sales" and item[1] == sale_id:
                item[2] = new_digest
        entry.rows = journal._dumps(rows)
        if prev is not None:
            entry.prev_hash = prev
        entry.hash = journal.entry_hash(entry.prev_hash, entry.seq, entry.created_at,
                                        entry.event, entry.ref, entry.user_id, entry.rows)
        prev = entry.hash
    db.session.execute(text("UPDATE journal_head SET hash = :h"), {"h": prev})
    db.session.commit()


def test_a_rehashed_chain_is_caught_by_its_seals(client, runner, seller_headers):
    session_id = open_session(client, seller_headers)
    sold = sell(client, seller_headers, session_id, [{"sku": "SAC-VILLE", "qty": 1}],
                [{"method": "cash", "amount_cents": 2000}]).get_json()
    assert verify(runner).exit_code == 0
    rehash_after_editing_a_sale(sold["id"], 1)
    assert journal._stored_digest("sales", dict(db.session.execute(
        select(Sale.__table__).where(Sale.id == sold["id"])).mappings().one())) is not None
    result = verify(runner)
    assert result.exit_code == 1, result.output
    assert "sceau faux" in result.output
    assert "modifiée" not in result.output  # the digests themselves were made to agree


def test_cut_entries_are_caught_by_the_head_printed_on_the_z(
        client, runner, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    assert client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                       json=close_body()).status_code == 200
    db.session.rollback()
    entry = closing_entry(db.session, session_id)
    z = closing_documents.z_report(db.session, session_id)
    paper = " ".join(z.footer)
    assert entry.hash[:32] in paper and entry.hash[32:] in paper
    # issue 27: a short control code and no command line on the paper (the docs have it)
    assert f"Code de contrôle : {entry.seq}-{entry.hash[:8].upper()}" in z.footer
    assert "verify-journal" not in paper and "--expect-head" not in paper
    # the head typed off the paper as it is printed: the closing entry's number, its hash
    at = z.footer.index(f"Écriture de clôture n° {entry.seq} :")
    printed = f"{entry.seq}:{z.footer[at + 1]}\n{z.footer[at + 2]}"
    assert verify(runner, "--expect-head", printed).exit_code == 0

    # the last entries cut, the closing with them, and the head moved back: the chain
    # that is left is sound and sealed, but it no longer reaches what the paper says
    keep = entry.seq - 3
    last = db.session.scalar(select(JournalEntry).where(JournalEntry.seq == keep))
    for table in ("cash_count_lines", "cash_session_closures", "cheques",
                  "envelope_entries", "payments", "sale_lines", "stock_moves", "sales"):
        for name, row_id in {(t, i) for later in db.session.scalars(
                select(JournalEntry).where(JournalEntry.seq > keep))
                for t, i, _d in json.loads(later.rows) if t == table}:
            db.session.execute(text(f"DELETE FROM {name} WHERE id = :i"), {"i": row_id})
    db.session.execute(text("DELETE FROM journal_entries WHERE seq > :k"), {"k": keep})
    db.session.execute(text("UPDATE journal_head SET seq = :s, hash = :h"),
                       {"s": keep, "h": last.hash})
    db.session.execute(text("DELETE FROM stock_levels"))
    db.session.commit()
    cut = verify(runner, "--expect-head", printed)
    assert cut.exit_code == 1, cut.output
    assert "la tête imprimée" in cut.output


def test_a_closing_whose_printed_hash_left_the_chain_is_named(
        client, runner, seller_headers, treasurer_headers):
    session_id = sales_day(client, seller_headers, treasurer_headers)
    client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=treasurer_headers,
                json=close_body())
    db.session.execute(text("UPDATE cash_session_closures SET journal_hash = :h"),
                       {"h": "ab" * 32})
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert f"clôture de la caisse n° {session_id}" in result.output


def test_expect_head_refuses_what_is_not_a_head(demo, runner):
    for bad in ("12", "x:" + "a" * 64, "12:abc", "12:" + "g" * 64):
        result = verify(runner, "--expect-head", bad)
        assert result.exit_code == 2 and "ENTRÉES:EMPREINTE" in result.output


def test_the_journal_key_is_made_once_apart_from_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_JOURNAL_KEY", raising=False)
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}", "SECRET_KEY": "t"}
    first = create_app(config, str(tmp_path / "instance"))
    again = create_app(config, str(tmp_path / "instance"))
    other = create_app(config, str(tmp_path / "other"))
    key_file = tmp_path / "instance" / "journal_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["JOURNAL_KEY"]) == 64
    assert first.config["JOURNAL_KEY"] == again.config["JOURNAL_KEY"]
    assert first.config["JOURNAL_KEY"] != other.config["JOURNAL_KEY"]
    assert journal.seal("abc", first.config["JOURNAL_KEY"]) != journal.seal(
        "abc", other.config["JOURNAL_KEY"])


def test_stripped_seals_do_not_pass_for_old_entries(client, runner, seller_headers):
    session_id = open_session(client, seller_headers)
    sell(client, seller_headers, session_id, [{"sku": "SAC-VILLE", "qty": 1}],
         [{"method": "cash", "amount_cents": 2000}])
    db.session.execute(text("UPDATE journal_entries SET seal = NULL"))
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1 and "sans sceau" in result.output


def test_entries_older_than_the_key_are_checked_by_their_chain(demo, runner, app):
    """An installation upgraded to sealed entries: what it wrote before has no seal. Its
    upgrade (the migration i24a00000001) records, sealed, where the seals begin."""
    from datetime import timedelta

    from kiosk.database import utcnow

    db.session.execute(text("UPDATE journal_entries SET seal = NULL"))
    db.session.commit()
    app.config["JOURNAL_SEALED_SINCE"] = utcnow() + timedelta(seconds=1)
    assert journal.seal_the_entries_before(db.session.connection())["event"] == "seals_begin"
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "écrites avant les sceaux" in result.output


def test_a_column_added_later_keeps_the_old_rows_digests_and_guards_the_new_ones(monkeypatch):
    """A migration that adds a column to a journaled table (say a sale's gift) must not
    make every earlier row look changed, and must not leave the new column unguarded."""
    before = journal.row_digest("sales", {"id": 1, "total_cents": 1500})
    monkeypatch.setitem(journal.LATER_COLUMNS, "sales", {"donation_cents": 0})
    assert journal.row_digest("sales", {"id": 1, "total_cents": 1500, "donation_cents": 0}) \
        == before
    with_gift = journal.row_digest("sales", {"id": 1, "total_cents": 1500, "donation_cents": 600})
    assert with_gift != before
    assert journal.row_digest("sales", {"id": 1, "total_cents": 1500, "donation_cents": 599}) \
        != with_gift
