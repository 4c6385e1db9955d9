"""QR price labels: one as a PNG, an A4 sticker sheet as a PDF, and batches of them on the
ESC/POS label printer through the print queue.

A label is the printer's own plain data (`printer.Label`: name, price, SKU, QR payload),
built here from a product. The sheet is an Avery L7160 by default (3 × 7 labels of
63.5 × 38.1 mm on A4); its grid and margins are a setting (see SheetLayout) so a printer
that shifts sheets can be fixed.

On the label printer a batch is cut into jobs of a few labels each (one label per piece),
so the page can show how far the batch has gone and a printer that stops mid-batch loses
at most one job, which stays queued and is retried like any receipt. Registered with the
queue as "label" (kiosk/documents/__init__.py).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.documents import queue
from kiosk.documents.pdf import a4, font_path
from kiosk.errors import InvalidInput
from kiosk.ledger.money import format_money_for_paper
from kiosk.models import PrintJob, Product, Setting
from kiosk.services.stock import find_product
from kiosk.text import _
from kiosk.vocabulary import MAX_QTY
from printer.printouts import Label

if TYPE_CHECKING:  # fpdf2, Pillow and qrcode are imported by what draws a label
    from fpdf import FPDF
    from PIL import Image, ImageFont

LAYOUT_SETTING = "labels.sheet"
LABELS_PER_JOB = 5
MAX_BATCH = 500


def qr_payload(sku: str, public_url: str | None = None) -> str:
    """The bare SKU, or PUBLIC_URL/p/SKU when the kiosk has a public address."""
    if public_url:
        return f"{public_url.rstrip('/')}/p/{sku}"
    return sku


def label_for(product: Product, public_url: str | None = None) -> Label:
    return Label(product.name, product.price_cents, product.sku,
                 qr_payload(product.sku, public_url))


@dataclass(frozen=True)
class SheetLayout:
    """An A4 sheet of sticker labels, in millimetres. Defaults: Avery L7160."""

    cols: int = 3
    rows: int = 7
    label_w: float = 63.5
    label_h: float = 38.1
    margin_left: float = 7.25
    margin_top: float = 15.15
    gap_x: float = 2.5
    gap_y: float = 0.0
    offset_x: float = 0.0  # nudge everything when the printer shifts the sheet
    offset_y: float = 0.0

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    def validate(self) -> SheetLayout:
        if not (1 <= self.cols <= 10 and 1 <= self.rows <= 30):
            raise ValueError("grid")
        if not (10 <= self.label_w <= 210 and 10 <= self.label_h <= 297):
            raise ValueError("size")
        if not all(0 <= v <= 100 for v in (self.margin_left, self.margin_top, self.gap_x,
                                            self.gap_y)):
            raise ValueError("margins")
        if not all(-20 <= v <= 20 for v in (self.offset_x, self.offset_y)):
            raise ValueError("offset")
        # The grid must fit the page; the offset only corrects where the printer puts it.
        right = (self.margin_left + self.cols * self.label_w
                 + (self.cols - 1) * self.gap_x)
        bottom = (self.margin_top + self.rows * self.label_h
                  + (self.rows - 1) * self.gap_y)
        if right > 210.5 or bottom > 297.5:
            raise ValueError("page")
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> SheetLayout:
        if not text:
            return cls()
        try:
            values = json.loads(text)
            known = {f.name: f.type for f in fields(cls)}
            kwargs = {k: (int(v) if known[k] == "int" else float(v))
                      for k, v in values.items() if k in known}
            return cls(**kwargs).validate()
        except (ValueError, TypeError, AttributeError):
            return cls()  # a broken setting must not stop labels from printing


def load_layout(session: Session) -> SheetLayout:
    row = session.get(Setting, LAYOUT_SETTING)
    return SheetLayout.from_json(row.value if row else None)


def save_layout(session: Session, layout: SheetLayout) -> SheetLayout:
    layout.validate()
    row = session.get(Setting, LAYOUT_SETTING)
    if row is None:
        session.add(Setting(key=LAYOUT_SETTING, value=layout.to_json()))
    else:
        row.value = layout.to_json()
    return layout


# --- Drawing -------------------------------------------------------------------------------

@lru_cache(maxsize=512)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR's modules (True = dark), with its 4-module quiet zone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def wrap(text: str, width: float, measure: Callable[[str], float],
         max_lines: int = 3) -> list[str]:
    """Greedy word wrap to `width`; the last line ends with "…" when text is left over."""
    words, lines, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if measure(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip() + "…"
    out = []
    for line in lines:  # a single word wider than the label is cut
        while measure(line) > width and len(line) > 1:
            line = line[:-2] + "…"
        out.append(line)
    return out


@lru_cache(maxsize=256)
def _qr_image(payload: str, module: int) -> Image.Image:
    from PIL import Image

    matrix = qr_matrix(payload)
    small = Image.new("L", (len(matrix), len(matrix)), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    return small.resize((module * len(matrix),) * 2, Image.Resampling.NEAREST)


@lru_cache(maxsize=16)
def _pil_font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(font_path(bold), size)


def label_image(label: Label, dpi: int = 300, width_mm: float = 63.5,
                height_mm: float = 38.1) -> Image.Image:
    """One label as a 1-bit picture: the QR on the left, name, price and SKU on the right."""
    from PIL import Image, ImageDraw

    px = dpi / 25.4
    width, height = round(width_mm * px), round(height_mm * px)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    matrix = qr_matrix(label.qr_payload)
    pad = round(1.5 * px)
    qr_side = height - 2 * pad
    module = max(1, qr_side // len(matrix))
    qr_side = module * len(matrix)
    top = (height - qr_side) // 2
    image.paste(_qr_image(label.qr_payload, module), (pad, top))
    text_left = pad + qr_side + round(1 * px)
    text_width = width - text_left - pad
    name_font = _pil_font(round(3.2 * px), True)
    y = pad
    for line in wrap(label.name, text_width, name_font.getlength, 3):
        draw.text((text_left, y), line, font=name_font, fill=0)
        y += round(4.0 * px)
    price_font = _pil_font(round(5.0 * px), True)
    draw.text((text_left, height - pad - round(10.5 * px)),
              format_money_for_paper(label.price_cents), font=price_font, fill=0)
    sku_font = _pil_font(round(2.6 * px), False)
    sku = wrap(label.sku, text_width, sku_font.getlength, 1)[0]
    draw.text((text_left, height - pad - round(3.4 * px)), sku, font=sku_font, fill=0)
    return image


def label_png(label: Label, dpi: int = 300) -> bytes:
    out = io.BytesIO()
    label_image(label, dpi).save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


def labels_pdf(labels: Sequence[Label], layout: SheetLayout | None = None,
               start: int = 0) -> bytes:
    """The labels on as many A4 sheets as needed, in order, starting at position `start`
    of the first sheet (0 = top left) so a half-used sheet can go through again."""
    layout = layout or SheetLayout()
    pdf = a4("Étiquettes")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    start = max(0, min(start, layout.per_sheet - 1))
    for index, label in enumerate(labels, start=start):
        position = index % layout.per_sheet
        if position == 0 or pdf.page == 0:
            pdf.add_page()
        row, col = divmod(position, layout.cols)
        x = layout.margin_left + layout.offset_x + col * (layout.label_w + layout.gap_x)
        y = layout.margin_top + layout.offset_y + row * (layout.label_h + layout.gap_y)
        _draw_label(pdf, label, x, y, layout.label_w, layout.label_h)
    if pdf.page == 0:
        pdf.add_page()
    return bytes(pdf.output())


def _draw_label(pdf: FPDF, label: Label, x: float, y: float, w: float, h: float) -> None:
    pad = 2.0
    matrix = qr_matrix(label.qr_payload)
    qr_side = min(h - 2 * pad, w * 0.45)
    module = qr_side / len(matrix)
    qx, qy = x + pad, y + (h - qr_side) / 2
    # One path of rectangles, a run of dark modules each, filled at once: crisp at any
    # printer resolution and far quicker than one fpdf2 call per rectangle.
    k, page_h = pdf.k, pdf.h
    ops = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                run = c
                while run < len(row) and row[run]:
                    run += 1
                ops.append(f"{(qx + c * module) * k:.3f} {(page_h - qy - r * module) * k:.3f} "
                           f"{(run - c) * module * k:.3f} {-module * k:.3f} re")
                c = run
            else:
                c += 1
    pdf._out("q 0 g " + " ".join(ops) + " f Q")
    tx = qx + qr_side + 1.0
    tw = x + w - pad - tx
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "B", 9)
    ty = y + pad + 1
    for line in wrap(label.name, tw, pdf.get_string_width, 3):
        pdf.set_xy(tx, ty)
        pdf.cell(tw, 4, line)
        ty += 4
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_xy(tx, y + h - pad - 11)
    pdf.cell(tw, 6, format_money_for_paper(label.price_cents))
    pdf.set_font("DejaVu", "", 7)
    pdf.set_xy(tx, y + h - pad - 4)
    pdf.cell(tw, 3.5, wrap(label.sku, tw, pdf.get_string_width, 1)[0])


# --- On the label printer ------------------------------------------------------------------

def build_labels(session: Session, job: PrintJob) -> list[Label]:
    """The job's payload {"items": [{"sku", "copies"}]} → one Label per piece."""
    public_url = current_app.config.get("PUBLIC_URL")
    out: list[Label] = []
    for item in queue.job_payload(job).get("items", []):
        product = session.scalar(select(Product).where(Product.sku == item["sku"]))
        if product is None:
            continue  # a product renamed since: nothing sensible to print
        out += [label_for(product, public_url) for _copy in range(int(item["copies"]))]
    return out


