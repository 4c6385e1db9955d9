"""The coordinator's catalogue pages: products, photos, banner lots, the label sheet."""

from __future__ import annotations

import html
import io

from PIL import Image
from sqlalchemy import func, select

from kiosk.documents import labels
from kiosk.extensions import db
from kiosk.models import BannerLot, Product
from tests.conftest import csrf_token, web_login


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def form(token: str, **values) -> dict:
    base = {"csrf_token": token, "sku": "SAC-NOEL", "name": "Sac de Noël",
            "category": "bag", "price": "12,50", "banner_area_cm2": "4000",
            "colour": "#aa3300", "story": "Cousu pour le marché de Noël.", "active": "y"}
    return {**base, **values}


def product(sku: str) -> Product | None:
    db.session.rollback()
    return db.session.scalar(select(Product).where(Product.sku == sku))


def test_admin_adds_a_product_with_a_price_typed_the_french_way(demo, client):
    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/products/new")
    response = client.post("/admin/products/new", data=form(token))
    assert response.status_code == 302
    made = product("SAC-NOEL")
    assert (made.price_cents, made.category, made.banner_area_cm2) == (1250, "bag", 4000)
    assert "Sac de Noël" in text(client.get("/admin/products"))


def test_validation_says_what_is_wrong_and_saves_nothing(demo, client):
    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/products/new")
    count = db.session.scalar(select(func.count(Product.id)))
    cases = {
        "price": ("douze", "Le prix doit être un nombre, par exemple 12,50."),
        "sku": ("SAC IKEA é", "La référence s'écrit en lettres sans accent"),
        "colour": ("rouge", "La couleur s'écrit comme #2b6cb0."),
        "name": ("", "Écrivez le nom du produit."),
    }
    for field, (value, message) in cases.items():
        response = client.post("/admin/products/new", data=form(token, **{field: value}))
        assert response.status_code == 400, field
        assert message in text(response), (field, text(response)[-3000:])
    taken = client.post("/admin/products/new", data=form(token, sku="POCH-TGV"))
    assert taken.status_code == 400 and "La référence POCH-TGV existe déjà" in text(taken)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Product.id))) == count


def test_photo_is_checked_and_served(demo, client, app):
    web_login(client, "Admin", "1234")
    pouch = product("POCH-TGV")
    url = f"/admin/products/{pouch.id}"
    token = csrf_token(client, url)
    picture = io.BytesIO()
    Image.new("RGB", (2400, 1600), "#2b6cb0").save(picture, format="JPEG")
    fake = client.post(url, content_type="multipart/form-data", data=form(
        token, sku="POCH-TGV", name=pouch.name, category="pouch", price="8",
        photo=(io.BytesIO(b"not a picture at all"), "photo.jpg")))
    assert fake.status_code == 400 and "pas une photo lisible" in text(fake)
    assert product("POCH-TGV").photo is None
    good = client.post(url, content_type="multipart/form-data", data=form(
        token, sku="POCH-TGV", name=pouch.name, category="pouch", price="8",
        photo=(io.BytesIO(picture.getvalue()), "../../etc/passwd.jpg")))
    assert good.status_code == 302
    stored = product("POCH-TGV").photo
    assert stored and "/" not in stored and stored.endswith(".jpg")
    served = client.get(f"/p/photo/{stored}")
    assert served.status_code == 200
    assert max(Image.open(io.BytesIO(served.data)).size) == 1200  # shrunk
    assert "photo/" + stored in text(client.get("/p/POCH-TGV"))
    assert client.get("/p/photo/..%2Fsecret_key").status_code == 404


def test_banner_lots(demo, client):
    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/lots")
    response = client.post("/admin/lots", data={
        "csrf_token": token, "code": "musee-2026", "partner": "Musée de la Vie bourguignonne",
        "description": "Bâches de l'exposition", "received_on": "2026-05-02", "area": "12,5"})
    assert response.status_code == 302
    db.session.rollback()
    lot = db.session.scalar(select(BannerLot).where(BannerLot.code == "MUSEE-2026"))
    assert lot.area_dm2 == 1250 and lot.partner.startswith("Musée")
    page = text(client.get("/admin/lots"))
    assert "12,50 m²" in page
    bad = client.post("/admin/lots", data={
        "csrf_token": token, "code": "X-1", "partner": "Ville", "received_on": "2026-05-02",
        "area": "beaucoup"})
    assert bad.status_code == 400 and "La surface est un nombre de m²" in text(bad)


def test_label_sheet_setting(demo, client):
    web_login(client, "Admin", "1234")
    token = csrf_token(client, "/admin/labels")
    values = {**labels.SheetLayout().__dict__, "offset_x": "1,5", "offset_y": "-2"}
    values = {k: str(v).replace(".", ",") if k not in ("offset_x", "offset_y") else v
              for k, v in values.items()}
    response = client.post("/admin/labels", data={"csrf_token": token, **{
        k: str(v).replace(",", ".") for k, v in values.items()}})
    assert response.status_code == 302, text(response)[-2000:]
    db.session.rollback()
    layout = labels.load_layout(db.session)
    assert (layout.offset_x, layout.offset_y, layout.cols) == (1.5, -2.0, 3)
    too_big = client.post("/admin/labels", data={"csrf_token": token, **{
        k: str(v) for k, v in {**labels.SheetLayout().__dict__, "cols": 4}.items()}})
    assert too_big.status_code == 400 and "ne tiennent pas" in text(too_big)


def test_sellers_cannot_edit_the_catalogue(demo, client):
    web_login(client, "Vendeuse", "3456")
    assert client.get("/admin/products").status_code == 403
    assert client.get("/admin/lots").status_code == 403
