"""The direction of the imports (docs/architecture.md): a module imports only its own layer and
those below, and no two apps' domain modules import each other, however indirectly.

Every module of the project's packages is read with `ast`, its imports at the top and inside
functions alike. No database.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "lib", "targets", "groups", "chains", "access", "projects", "leads", "landing", "supervision", "figures", "reports", "backup",
    "fuling_invest",
)  # fmt: skip

LIBRARY, REFERENCE, ACCESS, FACTS, FIGURES, DOCUMENTS, INTERFACE = range(7)
LAYER_NAMES = ["library", "reference", "access", "facts", "figures", "documents", "interface"]
LAYERS = {
    "lib": LIBRARY,
    "targets": REFERENCE,
    "groups": REFERENCE,  # the 12 groups are reference data; their totals are figures
    "chains": REFERENCE,  # the district's industry chains
    "access": ACCESS,
    "projects": FACTS,
    "leads": FACTS,  # target enterprises, leads, activities, the stored weekly index
    "landing": FACTS,  # milestones, signing events
    "supervision": FACTS,  # key tasks and their quarterly reports, the groups' reports
    "figures": FIGURES,
    "reports": DOCUMENTS,
    "backup": DOCUMENTS,
    "fuling_invest": INTERFACE,
}
# Pages and their wiring sit on top whatever app they live in: a view may read any layer.
INTERFACE_PARTS = {"views", "urls", "admin", "forms", "templatetags", "management", "context", "apps", "migrations"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES if (ROOT / package).is_dir() for path in (ROOT / package).rglob("*.py")}


def layer_of(module: str) -> int:
    if INTERFACE_PARTS & set(module.split(".")[1:]):
        return INTERFACE
    prefix = max((name for name in LAYERS if module == name or module.startswith(name + ".")), key=len)
    return LAYERS[prefix]


def app_of(module: str) -> str:
    return module.split(".")[0]


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of a project module, wherever it is written."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from figures import assessment` imports figures.assessment
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in PACKAGES]
    return found


MODULES = project_modules()


def test_every_app_has_a_layer():
    """A package left out of LAYERS would never be scanned: every top-level package has one."""
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == set(LAYERS)


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{path.relative_to(ROOT)}:{line} ({LAYER_NAMES[layer_of(module)]}) imports {imported} ({LAYER_NAMES[layer_of(imported)]})"
        for module, path in MODULES.items()
        for line, imported in imports_of(module, path)
        if layer_of(imported) > layer_of(module)
    ]
    assert not upward, "\n".join(upward)


def test_the_reference_layer_imports_no_other_app():
    outside = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for module, path in MODULES.items()
        if layer_of(module) == REFERENCE
        for line, imported in imports_of(module, path)
        if app_of(imported) not in (app_of(module), "targets", "groups", "lib")  # its own app, or below
    ]
    assert not outside, "\n".join(outside)


def test_no_two_apps_domain_modules_import_each_other():
    """The apps' dependency graph, interface modules left out, has no cycle."""
    edges: dict[str, dict[str, str]] = {}
    for module, path in MODULES.items():
        if layer_of(module) == INTERFACE:
            continue
        for line, imported in imports_of(module, path):
            if layer_of(imported) != INTERFACE and app_of(imported) != app_of(module):
                edges.setdefault(app_of(module), {}).setdefault(app_of(imported), f"{path.relative_to(ROOT)}:{line} imports {imported}")
    cycles = [
        f"{a} ↔ {b}: {edges[a][b]}; {_path(edges, b, a)}"
        for a in edges
        for b in edges[a]
        if _path(edges, b, a)
    ]
    assert not cycles, "\n".join(cycles)


def _path(edges: dict[str, dict[str, str]], start: str, goal: str) -> str:
    """The first import of a chain of apps from `start` to `goal`, or "" if there is none."""
    seen, todo = {start}, [(start, "")]
    while todo:
        app, first = todo.pop()
        for nxt, where in edges.get(app, {}).items():
            if nxt == goal:
                return first or where
            if nxt not in seen:
                seen.add(nxt)
                todo.append((nxt, first or where))
    return ""


# Imports written inside a function, each with why it is not at the top. A new one fails the
# test: an import that only dodges a cycle says the code sits in the wrong layer.
FUNCTION_LEVEL_IMPORTS: set[tuple[str, str]] = {
    # Django's way to connect signal receivers: in AppConfig.ready, once the models are loaded.
    ("projects.apps", "projects.landing_facts"),
}


def test_no_new_import_is_written_inside_a_function():
    inside = set()
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        lines = {node.lineno for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top}
        inside |= {(module, imported, line) for line, imported in imports_of(module, path) if line in lines}
    unexpected = [f"{module} line {line} imports {imported}" for module, imported, line in sorted(inside) if (module, imported) not in FUNCTION_LEVEL_IMPORTS]
    assert not unexpected, "\n".join(unexpected)


def test_the_test_sees_an_upward_import(tmp_path):
    """The walk itself: a relative and a function-level import are both found."""
    source = "from . import scoring\n\ndef f():\n    from figures.assessment import assess\n"
    path = tmp_path / "_probe.py"
    path.write_text(source, encoding="utf-8")
    found = imports_of("targets._probe", path)
    assert found == [(1, "targets.scoring"), (4, "figures.assessment")]
    assert layer_of("figures.assessment") > layer_of("targets._probe")
    assert layer_of("targets.views.dashboard") == INTERFACE and layer_of("access.roles") == ACCESS
