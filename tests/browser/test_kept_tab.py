"""The tablet tab the browser tests of a worker share (tests/browser/conftest.py, Tabs)
comes back to each test as a new tab would: nothing the last test's pages kept is there, and
a tab that cannot be put back so is never handed out again."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import TABLET, tablets_closed_after

pytestmark = pytest.mark.browser

KEEP_EVERYTHING = """async () => {
  sessionStorage.setItem("kept", "1");
  localStorage.setItem("kept", "1");
  document.cookie = "kept=1; path=/";
  await new Promise((done, failed) => {
    const open = indexedDB.open("kept", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("rows");
    open.onsuccess = () => { open.result.close(); done(); };
    open.onerror = failed;
  });
}"""
WHAT_IS_KEPT = """async () => [sessionStorage.getItem("kept"), localStorage.getItem("kept"),
  document.cookie.includes("kept="), (await indexedDB.databases()).map((db) => db.name)]"""


def test_a_kept_tab_comes_back_with_nothing_the_last_test_kept(live_server, tabs):
    page = tabs.take(TABLET)
    page.goto("/login")
    page.evaluate(KEEP_EVERYTHING)
    assert page.evaluate(WHAT_IS_KEPT) == ["1", "1", True, ["kept"]]
    other = page.context.new_page()  # a second tab the test left open
    page.route("**/login", lambda route: route.abort())
    page.context.set_offline(True)
    tabs.give_back(page)

    again = tabs.take({"width": 800, "height": 1280})
    try:
        assert again is page and other.is_closed()
        assert again.url == "about:blank" and again.viewport_size == {"width": 800,
                                                                      "height": 1280}
        again.goto("/login")  # online again, and not routed
        assert again.evaluate(WHAT_IS_KEPT) == [None, None, False, []]
    finally:
        tabs.give_back(again)


def test_a_tab_with_the_clock_installed_is_never_handed_out_again(live_server, tabs):
    page = tabs.take(TABLET)
    page.clock.install()
    page.goto("/login")
    tabs.give_back(page)
    assert page.is_closed() and page not in tabs.idle


def test_the_contexts_a_test_left_open_are_closed_after_it(browser, tabs):
    """A failed test's treasurer phone would go on asking the shared server, which by then
    serves the next test's app."""
    kept = tabs.take(TABLET)
    try:
        with tablets_closed_after(browser, tabs):
            phone = browser.new_context()
            phone.new_page()
        assert phone not in browser.contexts
    finally:
        tabs.give_back(kept)
    assert kept.context in browser.contexts  # the kept tab stays


def test_between_two_tests_the_shared_server_serves_no_app(demo, worker_server):
    with worker_server.serving(demo):
        assert urllib.request.urlopen(worker_server.url + "/login", timeout=10).status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(worker_server.url + "/login", timeout=10)
    assert refused.value.code == 503
