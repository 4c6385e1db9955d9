"""A page's ES modules in one file: the sale screen in a few requests (issue 29).

The sale screen runs thirteen modules three imports deep: thirteen requests, and a round
trip per level of imports on a weak Wi-Fi. A page that names its modules (`page_modules`
in its template, see templates/base.html) gets them, with everything they import, as one
file made from static/js at the first page that asks (`module_scripts`): each module
wrapped in a function of its own (its names stay its own), run once, in the order the
browser would run them (depth first, imports before the module, each once), its exports
handed to the modules that import it. Nothing to install and no build to remember: a
module added to the graph is in the next bundle.

Only the simple forms static/js uses are understood: `import { a, b as c } from "./x.js";`
on one line and `export function|async function|class|const|let` declarations. Any other
form (a default export, `export { … }`, `import * as`, a module outside static/js, two
modules exporting the same name) makes `bundle` refuse, and the page then loads its
modules one by one as before; tests/test_bundle.py checks static/js bundles.

The file is written under static/_bundle/KEY/js/MAIN.js (KEY: a hash of the modules it
holds), so that relative URLs (`../vendor/…`) need nothing, and it is served like any
static file: versioned URL, kept a year, gzipped once. Each module's code goes in it
minified by rJSmin (kiosk/common/rjsmin.py, vendored): comments and the whitespace no
statement needs go, names and tokens stay as written (3 KB less on the wire gzipped: a
sixth of the sale screen's script; the modules as written are what other pages load).
`import.meta.url` in a module reads as the module's own URL, as before. The folder is derived data:
ignored by git and by the static version's hash. If static/ cannot be written (an
installation read-only for the service), the page loads its modules one by one.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.common import rjsmin

FOLDER = "_bundle"
IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"(\./[A-Za-z0-9_.-]+\.js)"\s*;?[ \t]*$',
                    re.M)
ANY_IMPORT = re.compile(r"^\s*import\b(?!\.meta|\s*\()", re.M)
EXPORT = re.compile(
    r"^export\s+((?:async\s+)?function\*?\s+|class\s+|const\s+|let\s+)([A-Za-z_$][\w$]*)",
    re.M)
ANY_EXPORT = re.compile(r"^\s*export\b", re.M)
_lock = threading.Lock()


class Unbundlable(ValueError):
    """A module in a form the bundler does not understand: load the modules one by one."""


@dataclass(frozen=True)
class Bundle:
    path: str  # under static/: _bundle/KEY/js/MAIN.js
    modules: tuple[str, ...]  # every module it holds, in the order they run
    source: str


def _name(module: str) -> str:
    return "$m_" + re.sub(r"\W", "_", Path(module).stem)


def _parse(folder: Path, module: str) -> tuple[str, list[tuple[str, list[str]]], list[str]]:
    path = (folder / module).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        raise Unbundlable(f"{module}: not a file of static/")
    source = path.read_text(encoding="utf-8")
    imports = []
    for match in IMPORT.finditer(source):
        names = [n.strip() for n in match[1].split(",") if n.strip()]
        target = str(Path(module).parent / match[2][2:])
        imports.append((target, names))
    if len(ANY_IMPORT.findall(source)) != len(imports):
        raise Unbundlable(f"{module}: an import of another form")
    exports = [m[2] for m in EXPORT.finditer(source)]
    if len(ANY_EXPORT.findall(source)) != len(exports):
        raise Unbundlable(f"{module}: an export of another form")
    return source, imports, exports


def bundle(folder: Path, entries: Sequence[str], minify: bool = True) -> Bundle:
    """The modules `entries` (paths under static/, as the page's script tags name them)
    and all they import, as one module's source (each module minified unless told not)."""
    order: list[str] = []
    parsed: dict[str, tuple[str, list[tuple[str, list[str]]], list[str]]] = {}
    visiting: set[str] = set()

    def visit(module: str) -> None:
        if module in visiting:
            raise Unbundlable(f"{module}: an import cycle")
        if module in parsed:
            return
        visiting.add(module)
        parsed[module] = _parse(folder, module)
        for target, _names in parsed[module][1]:
            visit(target)
        visiting.discard(module)
        order.append(module)

    for entry in entries:
        visit(entry)
    key = hashlib.sha256("\n".join(order).encode()).hexdigest()[:10]
    main = entries[-1] if len(entries) == 1 else next(
        (e for e in entries if Path(e).stem not in ("till", "clock", "pending")), entries[-1])
    path = f"{FOLDER}/{key}/{main}"
    depth = path.count("/")
    parts = ["// Made by kiosk/common/bundle.py from static/: "
             + ", ".join(order) + ". Edit those, not this."]
    for module in order:
        source, _imports, exports = parsed[module]
        own_url = '"' + "../" * depth + module + '"'
        body = IMPORT.sub(lambda m, module=module: _destructure(m, module), source)
        body = re.sub(r"^export\s+", "", body, flags=re.M)
        if minify:
            body = rjsmin.jsmin(body)
        body = body.replace("import.meta.url", f"new URL({own_url}, import.meta.url).href")
        returned = ", ".join(exports)
        parts.append(f"// {module}\nconst {_name(module)} = (() => {{\n{body.rstrip()}\n"
                     f"return {{ {returned} }};\n}})();")
    return Bundle(path, tuple(order), "\n".join(parts) + "\n")


def _destructure(match: re.Match, module: str) -> str:
    target = str(Path(module).parent / match[2][2:])
    names = []
    for item in (n.strip() for n in match[1].split(",")):
        if not item:
            continue
        original, _, alias = (part.strip() for part in item.partition(" as "))
        names.append(f"{original}: {alias}" if alias else original)
    return f"const {{ {', '.join(names)} }} = {_name(target)};"


_made: dict[tuple[str, str, tuple[str, ...]], Bundle | None] = {}


def written(static_folder: str, version: str, entries: Sequence[str]) -> Bundle | None:
    """The bundle of `entries`, written under static/_bundle once per static version; None
    when the modules cannot be bundled or the file cannot be written."""
    return _once((static_folder, version, tuple(entries)), static_folder, entries, bundle)


def styles(folder: Path, sheets: Sequence[str]) -> Bundle:
    """A page's style sheets (paths under static/, in the order of their link tags) as
    one sheet: their text one after the other, which the cascade reads as it read them
    apart (none holds an @import, an @charset or a relative url(): checked here). One
    request less on the sale screen, and one compression over both (600 bytes less with
    the request's headers)."""
    parts = ["/* Made by kiosk/common/bundle.py from static/: " + ", ".join(sheets)
             + ". Edit those, not this. */"]
    for sheet in sheets:
        path = (folder / sheet).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            raise Unbundlable(f"{sheet}: not a file of static/")
        source = path.read_text(encoding="utf-8")
        if re.search(r"@import|@charset|url\(\s*(?!['\"]?(?:data:|/))", source):
            raise Unbundlable(f"{sheet}: an @import, @charset or relative url()")
        parts.append(source.rstrip())
    key = hashlib.sha256("\n".join(sheets).encode()).hexdigest()[:10]
    return Bundle(f"{FOLDER}/{key}/{sheets[-1]}", tuple(sheets), "\n".join(parts) + "\n")


def styles_written(static_folder: str, version: str, sheets: Sequence[str]) -> Bundle | None:
    """The one sheet of `sheets`, written under static/_bundle once per static version;
    None when it cannot be (the page then links each sheet)."""
    return _once((static_folder, version, ("css", *sheets)), static_folder, sheets, styles)


def _once(key: tuple[str, str, tuple[str, ...]], static_folder: str, entries: Sequence[str],
          make: Callable[[Path, Sequence[str]], Bundle]) -> Bundle | None:
    """`make`'s file written once per key (the static version in it), whichever thread
    asks first."""
    if key in _made:
        return _made[key]
    with _lock:
        if key not in _made:
            _made[key] = _write(Path(static_folder), entries, make)
    return _made[key]


def _write(folder: Path, entries: Sequence[str],
           make: Callable[[Path, Sequence[str]], Bundle]) -> Bundle | None:
    try:
        made = make(folder, entries)
    except Unbundlable:
        return None
    target = folder / made.path
    data = made.source.encode("utf-8")
    try:
        if target.is_file() and target.read_bytes() == data:
            return made
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".bundle-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)  # whole or not at all, whoever reads it meanwhile
    except OSError:
        return None
    return made
