"""verify-journal's maps on disk: the same verdicts, memory that does not follow the
history (kiosk/ledger/disk_map.py, issue 29)."""

from __future__ import annotations

from sqlalchemy import text

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.ledger.disk_map import DiskMap


def test_a_disk_map_behaves_as_a_dict():
    kept = DiskMap()
    kept[("sales", 1)] = ("ab", 3)
    kept[("sales", 2)] = ("cd", 4)
    kept[("sales", 1)] = ("ef", 5)  # a row journaled again: the later entry stands
    assert kept[("sales", 1)] == ("ef", 5) and len(kept) == 2
    assert ("sales", 2) in kept and ("sales", 3) not in kept
    assert kept.get("nothing") is None and kept.pop(("sales", 9), None) is None
    assert kept.pop(("sales", 2)) == ("cd", 4) and len(kept) == 1
    assert list(kept.items()) == [(("sales", 1), ("ef", 5))]
    kept["h" * 64] = 12
    assert kept["h" * 64] == 12
    kept.close()


def test_verify_on_disk_finds_what_verify_in_memory_finds(demo):
    assert journal.verify(db.session, mapping=DiskMap).ok
    db.session.execute(text("UPDATE stock_moves SET qty = 21 WHERE id = 1"))
    db.session.execute(text("DELETE FROM payments WHERE id = 1"))
    db.session.commit()
    in_memory = journal.verify(db.session)
    on_disk = journal.verify(db.session, mapping=DiskMap)
    assert not on_disk.ok and on_disk.problems == in_memory.problems
    assert on_disk.entries == in_memory.entries and on_disk.head_hash == in_memory.head_hash
    assert any("stock_moves n° 1" in p for p in on_disk.problems)
