"""The shape every app keeps, read from the source with `ast` (so imports inside functions count
too — they hide a cycle from Python's import machinery until the day one of them runs first):
no import cycle inside an app, no module longer than about 900 lines, and the core never
imports a condition app or the API app (they plug into it through the registry and hooks)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "collective"
APPS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists())
MAX_LINES = 900


def _modules(app: str) -> dict[str, Path]:
    """{dotted name: file} of an app's code (not its tests or migrations)."""
    base = ROOT / app
    found = {}
    for path in base.rglob("*.py"):
        parts = path.relative_to(base).with_suffix("").parts
        if parts[0] in ("tests", "migrations"):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(("collective", app, *parts))] = path
    return found


def _named(name: str, path: Path) -> set[str]:
    """Every dotted name `name` imports (absolute; `from a import b` names a and a.b)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            named |= {origin} | {f"{origin}.{alias.name}" for alias in node.names}
    return named


def _imports(name: str, path: Path, modules: dict[str, Path], app: str) -> set[str]:
    """The app's modules `name` imports: each module named, and each package above it that
    does not contain `name` (its `__init__` runs first)."""
    prefix = f"collective.{app}."
    targets: set[str] = set()
    for target in _named(name, path):
        if target not in modules:
            continue
        targets.add(target)
        parent = target.rpartition(".")[0]
        while parent.startswith(prefix) and not name.startswith(parent + "."):
            if parent in modules:
                targets.add(parent)
            parent = parent.rpartition(".")[0]
    targets.discard(name)
    return targets


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
        "collective.x.services": tmp_path / "services" / "__init__.py",
        "collective.x.services.jobs": tmp_path / "services" / "jobs.py",
        "collective.x.tasks": tmp_path / "tasks.py",
    }
    graph = {name: _imports(name, path, modules, "x") for name, path in modules.items()}
    assert graph["collective.x.tasks"] == {"collective.x.services", "collective.x.services.jobs"}
    assert graph["collective.x.services.jobs"] == {"collective.x.tasks"}
    assert _cycle(graph) is not None


def test_every_app_is_read():
    assert {"core", "agenda", "measurement", "activities", "communication", "api"} <= set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_inside_an_app(app):
    modules = _modules(app)
    graph = {name: _imports(name, path, modules, app) for name, path in modules.items()}
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("app", APPS)
def test_modules_stay_readable(app):
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules(app).values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these by capability (at most about {MAX_LINES} lines): {long}"


def test_the_core_names_no_condition_app():
    """The core knows condition apps only through the registry (collective/core/conditions.py)
    and hooks; the API app only wires URLs onto the core's API infrastructure."""
    others = tuple(f"collective.{app}" for app in APPS if app != "core")
    offenders = {}
    for name, path in _modules("core").items():
        bad = sorted(t for t in _named(name, path) if t.startswith(others))
        if bad:
            offenders[name] = bad
    assert not offenders, offenders
