"""The style sheets as served (minified by rCSSmin, kiosk/common/assets.py) are the style
sheets as written, rule for rule, as Chromium reads them."""

from __future__ import annotations

import pytest

from kiosk.common import bundle
from kiosk.common.assets import lighten
from kiosk.paths import static_dir

pytestmark = pytest.mark.browser

RULES = """(text) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(text);
  return [...sheet.cssRules].map(rule => rule.cssText);
}"""


def test_every_style_sheet_served_reads_rule_for_rule_as_written(browser):
    page = browser.new_page()
    try:
        sheets = sorted((static_dir() / "css").glob("*.css"))
        assert len(sheets) >= 2
        for sheet in sheets:
            written = sheet.read_text(encoding="utf-8")
            served = lighten(written.encode(), "text/css").decode()
            assert len(served) < len(written) * 0.95, sheet.name  # lighter, not just alike
            rules = page.evaluate(RULES, written)
            assert rules and page.evaluate(RULES, served) == rules, sheet.name
    finally:
        page.close()


def test_the_sale_screen_s_one_sheet_reads_as_its_two(browser):
    """kiosk.css and sell.css joined (kiosk/common/bundle.py) and served: their rules, in
    their order, as Chromium reads them apart."""
    page = browser.new_page()
    try:
        sheets = ["css/kiosk.css", "css/sell.css"]
        joined = bundle.styles(static_dir(), sheets).source
        served = lighten(joined.encode(), "text/css").decode()
        apart = [rule for sheet in sheets
                 for rule in page.evaluate(RULES, (static_dir() / sheet).read_text("utf-8"))]
        assert apart and page.evaluate(RULES, served) == apart
    finally:
        page.close()
