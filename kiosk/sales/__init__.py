"""Money events: a sale, its void or refund, a consignment statement, a gift receipt
(gift_receipt_issuing.py), a partner's order from quote to paid invoice
(partner_orders.py); and reading sales.

What views, the API and the CLI call. rules.py holds the checks and limits (numbers from
kiosk/vocabulary.py), change and commission; every event is written through the ledger
(kiosk/ledger/: rows.py builds its rows, write.record_event writes them with the journal
entry).

docs/architecture.md follows a sale from the tap to the journal.
"""

from kiosk.sales.consignment import (
    RecordedStatement,
    StatementLine,
    default_percent,
    record_statement,
)
from kiosk.sales.gift_receipt_issuing import GiftReceiptResult, gift_receipt_of, issue_gift_receipt
from kiosk.sales.lookup import ListedSale, find_by_number, session_sales
from kiosk.sales.partner_orders import (
    OrderLineRequest,
    deliver,
    issue_credit_note,
    issue_invoice,
    order_state,
    record_made,
    record_payment,
    take_order,
)
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
    "GiftReceiptResult",
    "LineRequest",
    "ListedSale",
    "OrderLineRequest",
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
    "deliver",
    "find_by_number",
    "get_sale",
    "gift_receipt_of",
    "is_refundable",
    "issue_credit_note",
    "issue_gift_receipt",
    "issue_invoice",
    "last_own_sale",
    "order_state",
    "parse_percent",
    "record_made",
    "record_payment",
    "record_sale",
    "record_statement",
    "refund_as_asked",
    "refund_sale",
    "refundable_lines",
    "refunded_by",
    "request_fingerprint",
    "session_sales",
    "take_order",
    "void_sale",
]
