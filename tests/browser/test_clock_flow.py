"""The tablet's own clock reaches the server from every page (static/js/clock.js), over the
stall's plain HTTP: a server three days behind is said on the screen at once, and the
admin sets it from the tablet in one tap."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, login_by_touch

pytestmark = pytest.mark.browser


def test_the_tablet_warns_of_the_servers_clock_and_the_admin_sets_it(page, live_server):
    app = live_server.server.app
    app.config.update(CLOCK_SET="offset", CLOCK_OFFSET_SECONDS=-3 * 24 * 3600)
    page.goto("/login")
    warning = page.locator("[data-clock-warning]")
    warning.wait_for(state="visible")  # the page's script sent the tablet's time
    assert "l'horloge du serveur dit" in warning.inner_text()
    assert_accessible(page)
    login_by_touch(page, "Admin", "1234")
    page.get_by_role("link", name="Régler l'heure").tap()
    page.get_by_role("button", name="Mettre le serveur à l'heure de la tablette").tap()
    page.get_by_text("Le serveur est maintenant à l'heure de la tablette.").wait_for()
    assert abs(app.config["CLOCK_OFFSET_SECONDS"]) < 30
    page.goto("/sell")
    page.wait_for_load_state("networkidle")
    assert not warning.is_visible()
    assert_accessible(page)
