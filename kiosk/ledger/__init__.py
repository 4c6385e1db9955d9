"""The ledger: the one way any money or stock row, and any decision the journal guards, is
written, and how the whole of it is checked. It stands on the models, the database
plumbing, the vocabulary and kiosk/errors.py alone; every rule and service stands on it.

- money.py: money in integer cents (the largest-remainder split, a gift among the
  payments that brought it, French display);
- numbering.py: the year's sale numbers;
- rows.py (and meeting_rows.py, the group's meetings): the ONLY builder of a journaled
  row, each a dict of every column, inserted and digested as is;
- write.py: the ONLY writer of those rows: ids taken before, then `record_event` →
  `write_event` (one statement on PostgreSQL) with the stock levels, the day's totals and
  the journal entry;
- journal.py: the hash-chained, sealed journal, its head lock and `verify`;
- journal_checks.py: the journal page's whole check, run in a process of its own;
  disk_map.py: the mapping `verify` keeps on disk for a long history.

docs/architecture.md follows a sale from the tap to the journal.
"""
