"""Every template and phrase the Python code names exists in data/responses/ (defined once: the loader refuses a
name defined twice, tests/storage/test_responses.py)."""

import ast
import re
from pathlib import Path

import pytest

from kefu.replies import phrases, templates

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "kefu").rglob("*.py"), *(ROOT / "actions").rglob("*.py")])

# Calls whose argument at this position names a template, or a phrase.
TEMPLATE_CALLS = {"render": 0, "render_with_buttons": 0, "say": 1}
PHRASE_CALLS = {"Phrase": 0, "phrase_text": 0, "plain_phrase": 0}


def _function_name(call: ast.Call) -> str:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", "")


def _names_in(node: ast.AST):
    """The strings and f-strings an expression may give: both branches of an `if`, the values of
    a dict it looks up (``{OUT_OF_CHART: "size_out_of_chart"}.get(status, "size_advice")``) …"""
    if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value) or isinstance(node, ast.JoinedStr):
        yield node
    elif isinstance(node, ast.IfExp):
        yield from (name for branch in (node.body, node.orelse) for name in _names_in(branch))
    elif isinstance(node, ast.BoolOp):
        yield from (name for value in node.values for name in _names_in(value))
    elif isinstance(node, ast.Dict):
        yield from (name for value in node.values for name in _names_in(value))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Dict):
        yield from (name for part in (node.func.value, *node.args) for name in _names_in(part))


def _named(tree: ast.AST):
    """(kind, string or f-string node) for every template or phrase the code names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for calls, kind in ((TEMPLATE_CALLS, "template"), (PHRASE_CALLS, "phrase")):
                position = calls.get(_function_name(node))
                if position is not None and len(node.args) > position:
                    argument = node.args[position]
                    if isinstance(argument, (ast.Constant, ast.JoinedStr, ast.IfExp)):
                        yield from ((kind, name) for name in _names_in(argument))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "template":
                    yield from (("template", name) for name in _names_in(value))
        elif isinstance(node, ast.Assign):
            if any(isinstance(target, ast.Name) and target.id == "template" for target in node.targets):
                yield from (("template", name) for name in _names_in(node.value))


def _pattern(name: ast.expr) -> str:
    """The name, or for an f-string the names it may give (``f"ask_{slot}"``: ``ask_\\w+``)."""
    if isinstance(name, ast.Constant):
        return re.escape(name.value)
    return "".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+" for part in name.values)


NAMED = sorted(
    {(kind, _pattern(name), f"{path.relative_to(ROOT)}:{name.lineno}")
     for path in SOURCES for kind, name in _named(ast.parse(path.read_text(encoding="utf-8")))},
)


def test_the_code_names_templates_and_phrases():
    kinds = {kind for kind, _, _ in NAMED}
    assert kinds == {"template", "phrase"} and len(NAMED) > 100


@pytest.mark.parametrize("kind, pattern, where", NAMED, ids=[f"{kind}:{pattern}" for kind, pattern, _ in NAMED])
def test_every_name_the_code_uses_exists(kind, pattern, where):
    defined = templates() if kind == "template" else phrases()
    assert any(re.fullmatch(pattern, name) for name in defined), f"{where}: no {kind} matches {pattern!r}"
