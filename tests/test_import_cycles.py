"""No import loops inside the indexpipe package (docs/engine.md): modules import downwards only.

Every ``import`` counts, those inside functions too (a lazy import hides a loop, it does not remove it); only
imports under ``if TYPE_CHECKING:`` do not, since they never run. Importing ``pkg.sub.mod`` from outside ``pkg.sub``
is also an edge to ``pkg.sub`` (Python runs the sub-package's ``__init__`` first, and a loop through it fails as any
other: duckdb_memory -> ingest.files ran ingest/__init__ -> load -> validate -> duckdb_memory); from inside
``pkg.sub`` it is not, the package being already under way. The top package itself is no edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "dagster_project"


def _modules(root: Path, package: str) -> dict[str, Path]:
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for statement in node.body for n in ast.walk(statement))
    return skipped


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` is, or the one it is an attribute of (``a.b.func`` -> ``a.b``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _parents(module: str) -> list[str]:
    """``a.b.c`` -> ``a.b``, ``a``."""
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    modules = _modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.add(submodule if submodule in modules else node.module)
        owners = {_owner(target, modules) for target in targets} - {None}
        # the sub-packages an import passes through run their __init__ first, unless the importer is inside them
        owners |= {
            parent
            for owner in owners
            for parent in _parents(owner)
            if parent in modules and name != parent and not name.startswith(parent + ".")
        }
        graph[name] = {owner for owner in owners if owner not in (name, package)}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_the_indexpipe_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE_ROOT, "indexpipe")
    assert len(graph) > 50  # the package was found and read
    assert "indexpipe.definitions" in graph["indexpipe.build"]  # a lazy import is an edge
    cycles = import_cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(
        " -> ".join(cycle)
        + " (each: "
        + ", ".join(f"{m} imports {sorted(graph[m] & set(cycle))}" for m in cycle)
        + ")"
        for cycle in cycles
    )


def test_the_cycle_finder_sees_lazy_loops_and_ignores_type_checking_and_parent_packages(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from pkg import a\n",
        # a -> b at import time, b -> c inside a function, c -> a: one loop of three
        "a.py": "from pkg.b import thing\n",
        "b.py": "thing = 1\n\ndef later():\n    from pkg import c\n    return c\n",
        "c.py": "import pkg.a\n",
        # e -> d, and d -> e only for type checkers: no loop
        "d.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg.e import E\n",
        "e.py": "from pkg.d import nothing\n",
        # a submodule importing its package's sibling through the package is not a loop with the package
        "sub/__init__.py": "from pkg.sub import f\n",
        "sub/f.py": "from pkg.sub import g\n",
        "sub/g.py": "",
        # h (outside sub) imports sub.f, so sub's __init__ runs first: an edge to pkg.sub, with no loop here
        "h.py": "from pkg.sub.g import thing\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.b"] == {"pkg.c"} and graph["pkg.d"] == set() and graph["pkg.sub.f"] == {"pkg.sub.g"}
    assert graph["pkg.h"] == {"pkg.sub.g", "pkg.sub"}
    assert import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    # g importing h is a loop through sub's __init__ (h -> sub -> f -> g -> h)
    (package / "sub" / "g.py").write_text("from pkg.h import thing\n")
    assert ["pkg.h", "pkg.sub", "pkg.sub.f", "pkg.sub.g"] in import_cycles(import_graph(tmp_path, "pkg"))
    (package / "sub" / "g.py").write_text("")
    # d and e become a loop when d's import is a real one
    (package / "d.py").write_text("from pkg.e import E\n")
    assert import_cycles(import_graph(tmp_path, "pkg")) == [["pkg.a", "pkg.b", "pkg.c"], ["pkg.d", "pkg.e"]]
