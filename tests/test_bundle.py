"""The sale screen's modules in one file (kiosk/common/bundle.py, issue 29)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.common import bundle
from kiosk.common.assets import static_version
from kiosk.paths import static_dir
from tests.conftest import web_login
from tests.test_tablet import open_drawer

SELL = ["js/till.js", "js/clock.js", "js/pending.js", "js/sell.js", "js/printer-status.js"]


def _graph(entries: list[str]) -> set[str]:
    """Every module the entries import, read from the files with a plain regex."""
    seen, todo = set(), list(entries)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        source = (static_dir() / module).read_text()
        todo += [f"js/{name}" for name in re.findall(r'^import .* from "\./([^"]+)"', source,
                                                     re.M)]
    return seen


def test_the_sale_screen_bundles_its_whole_graph_each_module_once_imports_first():
    made = bundle.bundle(static_dir(), SELL)
    assert set(made.modules) == _graph(SELL) and len(made.modules) == len(set(made.modules))
    for module in made.modules:  # a module runs after everything it imports
        source = (static_dir() / module).read_text()
        for name in re.findall(r'^import .* from "\./([^"]+)"', source, re.M):
            assert made.modules.index(f"js/{name}") < made.modules.index(module)
    assert made.path.startswith("_bundle/") and made.path.endswith("/js/sell.js")
    # import.meta.url still reads as each module's own URL (scan.js finds ../vendor/ by it)
    assert 'new URL("../../../js/scan.js", import.meta.url).href' in made.source
    assert not re.search(r"^\s*(import|export)\b(?!\.meta)", made.source, re.M)


def test_the_bundle_is_a_module_node_can_parse(tmp_path):
    node = shutil.which("node")
    if node is None:
        from tests.conftest import missing

        missing("Node not found (apt-get install nodejs)")
    copy = tmp_path / "bundle.mjs"
    copy.write_text(bundle.bundle(static_dir(), SELL).source)
    checked = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_sell_loads_one_script_that_names_its_modules(demo, client):
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    html = client.get("/sell").get_data(as_text=True)
    scripts = re.findall(r'<script type="module" src="([^"]+)"([^>]*)>', html)
    assert len(scripts) == 1, scripts
    url, attributes = scripts[0]
    assert "/_bundle/" in url and url.endswith("/js/sell.js")
    named = re.search(r'data-modules="([^"]+)"', attributes)[1].split()
    assert set(named) == _graph(SELL)
    served = client.get(url)
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    assert b"const $m_sell = " in served.data
    served.close()


def test_other_pages_keep_their_scripts(demo, client):
    web_login(client, "Vendeuse", "3456")
    html = client.get("/stock").get_data(as_text=True)
    assert "/_bundle/" not in html and "js/till.js" in html and "js/clock.js" in html


def test_a_form_it_does_not_know_loads_module_by_module(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import b from "./b.js";\nb();\n')
    (tmp_path / "js" / "b.js").write_text("export default function () {}\n")
    with pytest.raises(bundle.Unbundlable):
        bundle.bundle(tmp_path, ["js/a.js"])
    assert bundle.written(str(tmp_path), "v1", ["js/a.js"]) is None
    (tmp_path / "js" / "c.js").write_text('import { d } from "./d.js";\n')
    (tmp_path / "js" / "d.js").write_text('import { c } from "./c.js";\nexport const d = 1;\n')
    with pytest.raises(bundle.Unbundlable, match="cycle"):
        bundle.bundle(tmp_path, ["js/c.js"])


def test_the_bundle_is_written_once_and_left_out_of_the_version(tmp_path):
    shutil.copytree(static_dir() / "js", tmp_path / "js")
    before = static_version(str(tmp_path))
    made = bundle.written(str(tmp_path), before, SELL)
    assert made is not None and (tmp_path / made.path).read_text() == made.source
    static_version.cache_clear()
    assert static_version(str(tmp_path)) == before  # derived: not part of the version
    assert bundle.written(str(tmp_path), before, SELL) is made


def test_a_static_folder_it_cannot_write_loads_module_by_module(tmp_path):
    shutil.copytree(static_dir() / "js", tmp_path / "js")
    (tmp_path / bundle.FOLDER).write_text("a file where the folder would go")
    assert bundle.written(str(tmp_path), "v2", SELL) is None


def test_sale_pages_link_one_style_sheet_made_of_kiosk_css_and_sell_css(demo, client):
    open_drawer(client)
    web_login(client, "Vendeuse", "3456")
    html = client.get("/sell").get_data(as_text=True)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(sheets) == 1 and "/_bundle/" in sheets[0] and sheets[0].endswith("/css/sell.css")
    served = client.get(sheets[0])
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    served.close()
    joined = (static_dir() / sheets[0].split("/", 3)[3]).read_text(encoding="utf-8")
    written = [(static_dir() / "css" / name).read_text(encoding="utf-8").rstrip()
               for name in ("kiosk.css", "sell.css")]
    assert joined.split("\n", 1)[1] == "\n".join(written) + "\n"  # (after its own comment)
    other = client.get("/stock").get_data(as_text=True)
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', other)[0].endswith(
        "/css/kiosk.css")


def test_style_sheets_it_cannot_join_are_linked_one_by_one(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("a { color: red }\n")
    (tmp_path / "css" / "b.css").write_text('@import "c.css";\n')
    (tmp_path / "css" / "d.css").write_text(".x { background: url(pic.png) }\n")
    (tmp_path / "css" / "e.css").write_text('.y { background: url("/static/p.png") }\n')
    for bad in ("css/b.css", "css/d.css", "css/missing.css", "../etc/passwd"):
        with pytest.raises(bundle.Unbundlable):
            bundle.styles(tmp_path, ["css/a.css", bad])
        assert bundle.styles_written(str(tmp_path), "v1", ["css/a.css", bad]) is None
    made = bundle.styles_written(str(tmp_path), "v1", ["css/a.css", "css/e.css"])
    assert made is not None and (tmp_path / made.path).read_text().endswith(
        'a { color: red }\n.y { background: url("/static/p.png") }\n')


def test_git_ignores_the_bundles():
    ignored = (Path(__file__).resolve().parent.parent / ".gitignore").read_text()
    assert f"static/{bundle.FOLDER}/" in ignored.splitlines()


ACORN = Path(__file__).resolve().parent / "vendor" / "acorn.mjs"
SAME_PROGRAM = """
import * as acorn from %s;
import { readFileSync } from "node:fs";
const tree = (file) => JSON.stringify(
  acorn.parse(readFileSync(file, "utf8"), { ecmaVersion: "latest", sourceType: "module" }),
  (key, value) => (key === "start" || key === "end" || key === "raw") ? undefined : value);
