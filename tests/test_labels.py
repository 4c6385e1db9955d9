"""QR price labels: the PNG and every label of a PDF sheet scan back to the right code."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from kiosk.database import write_transaction
from kiosk.documents import labels
from kiosk.extensions import db


def pdf_pages(data: bytes, dpi: int = 200) -> list[tuple[Image.Image, str]]:
    document = pypdfium2.PdfDocument(data)
    pages = []
    for page in document:
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        text = page.get_textpage().get_text_range()
        pages.append((image, text))
    return pages


def test_png_label_scans_to_the_sku(demo, client, seller_headers):
    response = client.get("/api/v1/products/ETIQ-TGV/label.png", headers=seller_headers)
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (750, 450)  # 63.5 × 38.1 mm at 300 dpi
    assert [code.text for code in zxingcpp.read_barcodes(image)] == ["ETIQ-TGV"]


def test_with_a_public_url_the_qr_opens_the_public_page(demo, client, seller_headers):
    demo.config["PUBLIC_URL"] = "https://fees.example.org/"
    response = client.get("/api/v1/products/SAC-IKEA/label.png", headers=seller_headers)
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [c.text for c in codes] == ["https://fees.example.org/p/SAC-IKEA"]


def test_every_label_of_a_sheet_scans_and_accents_render(demo, client, seller_headers):
    response = client.get("/api/v1/labels.pdf?sku=ETIQ-TGV&sku=LINGE-IKEA&copies=11",
                          headers=seller_headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    assert len(pages) == 2  # 22 labels: a full sheet of 21 and one more
    first, text = pages[0]
    assert "Étiquette de valise TGV" in text.replace("\r\n", " ").replace("\n", " ")
    assert "Sac à linge IKEA" in text.replace("\r\n", " ").replace("\n", " ")
    assert "4,00 €" in text and "16,00 €" in text
    found = zxingcpp.read_barcodes(first)
    assert len(found) == 21
    assert sorted(c.text for c in found) == ["ETIQ-TGV"] * 11 + ["LINGE-IKEA"] * 10
    # the labels sit on the L7160 grid: three columns, seven rows
    xs = sorted({round(c.position.top_left.x / 200 * 25.4 / 10) for c in found})
    ys = sorted({round(c.position.top_left.y / 200 * 25.4 / 5) for c in found})
    assert len(xs) == 3 and len(ys) == 7
    assert [c.text for c in zxingcpp.read_barcodes(pages[1][0])] == ["LINGE-IKEA"]


def test_the_sheet_grid_is_a_setting(demo, client, seller_headers):
    default = pdf_pages(client.get("/api/v1/labels.pdf?sku=POCH-TGV",
                                   headers=seller_headers).data)[0][0]
    with write_transaction(db.session):
        labels.save_layout(db.session, labels.SheetLayout(offset_x=10.0, offset_y=5.0))
    moved = pdf_pages(client.get("/api/v1/labels.pdf?sku=POCH-TGV",
                                 headers=seller_headers).data)[0][0]
    [a], [b] = zxingcpp.read_barcodes(default), zxingcpp.read_barcodes(moved)
    dx = (b.position.top_left.x - a.position.top_left.x) / 200 * 25.4
    dy = (b.position.top_left.y - a.position.top_left.y) / 200 * 25.4
    assert dx == pytest.approx(10, abs=0.5) and dy == pytest.approx(5, abs=0.5)


def test_start_position_skips_used_labels(demo, client, seller_headers):
    page = pdf_pages(client.get("/api/v1/labels.pdf?sku=POCH-TGV&start=20",
                                headers=seller_headers).data)[0][0]
    [code] = zxingcpp.read_barcodes(page)
    assert code.position.top_left.y / 200 * 25.4 > 240  # the last row


def test_layout_that_does_not_fit_the_page_is_refused():
    with pytest.raises(ValueError):
        labels.SheetLayout(cols=4).validate()
    assert labels.SheetLayout.from_json('{"cols": 40}') == labels.SheetLayout()


@pytest.mark.parametrize("url, status", [
    ("/api/v1/products/NOPE/label.png", 404),
    ("/api/v1/labels.pdf", 400),
    ("/api/v1/labels.pdf?sku=NOPE", 404),
    ("/api/v1/labels.pdf?sku=POCH-TGV&copies=0", 400),
    ("/api/v1/labels.pdf?sku=POCH-TGV&copies=abc", 400),
    ("/api/v1/labels.pdf?sku=POCH-TGV&copies=1000", 400),
    ("/api/v1/labels.pdf?sku=POCH-TGV&sku=ETIQ-TGV&sku=SAC-IKEA&copies=999", 400),
    ("/api/v1/labels.pdf?sku=a%20b", 400),
])
def test_bad_label_requests(demo, client, seller_headers, url, status):
    response = client.get(url, headers=seller_headers)
    assert response.status_code == status and response.get_json()["message"]


def test_labels_need_a_login(demo, client):
    assert client.get("/api/v1/products/POCH-TGV/label.png").status_code == 401
