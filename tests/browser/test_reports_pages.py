"""The reports as the treasurer sees them on the tablet and on paper: charts drawn, no
console error, nothing axe calls serious; the stall's team tapped at the opening."""

from __future__ import annotations

import pytest

from kiosk.extensions import db
from tests.browser.conftest import HOME, assert_accessible, login_by_touch
from tests.closing_helpers import sales_day
from tests.conftest import api_login

pytestmark = pytest.mark.browser
YEAR = "from=2020-01-01&to=2100-12-31"


def test_the_reports_draw_their_charts_on_the_tablet_and_in_print(page, live_server,
                                                                   client, demo):
    from kiosk.demo.bulk import seed_sales

    with demo.app_context():
        seed_sales(db.session, 400)
    sales_day(client, api_login(client, "Vendeuse", "3456"),
              api_login(client, "Tresoriere", "2345"))
    login_by_touch(page, "Tresoriere", "2345")
    page.wait_for_url(HOME)
    page.goto(f"/reports?{YEAR}")
    charts = page.locator("svg.chart")
    assert charts.count() >= 6
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 600 and box["height"] > 50, (index, box)
        assert charts.nth(index).locator("rect, polyline").count() > 0
    assert page.locator("table[data-table=months] tbody tr").count() >= 2
    assert_accessible(page)
    page.emulate_media(media="print")
    assert charts.first.is_visible()
    assert not page.get_by_role("button", name="Voir").is_visible()  # the form stays off paper
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Le rapport d'impact", exact=True).tap()
    page.wait_for_url("**/reports/impact**")
    assert page.locator("[data-figure=items_made]").inner_text() != "0"
    assert page.locator("svg.chart").count() == 1
    assert_accessible(page)
    assert page.js_errors == []


def test_the_seller_taps_who_holds_the_stall_when_she_opens(page, live_server):
    login_by_touch(page, "Vendeuse", "3456")
    page.wait_for_url(HOME)
    page.goto("/sell/open")
    assert page.get_by_role("checkbox", name="Vendeuse", exact=True).is_checked()
    page.get_by_role("checkbox", name="Tresoriere", exact=True).tap()
    assert page.get_by_role("checkbox", name="Tresoriere", exact=True).is_checked()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Ouvrir la caisse").tap()
    page.goto("/sessions")
    page.get_by_role("link", name="Vente").first.tap()
    page.get_by_role("link", name="Qui tient le stand").tap()
    page.wait_for_url("**/sell/team/**")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Tresoriere est là · elle part").tap()
    assert page.get_by_role("button", name="Tresoriere arrive").is_visible()
    assert page.js_errors == []
