"""Money events: a sale, its void or refund, a consignment statement; and reading sales.

What views, the API and the CLI call. Inside, one path into the ledger:

- rules.py: the checks and limits (numbers from kiosk/vocabulary.py), change, commission;
- numbering.py: the year's sale numbers;
- rows.py: the ONLY builder of sales / sale_lines / payments / stock_moves (and statement
  and envelope entry) rows, each a dict of every column, inserted and digested as is;
- write.py: the ONLY writer of those rows: ids taken before, then `write_event` (one
  statement on PostgreSQL) with the stock levels and the journal entry.

docs/architecture.md follows a sale from the tap to the journal.
"""

from kiosk.sales.consignment import (
    RecordedStatement,
    StatementLine,
    default_percent,
    record_statement,
)
from kiosk.sales.lookup import ListedSale, find_by_number, session_sales
from kiosk.sales.record import (
    RecordedLine,
    RecordedPayment,
    RecordedSale,
    SaleResult,
    get_sale,
    last_own_sale,
    record_sale,
    refunded_by,
    request_fingerprint,
)
from kiosk.sales.rules import (
    LineRequest,
    PaymentRequest,
    commission_for,
    is_refundable,
    parse_percent,
)
from kiosk.sales.undo import (
    default_refund_drawer,
    refund_as_asked,
    refund_sale,
    refundable_lines,
    void_sale,
)

__all__ = [
    "LineRequest",
    "ListedSale",
    "PaymentRequest",
    "RecordedLine",
    "RecordedPayment",
    "RecordedSale",
    "RecordedStatement",
    "SaleResult",
    "StatementLine",
    "commission_for",
    "default_percent",
    "default_refund_drawer",
    "find_by_number",
    "get_sale",
    "is_refundable",
    "last_own_sale",
    "parse_percent",
    "record_sale",
    "record_statement",
    "refund_as_asked",
    "refund_sale",
    "refundable_lines",
    "refunded_by",
    "request_fingerprint",
    "session_sales",
    "void_sale",
]
