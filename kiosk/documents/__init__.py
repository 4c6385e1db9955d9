"""Everything the kiosk puts on paper, and the print queue that carries it to a printer.

- queue.py: print jobs, their leases and retries, the background worker, `print-queue`,
  the test ticket;
- receipts.py: a sale's, a void's or a refund's receipt, and the receipt settings;
- gift_receipts.py: a gift receipt (reçu de don);
- closing.py: the Z report and the hand-over slip of a closed cash session;
- labels.py: QR price labels (PNG, A4 sheet, batches on the label printer);
- pdf.py: A4 PDFs (the Z report and slip) and the fonts PDFs and labels share;
- partner_orders.py: a partner order's quote, delivery slip, invoice and credit note (A4
  PDFs);
- cash_book.py: the yearly cash book of each place (A4 PDF);
- impact_report.py: the impact report for a partner or a funder (A4 PDF).

Each document becomes the printer's plain data (printer.Receipt, printer.Report,
printer.Label); `printer/` turns that into ESC/POS and knows nothing of the database.
`init_app` is the one place that tells the queue how to build each document.
"""

from __future__ import annotations

import threading

from flask import Flask

from kiosk.documents import closing, gift_receipts, labels, partner_orders, queue, receipts
from printer.render import warm as warm_printer

# What a print job's `document` names, and what builds it from the job.
BUILDERS: dict[str, queue.Builder] = {
    "test": queue.test_ticket,
    "receipt": receipts.build_receipt,
    "gift_receipt": gift_receipts.build_job,
    "z_report": closing.build_job,
    "slip": closing.build_job,
    "label": labels.build_labels,
    "delivery_slip": partner_orders.build_delivery_job,
}


def init_app(app: Flask) -> None:
    """Registers every document with the queue, checks the printer settings (a malformed
    KIOSK_PRINTER fails at start-up, not at the first sale) and adds `print-queue`."""
    for document, builder in BUILDERS.items():
        queue.register_builder(document, builder)
    for target in queue.TARGETS:
        queue.get_printer(target, app)
    app.cli.add_command(queue.print_queue_command)


def warm(app: Flask) -> threading.Thread | None:
    """The server, once started: import what a receipt needs (python-escpos and the rest)
    in the background, so that the first sale that prints does not wait for it. Nothing
    when no printer is set (a sale then prints nothing)."""
    if not any(queue.get_printer(target, app).enabled for target in queue.TARGETS):
        return None
    thread = threading.Thread(target=warm_printer, name="printer-warm", daemon=True)
    thread.start()
    return thread
