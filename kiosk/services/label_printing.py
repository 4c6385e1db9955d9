"""Price labels on the ESC/POS label printer, through the print queue.

A batch is cut into jobs of a few labels each (one label per piece), so the page can show
how far the batch has gone and a printer that stops mid-batch loses at most one job,
which stays queued and is retried like any receipt.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import labels
from kiosk.models import PrintJob, Product
from kiosk.services import printing
from kiosk.services.errors import InvalidInput
from kiosk.services.stock import find_product
from kiosk.services.text import _
from printer.documents import Label

LABELS_PER_JOB = 5
MAX_BATCH = 500


def build_labels(session: Session, job: PrintJob) -> list[Label]:
    """The job's payload {"items": [{"sku", "copies"}]} → one Label per piece."""
    public_url = current_app.config.get("PUBLIC_URL")
    out: list[Label] = []
    for item in printing.job_payload(job).get("items", []):
        product = session.scalar(select(Product).where(Product.sku == item["sku"]))
        if product is None:
            continue  # a product renamed since: nothing sensible to print
        data = labels.label_for(product, public_url)
        out += [Label(data.name, data.price_cents, data.sku, data.qr_payload)
                for _copy in range(int(item["copies"]))]
    return out


printing.register_builder("label", build_labels)


def submit_batch(session: Session, items: Sequence[tuple[str, int]]) -> list[int]:
    """Queue the labels (SKU, copies) in jobs of LABELS_PER_JOB; returns the job ids
    (none when no label printer is configured)."""
    pieces: list[str] = []
    for sku, copies in items:
        product = find_product(session, sku)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 999:
            raise InvalidInput("copies", _("Le nombre d'étiquettes va de 1 à 999."))
        pieces += [product.sku] * copies
    if not pieces:
        raise InvalidInput("sku", _("Choisissez au moins une étiquette à imprimer."))
    if len(pieces) > MAX_BATCH:
        raise InvalidInput("copies", _("%(n)s étiquettes au plus à la fois : imprimez-les en "
                                       "plusieurs fois.", n=MAX_BATCH))
    session.rollback()
    if not printing.get_printer("label").enabled:
        return []
    ids = []
    for start in range(0, len(pieces), LABELS_PER_JOB):
        chunk = pieces[start:start + LABELS_PER_JOB]
        grouped: list[dict] = []
        for sku in chunk:
            if grouped and grouped[-1]["sku"] == sku:
                grouped[-1]["copies"] += 1
            else:
                grouped.append({"sku": sku, "copies": 1})
        ids.append(printing.submit(session, "label", payload={"items": grouped},
                                   target="label").id)
    return ids


def progress(session: Session, job_ids: Sequence[int], try_next: bool = True) -> dict:
    """How far the batch is; with `try_next`, first tries the oldest job still waiting
    (one per call, so each poll of the page moves the batch on by one job)."""
    rows = list(session.scalars(select(PrintJob).where(PrintJob.id.in_(list(job_ids)),
                                                       PrintJob.document == "label")
                                .order_by(PrintJob.id)))
    waiting = [job.id for job in rows if job.status == printing.QUEUED]
    if try_next and waiting:
        printing.attempt(session, waiting[0])
        session.rollback()
        rows = list(session.scalars(select(PrintJob).where(PrintJob.id.in_(list(job_ids)))
                                    .order_by(PrintJob.id)))
    sizes = {job.id: sum(int(i["copies"]) for i in printing.job_payload(job).get("items", []))
             for job in rows}
    done = sum(sizes[job.id] for job in rows if job.status == printing.PRINTED)
    total = sum(sizes.values())
    failed = [job for job in rows if job.status == printing.FAILED]
    queued = [job for job in rows if job.status == printing.QUEUED]
    return {"printed": done, "total": total, "failed": len(failed),
            "status": "queued" if queued else ("failed" if failed else "printed"),
            "error": (failed or queued or [None])[0].last_error if (failed or queued) else ""}
