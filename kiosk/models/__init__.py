"""The kiosk's tables, one module per area; importing this package registers them all."""

from kiosk.models.accounting import EnvelopeSpendAccount, ExportEntry
from kiosk.models.cash import CashCountLine, CashSession, CashSessionClosure, Cheque
from kiosk.models.catalogue import BannerLot, Location, Product, ProductCategory
from kiosk.models.clock import ClockCorrection
from kiosk.models.envelopes import (
    DonationRule,
    Envelope,
    EnvelopeEntry,
    SplitRule,
    SplitRulePart,
)
from kiosk.models.journal import JournalEntry, JournalHead
from kiosk.models.meetings import Decision, DecisionSpend, Meeting, Proposal
from kiosk.models.orders import (
    CreditNote,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    OrderMade,
    OrderPayment,
    Partner,
)
from kiosk.models.people import ApiToken, User, WebSession
from kiosk.models.printing import PrintJob
from kiosk.models.reports import DailyTotal, Shift
from kiosk.models.sales import ConsignmentStatement, GiftReceipt, Payment, Sale, SaleLine
from kiosk.models.settings import ExportRecord, Setting
from kiosk.models.stock import StockLevel, StockMove
from kiosk.models.tablets import TabletWaitingSale
from kiosk.models.witness import TabletReturnedSale

__all__ = [
    "ApiToken",
    "BannerLot",
    "CashCountLine",
    "CashSession",
    "CashSessionClosure",
    "Cheque",
    "ClockCorrection",
    "ConsignmentStatement",
    "CreditNote",
    "DailyTotal",
    "Decision",
    "DecisionSpend",
    "Delivery",
    "DeliveryLine",
    "DonationRule",
    "Envelope",
    "EnvelopeEntry",
    "EnvelopeSpendAccount",
    "ExportEntry",
    "ExportRecord",
    "GiftReceipt",
    "Invoice",
    "InvoiceLine",
    "JournalEntry",
    "JournalHead",
    "Location",
    "Meeting",
    "Order",
    "OrderLine",
    "OrderMade",
    "OrderPayment",
    "Partner",
    "Payment",
    "PrintJob",
    "Product",
    "ProductCategory",
    "Proposal",
    "Sale",
    "SaleLine",
    "Setting",
    "Shift",
    "SplitRule",
    "SplitRulePart",
    "StockLevel",
    "StockMove",
    "TabletReturnedSale",
    "TabletWaitingSale",
    "User",
    "WebSession",
]