const [written, minified] = process.argv.slice(2).map(tree);
if (written !== minified) { console.error("not the same program"); process.exit(1); }
console.log(written.length);
"""


def test_the_minified_bundle_is_the_same_program_as_the_modules_written(tmp_path):
    """rJSmin takes out comments and whitespace only: parsed (acorn, vendored), the bundle
    of the modules as written and the minified one are the same syntax tree, node for
    node (positions aside), and the minified one is lighter."""
    node = shutil.which("node")
    if node is None:
        from tests.conftest import missing

        missing("Node not found (apt-get install nodejs)")
    written = bundle.bundle(static_dir(), SELL, minify=False).source
    minified = bundle.bundle(static_dir(), SELL).source
    assert len(minified) < len(written) * 0.85
    (tmp_path / "written.mjs").write_text(written)
    (tmp_path / "minified.mjs").write_text(minified)
    (tmp_path / "same.mjs").write_text(SAME_PROGRAM % json.dumps(ACORN.as_uri()))
    checked = subprocess.run([node, str(tmp_path / "same.mjs"), str(tmp_path / "written.mjs"),
                              str(tmp_path / "minified.mjs")], capture_output=True, text=True,
                             timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert int(checked.stdout) > 100_000  # a whole tree was compared, not an empty one
