"""The tablet as a till, in Chromium: the camera button over plain HTTP, and over the
kiosk's own HTTPS the sale screen loading with the network down.

How Chromium is made to trust the kiosk here: it is launched with
`--ignore-certificate-errors-spki-list=HASH`, HASH being the base64 SHA-256 of the public
key of a certificate the server presents (kiosk.tls.spki_hash of the server's certificate:
the kiosk sends it alone, without the authority's). Chromium then accepts it as it would
a trusted one, and the origin counts as secure for everything, service workers included.
Playwright's `ignore_https_errors` is not that: the page loads, but Chromium refuses to
register a service worker on a certificate it had to ignore ("An SSL certificate error
occurred when fetching the script"), which is what a tablet without the authority
installed would see too (a test here).

The flag skips Chromium's verification, so one test also installs the authority as a tablet
does, into the NSS database Chromium reads on Linux ($HOME/.pki/nssdb, with Debian's
certutil from libnss3-tools), and opens the kiosk with no flag: Chromium's own verifier
then accepts the name-constrained authority for kiosk.lan, 127.0.0.1 and localhost.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator

import pytest

from kiosk import tls
from kiosk.serve import tls_server
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TABLET,
    assert_accessible,
    login_by_touch,
)
from tests.conftest import api_login, missing

pytestmark = pytest.mark.browser

INSECURE_SENTENCE = re.compile(
    r"La caméra ne peut pas s'ouvrir ici.*adresse https.*Tablette et HTTPS.*"
    r"scanner ou le champ de recherche")


def open_drawer(app) -> None:
    client = app.test_client()
    response = client.post("/api/v1/cash-sessions", headers=api_login(
        client, "Vendeuse", "3456"), json={"name": "Vente IKEA", "location": "ikea",
                                           "opening_float": {"1000": 3}})
    assert response.status_code == 201, response.get_json()


def test_over_plain_http_the_camera_button_says_why_it_cannot_open(page, live_server, demo):
    open_drawer(demo)
    login_by_touch(page, "Vendeuse", "3456")
    page.goto("/sell")
    assert page.evaluate("window.isSecureContext") is False  # http://kiosk.lan, as at the stall
    camera = page.get_by_role("button", name="Caméra")
    camera.tap()  # shown, not hidden: the feature does not silently vanish
    message = page.locator(".finder [data-scan-message]")
    assert INSECURE_SENTENCE.search(message.inner_text())
    assert_accessible(page)
    # The search field still finds and sells by reference, as the sentence says.
    page.locator("[data-find]").fill("SAC-IKEA")
    page.locator("[data-find]").press("Enter")
    page.locator("[data-cart-lines] li").first.wait_for()
    # The stock pages' scanner says the same.
    page.goto("/stock/take")
    page.get_by_role("button", name="Caméra").tap()
    assert INSECURE_SENTENCE.search(page.locator("[data-scan-message]").first.inner_text())
    # Over plain HTTP there is no service worker nor wake lock, and nothing errs for them.
    assert page.evaluate("'serviceWorker' in navigator || 'wakeLock' in navigator") is False
    assert page.locator("html[data-offline], html[data-awake]").count() == 0


@pytest.fixture
def https_kiosk(demo) -> Iterator[dict]:
    """The kiosk over TLS (cheroot, its own certificates) on a loopback port."""
    certificates = tls.ensure_certificates(demo.instance_path)
    server = tls_server(demo, "127.0.0.1", 0, certificates)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    state = {"server": server, "port": server.bind_addr[1], "certificates": certificates}
    yield state
    server.stop()
    thread.join(10)


@pytest.fixture
def trusting_browser(browser, https_kiosk):
    """Chromium trusting the kiosk's certificate (see the module's docstring), launched by
    the session's Playwright beside the usual browser."""
    spki = tls.spki_hash(https_kiosk["certificates"].cert.read_bytes())
    trusting = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki}"])
    yield trusting
    trusting.close()