def submit_batch(session: Session, items: Sequence[tuple[str, int]]) -> list[int]:
    """Queue the labels (SKU, copies) in jobs of LABELS_PER_JOB; returns the job ids
    (none when no label printer is configured)."""
    pieces: list[str] = []
    for sku, copies in items:
        product = find_product(session, sku)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_QTY:
            raise InvalidInput("copies", _("Le nombre d'étiquettes va de 1 à %(max)s.",
                                             max=MAX_QTY))
        pieces += [product.sku] * copies
    if not pieces:
        raise InvalidInput("sku", _("Choisissez au moins une étiquette à imprimer."))
    if len(pieces) > MAX_BATCH:
        raise InvalidInput("copies", _("%(n)s étiquettes au plus à la fois : imprimez-les en "
                                       "plusieurs fois.", n=MAX_BATCH))
    session.rollback()
    if not queue.get_printer("label").enabled:
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
        ids.append(queue.submit(session, "label", payload={"items": grouped},
                                target="label").id)
    return ids


def progress(session: Session, job_ids: Sequence[int], try_next: bool = True) -> dict:
    """How far the batch is; with `try_next`, first tries the oldest job still waiting
    (one per call, so each poll of the page moves the batch on by one job)."""
    rows = list(session.scalars(select(PrintJob).where(PrintJob.id.in_(list(job_ids)),
                                                       PrintJob.document == "label")
                                .order_by(PrintJob.id)))
    waiting = [job.id for job in rows if job.status == queue.QUEUED]
    if try_next and waiting:
        queue.attempt(session, waiting[0])
        session.rollback()
        rows = list(session.scalars(select(PrintJob).where(PrintJob.id.in_(list(job_ids)))
                                    .order_by(PrintJob.id)))
    sizes = {job.id: sum(int(i["copies"]) for i in queue.job_payload(job).get("items", []))
             for job in rows}
    done = sum(sizes[job.id] for job in rows if job.status == queue.PRINTED)
    total = sum(sizes.values())
    failed = [job for job in rows if job.status == queue.FAILED]
    queued = [job for job in rows if job.status == queue.QUEUED]
    return {"printed": done, "total": total, "failed": len(failed),
            "status": "queued" if queued else ("failed" if failed else "printed"),
            "error": (failed or queued or [None])[0].last_error if (failed or queued) else ""}
