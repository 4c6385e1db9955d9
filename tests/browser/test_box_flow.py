"""The box at the stall, in Chromium: the stall command with no TLS setting
(`KIOSK_HOST=0.0.0.0 make run`, here `python -m kiosk.serve` on a port the system chooses)
serves HTTPS; a tablet that installed the kiosk's authority as the set-up guide says (the
certificate downloaded from /ca.pem, its fingerprint compared with the one printed at start,
put into Chromium's own NSS store with certutil) is in a secure context at
https://kiosk.lan:PORT and at https://caisse.local:PORT, its service worker keeps the sale
screen through an offline reload, and its old http:// bookmark lands on https at the kiosk's
own name."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import urllib.request

import pytest

from kiosk import tls
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TABLET,
    assert_accessible,
    login_by_touch,
)
from tests.conftest import LiveServer, api_login, missing
from tests.test_box import kiosk_env, running_kiosk

pytestmark = pytest.mark.browser

RESOLVE = "--host-resolver-rules=MAP kiosk.lan 127.0.0.1, MAP caisse.local 127.0.0.1"


def test_the_stall_command_gives_the_tablet_a_secure_till_with_no_tls_setting(
        browser, demo, database_url, tmp_path):
    certutil = shutil.which("certutil")
    if certutil is None:
        missing("certutil not found (apt-get install libnss3-tools)")
    client = demo.test_client()
    opened = client.post("/api/v1/cash-sessions", headers=api_login(
        client, "Vendeuse", "3456"), json={"name": "Vente IKEA", "location": "ikea",
                                           "opening_float": {"1000": 3}})
    assert opened.status_code == 201, opened.get_json()
    env = kiosk_env(tmp_path / "box-instance", KIOSK_HOST="0.0.0.0",
                    KIOSK_DATABASE_URL=database_url, KIOSK_MDNS_NAME="caisse")
    assert "KIOSK_TLS" not in env
    with running_kiosk(env) as (scheme, port, printed):
        assert scheme == "https"
        assert f"https://caisse.local:{port}/" in printed
        # Step 1 of the guide: the tablet downloads the certificate (not trusted yet, so
        # the browser warns) and compares its fingerprint with the one the kiosk printed.
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/ca.pem", context=unverified,
                                    timeout=10) as answer:
            pem = answer.read()
        assert tls.fingerprint(pem) in printed
        (tmp_path / "caisse-fees-declic.crt").write_bytes(pem)
        nss = tmp_path / "home" / ".pki" / "nssdb"
        nss.mkdir(parents=True)
        subprocess.run([certutil, "-d", f"sql:{nss}", "-N", "--empty-password"], check=True,
                       timeout=60)
        subprocess.run([certutil, "-d", f"sql:{nss}", "-A", "-t", "C,,", "-n", "Caisse",
                        "-i", str(tmp_path / "caisse-fees-declic.crt")], check=True,
                       timeout=60)
        args = [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")]
        tablet = browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True, args=[*args, RESOLVE],
            env={**os.environ, "HOME": str(tmp_path / "home")})
        try:
            context = tablet.new_context(viewport=TABLET, has_touch=True, locale="fr-FR",
                                         base_url=f"https://kiosk.lan:{port}")
            page = context.new_page()
            # The old bookmark, in plain http on the same port: sent to https, same page,
            # at the kiosk's own name (the one the tablet typed, a name of the kiosk's).
            response = page.goto(f"http://kiosk.lan:{port}/login")
            assert page.url == f"https://kiosk.lan:{port}/login"
            assert response.request.redirected_from is not None
            assert response.request.redirected_from.url == f"http://kiosk.lan:{port}/login"
            assert page.evaluate("window.isSecureContext") is True
            login_by_touch(page, "Vendeuse", "3456")
            page.goto("/sell")
            assert page.evaluate("window.isSecureContext") is True
            page.locator("html[data-offline='ready']").wait_for(state="attached")
            assert page.evaluate("navigator.serviceWorker.controller !== null") is True
            # The Wi-Fi drops; a pull-to-refresh reloads the page: the till stays.
            context.set_offline(True)
            page.reload()
            tile = page.locator('.product[data-sku="SAC-IKEA"]')
            tile.wait_for()
            tile.tap()
            page.locator("[data-cart-lines] li").first.wait_for()
            assert page.locator("[data-checkout]").is_enabled()
            context.set_offline(False)
            # The name announced by mDNS is trusted too (the certificate covers it).
            other = tablet.new_page()
            other.goto(f"https://caisse.local:{port}/login")
            assert other.evaluate("window.isSecureContext") is True
            other.close()
            context.close()
        finally:
            tablet.close()


def test_the_first_start_s_tablet_step_reads_well_on_the_tablet(browser, app):
    """A new database's first page on the tablet: the choices, then the tablet's step with
    its QR code and the nine pictures of the guide, all loaded; axe finds nothing serious."""
    with LiveServer(app) as server:
        context = browser.new_context(viewport=TABLET, has_touch=True, locale="fr-FR",
                                      base_url=server.url.replace("127.0.0.1", "kiosk.lan"))
        page = context.new_page()
        page.goto("/")
        page.wait_for_url(re.compile(r"/start$"))
        step = page.locator("[data-start-tablet]")
        assert step.get_by_role("heading", name="Ensuite : préparer la tablette").is_visible()
        assert step.locator("[data-ca-qr]").is_visible()
        assert step.locator(".guide-step img").count() == 9
        assert all(page.evaluate(
            "[...document.images].map((i) => i.complete && i.naturalWidth > 0)"))
        assert_accessible(page)
        context.close()
