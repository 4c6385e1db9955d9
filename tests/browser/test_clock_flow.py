"""The tablet's own clock reaches the server from every page (static/js/clock.js), over the
stall's plain HTTP: a server three days behind is said on the login screen (the journal
says the clock went back), and the first page of a logged-in volunteer puts the kiosk's
clock right by itself: no warning, no setting, the drawer opens and the sale is dated
right; the admin's page says what happened."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Sale
from tests.browser.conftest import assert_accessible, login_by_touch

pytestmark = pytest.mark.browser


def test_the_tablet_puts_the_servers_clock_right_by_itself(page, live_server):
    app = live_server.app
    app.config.update(CLOCK_SET="offset", CLOCK_OFFSET_SECONDS=-3 * 24 * 3600)
    page.goto("/login")
    warning = page.locator("[data-clock-warning]")
    warning.wait_for(state="visible")  # the journal's last entry is later than the clock
    assert "l'horloge du serveur dit" in warning.inner_text()
    assert_accessible(page)

    login_by_touch(page, "Vendeuse", "3456")
    page.goto("/sell")
    page.wait_for_load_state("networkidle")
    assert not warning.is_visible()
    page.get_by_role("link", name="Ouvrir la caisse").tap()
    page.wait_for_url(re.compile(r"/sell/open$"))
    page.locator("label.place", has_text="Stand IKEA Dijon").tap()
    page.get_by_role("button", name="Un de plus : 10 €").tap()
    page.get_by_role("button", name="Ouvrir la caisse").tap()
    page.wait_for_url(re.compile(r"/sell\?session=\d+$"))
    page.locator('.product[data-sku="ETIQ-TGV"]').tap()
    page.locator("[data-checkout]").tap()
    page.locator('[data-cash="exact"]').tap()
    page.locator("[data-done]").wait_for()
    page.wait_for_load_state("networkidle")
    db.session.rollback()
    sale = db.session.scalar(select(Sale).order_by(Sale.id.desc()).limit(1))
    assert abs(sale.created_at - datetime.now(UTC)) < timedelta(minutes=2)

    page.context.clear_cookies()
    login_by_touch(page, "Admin", "1234")
    page.goto("/admin/clock")
    page.locator("[data-clock-corrected]").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Mettre le serveur à l'heure de la tablette").tap()
    page.get_by_text("Le serveur est maintenant à l'heure de la tablette.").wait_for()
    assert abs(app.config["CLOCK_OFFSET_SECONDS"]) < 30
    assert page.locator("[data-clock-corrected]").count() == 0
