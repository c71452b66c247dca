"""The shape of the app: no import cycle, SQL only in the store, modules of a readable size.

Read from the source with `ast`, so every import counts — also those inside functions, which
hide a cycle from Python's import machinery until the day one of them runs first.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
PACKAGE = "collective.measurement"
MAX_LINES = 900


def _modules() -> dict[str, Path]:
    """{dotted name: file} of the app's code (not its tests or migrations)."""
    found = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP).with_suffix("").parts
        if parts[0] in ("tests", "migrations"):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The app's modules `name` imports: each module named, and each package above it that
    does not contain `name` (its `__init__` runs first)."""
    package = name if _is_package(path) else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            named = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from pkg import mod` imports the module pkg.mod when there is one.
            named = [origin] + [f"{origin}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in named:
            if target not in modules:
                continue
            targets.add(target)
            parent = target.rpartition(".")[0]
            while parent.startswith(PACKAGE + ".") and not name.startswith(parent + "."):
                if parent in modules:
                    targets.add(parent)
                parent = parent.rpartition(".")[0]
    targets.discard(name)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph, as a path that starts and ends with the same module."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_imports_inside_functions_and_packages(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "__init__.py").write_text("from .jobs import run\n")
    (tmp_path / "services" / "jobs.py").write_text("def run():\n    from ..tasks import go\n")
    (tmp_path / "tasks.py").write_text("from .services.jobs import run\n")
    modules = {
        f"{PACKAGE}.services": tmp_path / "services" / "__init__.py",
        f"{PACKAGE}.services.jobs": tmp_path / "services" / "jobs.py",
        f"{PACKAGE}.tasks": tmp_path / "tasks.py",
    }
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph[f"{PACKAGE}.tasks"] == {f"{PACKAGE}.services", f"{PACKAGE}.services.jobs"}
    assert graph[f"{PACKAGE}.services.jobs"] == {f"{PACKAGE}.tasks"}
    assert _cycle(graph) is not None


def test_no_import_cycle_inside_the_app():
    graph = _graph()
    assert len(graph) > 40  # every module is read
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_only_the_store_opens_cursors():
    """Hand-written SQL lives in `store` only: nobody else opens a cursor or reaches the
    driver's connection."""
    found = []
    for name, path in _modules().items():
        if name == f"{PACKAGE}.store" or name.startswith(f"{PACKAGE}.store."):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "cursor":
                found.append(f"{name}:{node.lineno} .cursor")
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "connection"
                and isinstance(node.value, ast.Name)
                and node.value.id == "connection"
            ):
                found.append(f"{name}:{node.lineno} connection.connection")
    assert not found, found


def test_no_module_is_longer_than_the_limit():
    long = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long
