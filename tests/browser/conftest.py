"""Browser fixtures: the kiosk served on a loopback port, driven in Debian's Chromium.

Playwright drives /usr/bin/chromium (never a downloaded browser). axe-core, vendored
from its npm package, checks every page a test visits.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ServedApp, SharedServer, missing

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


@pytest.fixture(scope="session")
def worker_server() -> Iterator[SharedServer]:
    """One HTTP server for this worker's browser tests, each test's app in turn."""
    with SharedServer() as server:
        yield server


@pytest.fixture
def live_server(demo, worker_server: SharedServer, browser, tabs) -> Iterator[ServedApp]:
    with worker_server.serving(demo) as served, tablets_closed_after(browser, tabs):
        yield served


@contextlib.contextmanager
def tablets_closed_after(browser, tabs) -> Iterator[None]:
    """The browser contexts a test opened (a treasurer's phone…) closed when it ends, even
    when it failed before closing them: they would go on asking the shared server, which
    serves the next test's app."""
    before = set(browser.contexts)
    try:
        yield
    finally:
        kept = {page.context for page in tabs.idle}
        for context in set(browser.contexts) - before - kept:
            with contextlib.suppress(Exception):
                context.close()


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
    """A new tablet: a browser context of its own (touch, French), on the stall's Wi-Fi."""
    context = browser.new_context(viewport=viewport, has_touch=True, locale="fr-FR",
                                  base_url=lan_url(live_server.url))
    page = context.new_page()
    page.js_errors = []
    # (read at each event: a kept tab gets a new list for each test)
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("console", lambda msg: page.js_errors.append(msg.text)
            if msg.type == "error" else None)
    return page


class Tabs:
    """The tablet's tab, kept from one browser test to the next in a worker.

    A new browser context per test costs Chromium a new renderer process that compiles
    Playwright's injected scripts, the page's modules and axe from cold: a login and a sale
    took 2.4 s of Chromium's CPU in a new context, 0.9-1.1 s in a kept tab. Every test's
    app is served at the same address (SharedServer), so the tab can stay; between two
    tests it is put back as a new one would be: on about:blank (the last page's scripts,
    timers and connections stopped), every other page of its context closed, its routes
    gone and its network back, and all the origin keeps (cookies, local and session
    storage, IndexedDB, service workers, caches) cleared. Only the HTTP cache of the
    versioned static files stays, as on the stall's tablet. A tab that cannot be put back
    so (a crash, Playwright's clock installed, a listener a test added) is closed, never
    reused."""

    def __init__(self, browser, server: SharedServer) -> None:
        self.browser, self.server = browser, server
        self.idle: list = []
        self.origins = [server.url, lan_url(server.url)]

    def take(self, viewport: dict):
        if self.idle:
            page = self.idle.pop()
        else:
            page = tablet_page(self.browser, self.server, viewport)
            page.listening = _listeners(page)
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
        page.js_errors = []
        return page

    def give_back(self, page) -> None:
        try:
            self._reset(page)
        except Exception:  # whatever it is, this tab is not reused
            with contextlib.suppress(Exception):
                page.context.close()
            return
        self.idle.append(page)

    def _reset(self, page) -> None:
        context = page.context
        for other in context.pages:
            if other != page:
                other.close()
        page.bring_to_front()  # (a tab behind another gets a frame a second: test_outbox)
        page.unroute_all(behavior="ignoreErrors")
        context.unroute_all(behavior="ignoreErrors")
        context.set_offline(False)
        page.goto("about:blank")
        if page.evaluate("'__pwClock' in window") or _listeners(page) != page.listening:
            raise RuntimeError("the test changed its context: a clock, or a listener")
        cdp = context.new_cdp_session(page)
        for origin in self.origins:  # (a limit: CDP waits for every store's answer, forever)
            cdp.send("Storage.clearDataForOrigin",
                     {"origin": origin, "storageTypes": CLEARED}, timeout=10_000)
        cdp.detach()
        context.clear_cookies()
        page.emulate_media(media="null")

    def close(self) -> None:
        for page in self.idle:
            with contextlib.suppress(Exception):
                page.context.close()


# What the kiosk's pages keep (session storage goes with local_storage: test_kept_tab).
# Only these, not "all": each other kind is one more store to wait for (4 ms against 19).
CLEARED = "cookies,local_storage,indexeddb,cache_storage,service_workers"


def _listeners(page) -> dict:
    """How many listeners the page and its context have, by event (Playwright's own
    emitters: the public API only adds and removes them)."""
    return {(owner, name): len(emitter.listeners(name))
            for owner, emitter in (("page", page._impl_obj), ("context", page.context._impl_obj))
            for name in emitter.event_names()}


@pytest.fixture(scope="session")
def tabs(browser, worker_server: SharedServer) -> Iterator[Tabs]:
    kept = Tabs(browser, worker_server)
    yield kept
    kept.close()


def _tablet_tab(browser, live_server, tabs: Tabs, viewport: dict):
    """The kept tab; a tablet of its own for a test whose app is served elsewhere."""
    own = live_server.url != tabs.server.url
    page = tablet_page(browser, live_server, viewport) if own else tabs.take(viewport)
    yield page
    errors = page.js_errors
    if own:
        page.context.close()
    else:
        tabs.give_back(page)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


@pytest.fixture
def page(browser, live_server, tabs):
    yield from _tablet_tab(browser, live_server, tabs, TABLET)


@pytest.fixture
def portrait_page(browser, live_server, tabs):
    yield from _tablet_tab(browser, live_server, tabs, PORTRAIT)


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