def test_over_https_the_sale_screen_loads_and_sells_with_the_network_down(
        trusting_browser, https_kiosk, demo):
    open_drawer(demo)
    context = trusting_browser.new_context(
        viewport=TABLET, has_touch=True, locale="fr-FR",
        base_url=f"https://kiosk.lan:{https_kiosk['port']}")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login_by_touch(page, "Vendeuse", "3456")
    page.goto("/sell")
    assert page.evaluate("window.isSecureContext") is True
    page.locator("html[data-offline='ready']").wait_for(state="attached")
    assert page.evaluate("navigator.serviceWorker.controller !== null") is True
    assert page.locator('.product[data-sku="SAC-IKEA"]').count() == 1
    # Over HTTPS the camera is the real one (no message about the connection).
    assert page.evaluate("typeof navigator.mediaDevices") == "object"
    # A drawer is open: the screen is kept awake (the Wake Lock API, secure contexts only).
    page.locator("html[data-awake='on']").wait_for(state="attached")
    assert page.evaluate("'wakeLock' in navigator") is True

    # The Wi-Fi drops, the server with it; a pull-to-refresh by mistake reloads the page.
    context.set_offline(True)
    https_kiosk["server"].stop()
    page.reload()
    tile = page.locator('.product[data-sku="SAC-IKEA"]')
    tile.wait_for()
    tile.tap()
    line = page.locator("[data-cart-lines] li")
    line.first.wait_for()
    assert "Sac" in line.first.inner_text()
    assert page.locator("[data-checkout]").is_enabled()
    # What the worker keeps: the sale screen and static files, never an answer of the API.
    kept = page.evaluate("""async () => {
        const cache = await caches.open("kiosk-offline-1");
        return (await cache.keys()).map((r) => new URL(r.url).pathname); }""")
    assert "/sell" in kept and any(path.endswith("/js/sell.js") for path in kept), kept
    assert all(path == "/sell" or path.startswith("/assets/") for path in kept), kept
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    context.close()


def test_without_the_authority_no_service_worker_is_kept(browser, https_kiosk, demo):
    """What `ignore_https_errors` gives (and a tablet that skipped step 1): the page opens,
    the service worker does not register, so nothing claims to work offline."""
    open_drawer(demo)
    context = browser.new_context(ignore_https_errors=True, viewport=TABLET, has_touch=True,
                                  base_url=f"https://kiosk.lan:{https_kiosk['port']}")
    page = context.new_page()
    login_by_touch(page, "Vendeuse", "3456")
    page.goto("/sell")
    page.locator("html[data-offline]").wait_for(state="attached")
    assert page.locator("html").get_attribute("data-offline") == "failed"
    context.close()


def test_chromium_that_installed_the_authority_trusts_the_kiosk(browser, https_kiosk, demo,
                                                               tmp_path):
    certutil = shutil.which("certutil")
    if certutil is None:
        missing("certutil not found (apt-get install libnss3-tools)")
    nss = tmp_path / "home" / ".pki" / "nssdb"
    nss.mkdir(parents=True)
    subprocess.run([certutil, "-d", f"sql:{nss}", "-N", "--empty-password"], check=True,
                   timeout=60)
    subprocess.run([certutil, "-d", f"sql:{nss}", "-A", "-t", "C,,", "-n", "Caisse",
                    "-i", str(https_kiosk["certificates"].ca)], check=True, timeout=60)
    trusting = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS,
                                           env={**os.environ, "HOME": str(tmp_path / "home")})
    try:
        for host in ("kiosk.lan", "127.0.0.1", "localhost"):
            page = trusting.new_page()
            page.goto(f"https://{host}:{https_kiosk['port']}/login")
            assert page.evaluate("window.isSecureContext") is True, host
            page.locator("html[data-offline='ready']").wait_for(state="attached")
            page.close()
    finally:
        trusting.close()


def test_logging_out_forgets_the_kept_sale_screen(trusting_browser, https_kiosk, demo):
    """The next volunteer on the tablet never finds the last one's sale screen offline."""
    open_drawer(demo)
    context = trusting_browser.new_context(
        viewport=TABLET, has_touch=True, locale="fr-FR",
        base_url=f"https://kiosk.lan:{https_kiosk['port']}")
    page = context.new_page()
    login_by_touch(page, "Vendeuse", "3456")
    page.goto("/sell")
    page.locator("html[data-offline='ready']").wait_for(state="attached")
    kept = """async () => (await (await caches.open("kiosk-offline-1")).keys())
        .map((r) => new URL(r.url).pathname).filter((p) => p === "/sell")"""
    assert page.evaluate(kept) == ["/sell"]
    with page.expect_navigation():
        page.get_by_role("button", name="Quitter").tap()
    page.wait_for_url(re.compile(r"/login"))
    page.locator("html[data-offline='ready']").wait_for(state="attached")
    assert page.evaluate(kept) == []
    context.close()


def test_the_set_up_page_reads_well_on_the_tablet(page):
    login_by_touch(page, "Admin", "1234")
    page.goto("/admin/")
    page.get_by_role("link", name="Tablette et HTTPS").tap()
    page.wait_for_url(re.compile(r"/admin/tablet$"))
    assert page.locator("[data-https='off']").is_visible()  # http://kiosk.lan: not yet
    assert page.locator(".guide-step img").count() == 9
    assert all(page.evaluate("[...document.images].map((i) => i.complete && i.naturalWidth > 0)"))
    assert_accessible(page)
