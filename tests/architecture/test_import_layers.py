"""The house rules of the imports: no loop, nothing upward, every module in a room.

The checks run on the project itself, and on small packages written here
to show that each check fails when its rule is broken.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from tests.architecture.import_graph import (
    import_graph,
    import_loops,
    rooms_importing_each_other,
    unplaced_modules,
    upward_imports,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_every_module_lives_in_a_room_with_a_floor():
    assert unplaced_modules(PROJECT_ROOT) == []


def test_no_room_imports_a_room_above_it():
    assert upward_imports(import_graph(PROJECT_ROOT)) == []


def test_no_two_rooms_import_each_other():
    assert rooms_importing_each_other(import_graph(PROJECT_ROOT)) == []


def test_no_module_takes_part_in_an_import_loop():
    assert import_loops(import_graph(PROJECT_ROOT)) == []


def _package(root: Path, files: dict) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    for package in ("kefu", "actions"):
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()
    return root


def test_a_loop_between_two_modules_is_found_even_through_a_lazy_import(tmp_path):
    root = _package(tmp_path, {
        "kefu/handoff/__init__.py": "",
        "kefu/handoff/cases.py": "from kefu.handoff import hours\n",
        "kefu/handoff/hours.py": "def later():\n    from kefu.handoff.cases import open_case\n",
    })
    assert import_loops(import_graph(root)) == [["kefu.handoff.cases", "kefu.handoff.hours"]]


def test_a_loop_through_a_relative_import_is_found(tmp_path):
    root = _package(tmp_path, {
        "kefu/services/__init__.py": "",
        "kefu/services/a.py": "from .b import thing\n",
        "kefu/services/b.py": "from . import a\n",
    })
    assert import_loops(import_graph(root)) == [["kefu.services.a", "kefu.services.b"]]


def test_the_ground_floor_importing_the_handoff_is_an_upward_import(tmp_path):
    root = _package(tmp_path, {
        "kefu/storage/__init__.py": "",
        "kefu/storage/db.py": "import kefu.handoff.cases\n",
        "kefu/handoff/__init__.py": "",
        "kefu/handoff/cases.py": "",
    })
    problems = upward_imports(import_graph(root))
    assert problems == ["kefu.storage.db:1 (floor 0) imports kefu.handoff.cases (floor 3)"]


def test_importing_downward_is_allowed(tmp_path):
    root = _package(tmp_path, {
        "kefu/storage/__init__.py": "",
        "kefu/storage/db.py": "",
        "kefu/handoff/__init__.py": "",
        "kefu/handoff/cases.py": "from kefu.storage.db import make_engine\n",
    })
    edges = import_graph(root)
    assert upward_imports(edges) == [] and import_loops(edges) == []


def test_two_rooms_on_one_floor_importing_each_other_are_found(tmp_path):
    root = _package(tmp_path, {
        "kefu/channels/__init__.py": "",
        "kefu/channels/relay.py": "from kefu.workspace.api import routes\n",
        "kefu/workspace/__init__.py": "",
        "kefu/workspace/api.py": "from kefu.channels import rest\n",
        "kefu/channels/rest.py": "",
    })
    found = rooms_importing_each_other(import_graph(root))
    assert len(found) == 1 and found[0].startswith("kefu.channels and kefu.workspace import each other")


def test_the_demo_shop_and_the_actions_are_not_imported_by_the_assistant(tmp_path):
    root = _package(tmp_path, {
        "kefu/nlu/__init__.py": "",
        "kefu/nlu/lookups.py": "from kefu.demo_shop.catalogue import CATALOGUE\nfrom actions.orders import x\n",
        "kefu/demo_shop/__init__.py": "",
        "kefu/demo_shop/catalogue.py": "",
        "actions/orders.py": "",
    })
    problems = upward_imports(import_graph(root))
    assert problems == [
        "kefu.nlu.lookups:1 imports kefu.demo_shop.catalogue, which only its own commands may use",
        "kefu.nlu.lookups:2 imports actions.orders: kefu never imports the actions",
    ]


def test_a_new_room_without_a_floor_is_reported(tmp_path):
    root = _package(tmp_path, {"kefu/mystery/__init__.py": "", "kefu/mystery/thing.py": ""})
    assert unplaced_modules(root) == ["kefu.mystery", "kefu.mystery.thing"]
