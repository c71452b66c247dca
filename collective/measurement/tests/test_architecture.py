"""Shared measurement's own rule: hand-written SQL lives in `store` only. (No import cycle and
modules of a readable size hold for every app: tests/test_architecture.py.)"""

from __future__ import annotations

import ast

from tests.test_architecture import _modules

PACKAGE = "collective.measurement"


def test_only_the_store_opens_cursors():
    """Nobody outside `store` opens a cursor or reaches the driver's connection."""
    modules = _modules("measurement")
    assert len(modules) > 40  # every module is read
    found = []
    for name, path in modules.items():
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
