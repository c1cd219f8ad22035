"""Configuration is read in one place: no module of the assistant but
``kefu/settings.py`` looks at the environment. Copying the whole environment
for a child process (``dict(os.environ)``, ``os.environ.copy()``) reads no
variable and is allowed."""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent
from typing import Dict, List, Optional

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS = PROJECT_ROOT / "kefu" / "settings.py"
_ENVIRONMENT_NAMES = ("environ", "environb", "getenv", "getenvb")


def environment_reads(source: str) -> List[int]:
    """The lines of ``source`` that use the environment other than by copying it whole."""
    tree = ast.parse(source)
    parents: Dict[ast.AST, ast.AST] = {
        child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
    }
    os_names = {"os"}
    environment_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names.update(alias.asname or alias.name for alias in node.names if alias.name == "os")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            environment_names.update(
                alias.asname or alias.name for alias in node.names if alias.name in _ENVIRONMENT_NAMES
            )
    lines = []
    for node in ast.walk(tree):
        is_os_attribute = (
            isinstance(node, ast.Attribute)
            and node.attr in _ENVIRONMENT_NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        )
        is_imported_name = isinstance(node, ast.Name) and node.id in environment_names
        if (is_os_attribute or is_imported_name) and not _copied_whole(node, parents):
            lines.append(node.lineno)
    return sorted(lines)


def _copied_whole(node: ast.AST, parents: Dict[ast.AST, ast.AST]) -> bool:
    parent: Optional[ast.AST] = parents.get(node)
    if isinstance(parent, ast.Call) and parent.args == [node] and not parent.keywords:
        return isinstance(parent.func, ast.Name) and parent.func.id == "dict"
    if isinstance(parent, ast.Attribute) and parent.attr == "copy":
        call = parents.get(parent)
        return isinstance(call, ast.Call) and call.func is parent and not call.args
    return False


def _modules() -> List[Path]:
    return sorted(
        path
        for folder in ("kefu", "actions")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if path != SETTINGS
    )


def test_only_the_settings_read_the_environment():
    readers = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}"
        for path in _modules()
        for line in environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_the_settings_do_read_it():
    assert environment_reads(SETTINGS.read_text(encoding="utf-8"))


def test_every_way_of_reading_the_environment_is_found():
    source = dedent(
        """\
        import os
        import os as operating_system
        from os import environ, getenv as variable
        a = os.environ.get("A")
        b = os.getenv("B")
        c = operating_system.environ["C"]
        d = environ.get("D")
        e = variable("E")
        f = "F" in os.environ
        """
    )
    assert environment_reads(source) == [4, 5, 6, 7, 8, 9]


def test_copying_the_whole_environment_is_not_reading_it():
    source = dedent(
        """\
        import os
        child = dict(os.environ)
        other = os.environ.copy()
        """
    )
    assert environment_reads(source) == []
