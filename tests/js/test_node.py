"""The JavaScript tests of tests/js/, run with Node's own test runner (`node --test`): the
rules of the sale screen's modules, with no page (static/js/cart.js, sale.js, pay.js…).

Node is not a Python dependency: Debian's `nodejs` package gives it (/usr/bin/node).
Without it the test says so, and fails under KIOSK_TEST_STRICT=1 like a missing browser.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import missing

HERE = Path(__file__).parent
JS = HERE.parent.parent / "static" / "js"
# The sale screen's rules: no page in them (the wiring is sell.js and its sell_*.js).
RULES = ("cart.js", "sale.js", "pay.js", "done.js", "refused.js", "finder.js", "gift.js",
         "words.js", "cart_store.js")
PAGE = re.compile(r"\b(document|window)\b|querySelector|addEventListener|\.hidden\b|textContent"
                  r"|innerHTML|\bfocus\(")
# Every file of tests/js but the cart's, which has a test of its own below.
MODULES = sorted(p.name for p in HERE.glob("*.test.mjs") if p.name != "cart.test.mjs")


def _run_under_node(name: str) -> None:
    node = shutil.which("node")
    if node is None:
        missing("node not found (apt-get install nodejs): tests/js/*.test.mjs did not run")
    result = subprocess.run([node, "--test", "--test-reporter=tap", str(HERE / name)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # some tests ran, and none failed (a file that loads but tests nothing also exits 0)
    assert re.search(r"^# pass [1-9]", result.stdout, re.M), result.stdout
    assert re.search(r"^# fail 0$", result.stdout, re.M), result.stdout


def test_the_cart_module_under_node():
    _run_under_node("cart.test.mjs")


def test_every_rule_module_of_the_sale_screen_has_its_node_tests():
    assert {"sale.test.mjs", "pay.test.mjs", "done.test.mjs", "refused.test.mjs",
            "gift.test.mjs", "finder.test.mjs"} <= set(MODULES), MODULES


@pytest.mark.parametrize("module", RULES)
def test_the_rules_of_the_sale_screen_touch_no_page(module):
    code = [line for line in (JS / module).read_text().splitlines()
            if not line.lstrip().startswith("//")]
    touching = [line.strip() for line in code if PAGE.search(line)]
    assert not touching, (module, touching)
    imported = re.findall(r'^import .* from "\./([^"]+)"', "\n".join(code), re.M)
    assert not [name for name in imported if name.startswith("sell")], (module, imported)


@pytest.mark.parametrize("name", MODULES)
def test_the_sale_screen_modules_under_node(name):
    _run_under_node(name)
