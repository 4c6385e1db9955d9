"""The import map stays a map: no circle among the kiosk's modules nor its packages, the
layers stand in order (models, ledger, rules, documents, pages and API, entry points),
the ledger stands on the models alone, and printer/ knows nothing of the kiosk.

Read from the source with ast, so an import inside a function counts too: a lazy import
is how a circle hides, and hiding it is what these tests refuse (a kiosk module imported
inside a function is refused outright; a third-party library may be, for start-up speed).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The packages a request goes through before it reaches a service: they may all import
# kiosk.common, the services and the models, never each other in a circle.
AREAS = ("kiosk.admin", "kiosk.api", "kiosk.auth", "kiosk.cash", "kiosk.common",
         "kiosk.envelopes", "kiosk.main", "kiosk.meeting", "kiosk.partner_orders", "kiosk.reports",
         "kiosk.sell", "kiosk.start", "kiosk.stock", "kiosk.tablet")
# The app factory and the command line load the app's parts when called (the blueprints,
# a command's services): nothing below them imports them back, so no circle hides there.
ENTRY_POINTS = ("kiosk", "kiosk.cli", "kiosk.serve", "kiosk.journal_check")
# What the areas stand on, from the bottom (docs/architecture.md, "The layers"): a package
# imports its own layer and the ones below it, never one above. Every package or module
# of kiosk/ is an area, an entry point or in one of these.
FOUNDATIONS = ("kiosk.config", "kiosk.database", "kiosk.errors", "kiosk.extensions",
               "kiosk.mdns", "kiosk.models", "kiosk.paths", "kiosk.private", "kiosk.schema",
               "kiosk.text", "kiosk.tls", "kiosk.translations", "kiosk.vocabulary")
LEDGER = "kiosk.ledger"
RULES = ("kiosk.box", "kiosk.demo", "kiosk.sales", "kiosk.services")
DOCUMENTS = ("kiosk.documents",)
LAYERS = (FOUNDATIONS, (LEDGER,), RULES, DOCUMENTS, AREAS, ENTRY_POINTS)
BELOW_THE_AREAS = (*FOUNDATIONS, LEDGER, *RULES, *DOCUMENTS)
# The ledger (the journal, the rows and their one writer, the numbers, money) stands on
# these alone, so that every money event can go through it (docs/architecture.md, "One
# way in").
LEDGER_STANDS_ON = ("kiosk.models", "kiosk.database", "kiosk.extensions", "kiosk.vocabulary",
                    "kiosk.errors", "kiosk.text")


def modules(package: str) -> dict[str, Path]:
    """Dotted name → file, for every module of `package` (its migrations excepted)."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if "migrations" in parts:
            continue  # Alembic scripts, loaded by Alembic, never imported
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The modules of `known` that `name` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def owner(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # `from kiosk import labels` imports the module kiosk.labels, not kiosk
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in targets:
            found = owner(target)
            if found is not None and found != name:
                yield found


def imports_inside_functions(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of each import of a kiosk module made inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            for name in names:
                if name == "kiosk" or name.startswith(("kiosk.", ".")):
                    yield node.lineno, name


def graph(package: str) -> dict[str, set[str]]:
    known = modules(package)
    return {name: set(imported(name, path, known)) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def collapsed(edges: dict[str, set[str]], depth: int = 2) -> dict[str, set[str]]:
    """The same graph between packages: kiosk.api.routes_sales counts as kiosk.api."""
    def top(name: str) -> str:
        return ".".join(name.split(".")[:depth])

    packages: dict[str, set[str]] = {}
    for name, targets in edges.items():
        packages.setdefault(top(name), set()).update(
            top(t) for t in targets if top(t) != top(name))
    return packages


def test_no_import_cycle_among_kiosk_modules():
    # A blueprint's modules import their package's `bp` while the package imports them
    # (Flask's idiom): an import of one's own parent package is not a circle.
    edges = {name: {t for t in targets if not name.startswith(t + ".")}
             for name, targets in graph("kiosk").items()}
    assert cycles(edges) == []


def test_the_areas_are_in_no_package_cycle():
    tangled = [group for group in cycles(collapsed(graph("kiosk")))
               if set(group) & set(AREAS)]
    assert tangled == []


def test_common_imports_no_area():
    edges = collapsed(graph("kiosk"))
    assert edges["kiosk.common"] & set(AREAS) == set()


def test_printer_imports_nothing_from_the_kiosk():
    for path in sorted((ROOT / "printer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "kiosk" or n.startswith("kiosk.") for n in names), path


def test_no_package_circle():
    """No two packages import each other, however far round: kiosk.sales and kiosk.services
    did while the ledger's writer lived in one and its journal in the other."""
    assert cycles(collapsed(graph("kiosk"))) == []


def test_each_layer_imports_only_its_own_and_the_ones_below():
    layer_of = {package: level for level, layer in enumerate(LAYERS) for package in layer}
    edges = collapsed(graph("kiosk"))
    assert sorted(set(edges) - set(layer_of)) == []
    upward = sorted(f"{package} imports {target}" for package, targets in edges.items()
                    for target in targets if layer_of[target] > layer_of[package])
    assert upward == []


def test_no_kiosk_module_is_imported_inside_a_function():
    hidden = [f"{name}:{line} imports {target}"
              for name, path in modules("kiosk").items() if name not in ENTRY_POINTS
              for line, target in imports_inside_functions(path)]
    assert hidden == []


def test_the_entry_points_are_imported_by_no_module_below_them():
    edges = graph("kiosk")
    importers = sorted(name for name, targets in edges.items()
                       if name not in ENTRY_POINTS and targets & set(ENTRY_POINTS[1:]))
    assert importers == []


def test_every_package_is_an_area_or_below_them():
    packages = {".".join(name.split(".")[:2]) for name in modules("kiosk")} - {"kiosk"}
    assert sorted(packages - set(AREAS) - set(BELOW_THE_AREAS) - set(ENTRY_POINTS)) == []
    blueprints = {f"kiosk.{path.parent.name}" for path in (ROOT / "kiosk").glob("*/__init__.py")
                  if "Blueprint(" in path.read_text(encoding="utf-8")}
    assert blueprints <= set(AREAS)


def test_the_ledger_stands_on_the_models_alone():
    edges = graph("kiosk")
    ledger = [name for name in edges if name == LEDGER or name.startswith(LEDGER + ".")]
    assert {f"{LEDGER}.{name}" for name in ("journal", "money", "numbering", "rows",
                                            "write")} <= set(ledger)
    allowed = (LEDGER, *LEDGER_STANDS_ON)
    above = {name: sorted(t for t in edges[name]
                          if not any(t == a or t.startswith(a + ".") for a in allowed))
             for name in ledger}
    assert above == {name: [] for name in ledger}


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "lazy.py"
    source.write_text("import json\n\ndef f():\n    import fpdf\n"
                      "    from kiosk.sales import rows\n    from . import sibling\n",
                      encoding="utf-8")
    assert list(imports_inside_functions(source)) == [(5, "kiosk.sales"), (6, ".")]


def test_the_checker_sees_a_circle():
    """The tests above would pass on a checker that finds nothing: this one may not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
