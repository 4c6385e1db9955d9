"""The JavaScript tests of tests/js/, run with Node's own test runner (`node --test`).

Node is not a Python dependency: Debian's `nodejs` package gives it (/usr/bin/node).
Without it the test says so, and fails under KIOSK_TEST_STRICT=1 like a missing browser.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing

HERE = Path(__file__).parent


def test_the_cart_module_under_node():
    node = shutil.which("node")
    if node is None:
        missing("node not found (apt-get install nodejs): tests/js/*.test.mjs did not run")
    result = subprocess.run([node, "--test", "--test-reporter=tap", str(HERE / "cart.test.mjs")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # some tests ran, and none failed (a file that loads but tests nothing also exits 0)
    assert re.search(r"^# pass [1-9]", result.stdout, re.M), result.stdout
    assert re.search(r"^# fail 0$", result.stdout, re.M), result.stdout
