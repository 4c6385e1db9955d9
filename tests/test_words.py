"""Issue 27, point 12: words a volunteer reads. One French order of names everywhere
(Aïcha before Anne-Sophie: the login page, "Qui tient le stand", the lock dialog); no
"bloqué(e)" or "ajouté(s)"; the receipt says who sold."""

from __future__ import annotations

from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.services.auth import create_user
from tests.closing_helpers import open_session
from tests.conftest import web_login


def test_names_in_one_french_order_everywhere(client, seller_headers):
    with write_transaction(db.session):
        for number, name in enumerate(("Anne-Sophie", "Aïcha", "Élodie", "Emma")):
            create_user(db.session, name, "seller", f"{7000 + number}")
    session_id = open_session(client, seller_headers)
    expected = ["Aïcha", "Anne-Sophie", "Élodie", "Emma"]

    def order(page: str) -> list[str]:
        return sorted(expected, key=page.index)

    login = client.get("/login").get_data(as_text=True)
    assert order(login) == expected
    web_login(client, "Vendeuse", "3456")
    team = client.get(f"/sell/team/{session_id}").get_data(as_text=True)
    assert order(team) == expected
    screen = client.get(f"/sell?session={session_id}").get_data(as_text=True)
    lock = screen[screen.index("data-lock-form"):]
    assert order(lock) == expected


def test_no_brackets_in_the_words(client, demo):
    from pathlib import Path

    root = Path(__file__).parent.parent
    for path in ("templates/stock/made_done.html", "kiosk/auth/routes.py"):
        source = (root / path).read_text(encoding="utf-8")
        assert "(e)" not in source.replace("%(e)s", "") and "(s) " not in source, path


def test_chart_labels_are_18px_apart_and_thousands_separated(app):
    """Issue 27, point 12: chart text at 18 px like the rest, no two month labels on top of
    each other, counts written 54 041."""
    import re
    from itertools import pairwise

    from kiosk.reports import charts
    from kiosk.text import figure

    months = [f"{m} 2026" for m in ("janvier", "février", "mars", "avril", "mai", "juin",
                                     "juillet", "août", "septembre", "octobre", "novembre",
                                     "décembre")]
    with app.test_request_context():
        svgs = [str(charts.columns("Recettes", [(m, 100 * i) for i, m in enumerate(months)],
                                   str)),
                str(charts.lines("Soldes", months, [("Loisirs", list(range(12)))], str)),
                str(charts.bars("Objets", [("Sac", 54041)], figure, charts.PALETTE))]
        assert figure(54041) == "54 041"
    for svg in svgs:
        sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', svg)}
        assert sizes and min(sizes) >= 18, sizes
    # the month labels under the columns: never closer than their own width
    xs = sorted(float(x) for x, label in re.findall(
        r'<text x="([\d.]+)" y="284" text-anchor="middle" font-size="18" fill="[^"]+">([^<]+)<',
        svgs[0]))
    assert len(xs) >= 4
    assert all(b - a >= 10 * len("septembre 2026") for a, b in pairwise(xs)), xs
    assert "54 041" in svgs[2]


def test_the_tile_colour_is_chosen_from_a_palette(client, demo):
    """Issue 27, point 12: "Couleur de la tuile" offers swatches to touch."""
    import re

    from sqlalchemy import select

    from kiosk.models import Product
    from tests.conftest import csrf_token

    web_login(client, "Admin", "1234")
    page = client.get("/admin/products/new").get_data(as_text=True)
    palette = page[page.index("data-colour-palette"):page.index("</fieldset>")]
    swatches = re.findall(r'<input type="radio" name="colour" value="(#[0-9a-f]{6})"', palette)
    assert len(swatches) >= 8 and "#2b6cb0" in swatches
    assert 'value="#2b6cb0" checked' in palette and "Vert" in palette
    token = csrf_token(client, "/admin/products/new")
    saved = client.post("/admin/products/new", data={
        "csrf_token": token, "sku": "SAC-VERT", "name": "Sac vert", "category": "bag",
        "price": "12,50", "banner_area_cm2": "0", "colour": "#2f855a", "story": "",
        "active": "y"})
    assert saved.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Product.colour).where(Product.sku == "SAC-VERT")) == \
        "#2f855a"
