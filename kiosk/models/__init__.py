"""The kiosk's tables, one module per area; importing this package registers them all."""

from kiosk.models.accounting import EnvelopeSpendAccount, ExportEntry
from kiosk.models.cash import CashCountLine, CashSession, CashSessionClosure, Cheque
from kiosk.models.catalogue import BannerLot, Location, Product
from kiosk.models.envelopes import Envelope, EnvelopeEntry, SplitRule, SplitRulePart
from kiosk.models.journal import JournalEntry, JournalHead
from kiosk.models.people import ApiToken, User, WebSession
from kiosk.models.printing import PrintJob
from kiosk.models.reports import DailyTotal, Shift
from kiosk.models.sales import ConsignmentStatement, Payment, Sale, SaleLine
from kiosk.models.settings import ExportRecord, Setting
from kiosk.models.stock import StockLevel, StockMove

__all__ = [
    "ApiToken",
    "BannerLot",
    "CashCountLine",
    "CashSession",
    "CashSessionClosure",
    "Cheque",
    "ConsignmentStatement",
    "DailyTotal",
    "Envelope",
    "EnvelopeEntry",
    "EnvelopeSpendAccount",
    "ExportEntry",
    "ExportRecord",
    "JournalEntry",
    "JournalHead",
    "Location",
    "Payment",
    "PrintJob",
    "Product",
    "Sale",
    "SaleLine",
    "Setting",
    "Shift",
    "SplitRule",
    "SplitRulePart",
    "StockLevel",
    "StockMove",
    "User",
    "WebSession",
]
