"""Browser fixtures: the kiosk served on a loopback port, driven in Debian's Chromium.

Playwright drives /usr/bin/chromium (never a downloaded browser). axe-core, vendored
from its npm package, checks every page a test visits.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, missing

CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = (Path(__file__).parent.parent / "vendor" / "axe.min.js").read_text()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage",
                 # The stall's tablet opens http://192.168.x.y, which is not a secure context
                 # (no camera, no service worker, no crypto.randomUUID); 127.0.0.1 would be.
                 "--host-resolver-rules=MAP kiosk.lan 127.0.0.1"]
HOME = re.compile(r"^http://[^/]+/(\?.*)?$")  # the home page, whatever the port
TABLET = {"width": 1024, "height": 768}  # the stall's tablet, landscape
PORTRAIT = {"width": 800, "height": 1280}  # the same tablet turned

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def static_site() -> Iterator:
    """static/ and a blank page, no app behind them: for the JS modules' own tests."""
    from tests.browser.modules import static_server

    with static_server() as site:
        yield site


@pytest.fixture
def live_server(demo) -> Iterator[LiveServer]:
    with LiveServer(demo) as server:
        yield server


@pytest.fixture
def blank_page(browser, static_site):
    """A blank page of `static_site` for a JS module's own test; fails on any page error."""
    context = browser.new_context(base_url=static_site.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    yield page
    context.close()
    assert not errors, errors


def lan_url(url: str) -> str:
    """The same server as the tablet on the stall's Wi-Fi reaches it: an insecure origin."""
    return url.replace("127.0.0.1", "kiosk.lan")


def tablet_page(browser, live_server, viewport: dict = TABLET):
    context = browser.new_context(viewport=viewport, has_touch=True, locale="fr-FR",
                                  base_url=lan_url(live_server.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    return page


@pytest.fixture
def page(browser, live_server):
    page = tablet_page(browser, live_server)
    yield page
    errors = page.js_errors
    page.context.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


@pytest.fixture
def portrait_page(browser, live_server):
    page = tablet_page(browser, live_server, PORTRAIT)
    yield page
    errors = page.js_errors
    page.context.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


# What axe reads of a page, for remembering its verdict: the document as it stands (the
# CSRF tokens aside: each session has its own), what the markup does not show (fields'
# values and ticks, the focus), where it is scrolled, the window and the media features a
# context may emulate. Style sheets and scripts are the run's own (one static/ version).
PAGE_STATE = r"""() => {
  const token = /(name="csrf[-_]token"[^>]*(?:value|content)=")[^"]*"/g;
  const html = document.documentElement.outerHTML.replace(token, '$1"');
  const fields = [...document.querySelectorAll("input, select, textarea")]
    .filter((field) => !/^csrf/.test(field.name))
    .map((field) => [field.value, field.checked === true, field.selectedIndex ?? -1]);
  const focused = document.activeElement;
  const media = ["(prefers-color-scheme: dark)", "(prefers-reduced-motion: reduce)",
                 "(forced-colors: active)", "(pointer: coarse)"].map((q) => matchMedia(q).matches);
  return JSON.stringify([location.pathname + location.search, html, fields,
    focused ? focused.outerHTML.slice(0, 200) : null, scrollX, scrollY, innerWidth,
    innerHeight, devicePixelRatio, media, document.visibilityState]);
}"""
_VERDICTS: dict[str, list[dict]] = {}
AXE_STATS = {"runs": 0, "remembered": 0}


def check_accessibility(page) -> list[dict]:
    """Run axe-core on the page; return the serious and critical violations.

    A page in exactly the state axe already judged in this process (the login page, which
    nearly every browser test passes through, most of all) gets that verdict again: axe's
    result depends on nothing else, and a run on a fresh document costs 0.1-0.4 s."""
    state = hashlib.sha256(page.evaluate(PAGE_STATE).encode()).hexdigest()
    if state in _VERDICTS:
        AXE_STATS["remembered"] += 1
        return _VERDICTS[state]
    # axe-core once per document (parsing its 500 kB takes longer than most checks).
    if not page.evaluate("typeof axe === 'object' && typeof axe.run === 'function'"):
        page.evaluate(AXE_SOURCE + "\n;0")
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    violations = json.loads(result)["violations"]
    AXE_STATS["runs"] += 1
    verdict = _VERDICTS[state] = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations if v["impact"] in ("serious", "critical")]
    return verdict


def assert_accessible(page) -> None:
    problems = check_accessibility(page)
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def login_by_touch(page, name: str, pin: str) -> None:
    page.goto("/login")
    assert_accessible(page)
    page.get_by_role("radio", name=name, exact=True).tap()
    for digit in pin:
        page.locator(f'.keypad [data-key="{digit}"]').tap()
    with page.expect_navigation():
        page.get_by_role("button", name="OK").tap()
