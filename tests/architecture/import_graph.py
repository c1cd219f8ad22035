"""The import graph of the project's Python code, and the rules it must keep.

Each module belongs to a room (``kefu.<room>``, or ``actions``) and each room
to a floor. A room may import rooms on its own floor or below, never above;
no two rooms import each other; no module takes part in an import loop
(imports inside functions count too: they are loops that wait for a call).
The demo shop stands beside the house: nothing imports it but itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

# Floors from the ground up (docs/architecture.md has the picture).
FLOORS: Mapping[str, int] = {
    # ground: configuration, the names shared with domain.yml, the database
    "kefu.settings": 0,
    "kefu.names": 0,
    "kefu.storage": 0,
    # 1: the shop systems, the merchant's knowledge, NLU components
    "kefu.backends": 1,
    "kefu.knowledge": 1,
    "kefu.nlu": 1,
    # identity tokens, verification limits, the action server's door
    "kefu.security": 1,
    # 2: plain-Python answers and decisions; the only place that renders text
    "kefu.services": 2,
    "kefu.replies": 2,
    # 3: human handoff, reports, Rasa's dialogue policies and reply generator
    "kefu.handoff": 3,
    "kefu.analytics": 3,
    "kefu.policies": 3,
    "kefu.nlg": 3,
    # 4: the doors: shoppers' channels and the agents' workspace
    "kefu.channels": 4,
    "kefu.workspace": 4,
    # 5: commands and the rasa-sdk actions
    "kefu.launcher": 5,
    "kefu.chat": 5,
    "kefu.training": 5,
    "actions": 5,
    # beside the house
    "kefu.demo_shop": 5,
}

# Rooms nobody else may import (the demo shop: only its commands and tests).
PRIVATE_ROOMS = frozenset({"kefu.demo_shop"})
# Rooms that nothing in kefu may import (rasa-sdk actions sit on top of it).
OUTERMOST = frozenset({"actions"})

TOP_PACKAGES = ("kefu", "actions")


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_modules(root: Path, packages: Iterable[str] = TOP_PACKAGES) -> Dict[str, Path]:
    modules: Dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            modules[module_name(root, path)] = path
    return modules


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> List[Import]:
    """Every import of a project module in ``path``, wherever it stands in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: List[Import] = []
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in TOP_PACKAGES:
                    found.append(Import(module, _nearest_module(alias.name, modules), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node)
            if target.split(".")[0] not in TOP_PACKAGES:
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                name = submodule if submodule in modules else _nearest_module(target, modules)
                found.append(Import(module, name, node.lineno))
    return found


def _nearest_module(name: str, modules: Mapping[str, Path]) -> str:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def import_graph(root: Path, packages: Iterable[str] = TOP_PACKAGES) -> List[Import]:
    modules = find_modules(root, packages)
    edges: List[Import] = []
    for module, path in modules.items():
        edges.extend(e for e in imports_of(module, path, modules) if e.target and e.target != module)
    return edges


def room_of(module: str, floors: Mapping[str, int] = FLOORS) -> Optional[str]:
    best = None
    for room in floors:
        if module == room or module.startswith(room + "."):
            if best is None or len(room) > len(best):
                best = room
    return best


def unplaced_modules(root: Path, floors: Mapping[str, int] = FLOORS) -> List[str]:
    """Modules in no room: a new room must be given its floor first."""
    return sorted(m for m in find_modules(root) if m not in TOP_PACKAGES and room_of(m, floors) is None)


def upward_imports(edges: Iterable[Import], floors: Mapping[str, int] = FLOORS) -> List[str]:
    problems = []
    for edge in edges:
        source, target = room_of(edge.source, floors), room_of(edge.target, floors)
        if source is None or target is None or source == target:
            continue
        if target in PRIVATE_ROOMS:
            problems.append(f"{edge.source}:{edge.line} imports {edge.target}, which only its own commands may use")
        elif target in OUTERMOST and source.startswith("kefu"):
            problems.append(f"{edge.source}:{edge.line} imports {edge.target}: kefu never imports the actions")
        elif floors[target] > floors[source]:
            problems.append(
                f"{edge.source}:{edge.line} (floor {floors[source]}) imports {edge.target} (floor {floors[target]})"
            )
    return problems


def rooms_importing_each_other(edges: Iterable[Import], floors: Mapping[str, int] = FLOORS) -> List[str]:
    room_edges: Dict[Tuple[str, str], Import] = {}
    for edge in edges:
        source, target = room_of(edge.source, floors), room_of(edge.target, floors)
        if source and target and source != target:
            room_edges.setdefault((source, target), edge)
    return [
        f"{a} and {b} import each other ({room_edges[a, b].source} -> {room_edges[a, b].target}, "
        f"{room_edges[b, a].source} -> {room_edges[b, a].target})"
        for a, b in sorted(room_edges)
        if a < b and (b, a) in room_edges
    ]


def import_loops(edges: Iterable[Import]) -> List[List[str]]:
    """Groups of modules that reach each other through imports (Tarjan's SCC)."""
    graph: Dict[str, Set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    loops: List[List[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        # Iterative, so that a long import chain cannot hit the recursion limit.
        work = [(node, iter(sorted(graph[node])))]
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[current] = min(low[current], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[current])
            if low[current] == index[current]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == current:
                        break
                if len(group) > 1:
                    loops.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return loops
