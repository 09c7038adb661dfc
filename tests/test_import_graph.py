"""The app's imports flow one way: no import circles, and no layer imports one above it.

Every ``import`` and ``from ... import`` in every module of ``calendly_integration`` counts, wherever
it is written: at the top, inside a function (a "lazy" import) or under ``if TYPE_CHECKING``. A
lazy import hides a circle from Python at start-up, not from a reader, so it is a circle here too.
An import names a module: ``from pkg import name`` is an edge to the submodule ``pkg.name`` when
there is one, else to ``pkg`` (its ``__init__``). The parent packages Python imports before any
module are not edges. Imports by string (django-q2 task paths, ``import_string``) are not seen.

The layers, lowest first (``LAYERS``), follow the design's one-way flow
``client, crypto <- models <- oauth <- mirror <- sync, webhooks <- services <- tasks, api, admin,
views``. A package or top-level module of the app may import its own modules and those of lower
layers, never a higher layer's nor a neighbour's in the same layer. The rest of the app is placed
where what it imports puts it:

- ``conf`` (settings), ``signals`` (Django signals sent by oauth, sync and webhooks) and
  ``exceptions`` (every public error) sit at the bottom and import nothing of the app.
- ``client``, ``crypto``, ``queueing`` (task names and how work is queued: django-q2 and conf
  only) and the model-free helpers (``charts``, ``error_reports``, ``forms``) are
  leaves; so is ``testing``, the simulator, a stand-in for Calendly that knows nothing of the app.
- ``providers`` (the allauth login views) is a way in, beside tasks, the API, the admin and views;
  so is ``middleware`` (refuses unsafe characters in any request, through ``untrusted``).
- ``doctor`` diagnoses everything below it (schedules from ``tasks`` included).
- ``checks``, ``urls``, ``management`` and ``migrations`` wire the layers together; ``apps``
  wires the checks and the signal receivers, so it is last.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import calendly_integration

PACKAGE = "calendly_integration"
ROOT = Path(calendly_integration.__file__).parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"conf", "signals", "exceptions"}),
    frozenset(
        {
            "client",
            "crypto",
            "queueing",
            "charts",
            "error_reports",
            "forms",
            "testing",
            "untrusted",
            "templatetags",
        }
    ),
    frozenset({"models"}),
    frozenset({"oauth"}),
    frozenset({"mirror"}),
    frozenset({"sync", "webhooks"}),
    frozenset({"services"}),
    frozenset({"tasks", "api", "admin", "views", "providers", "middleware"}),
    frozenset({"doctor"}),
    frozenset({"checks", "urls", "management", "migrations"}),
    frozenset({"apps"}),
)
RANK = {unit: rank for rank, layer in enumerate(LAYERS) for unit in layer}

#: Import circles known on this branch that other work removes; empty once it is merged.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


def modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package's ``__init__``) for every module of the app."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imports_of(name: str, path: Path, is_package: bool, known: set[str]) -> Iterator[str]:
    """The app's modules that module ``name`` imports, anywhere in its code."""
    package = name if is_package else name.rpartition(".")[0]

    def module_of(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [module_of(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            targets = [module_of(f"{source}.{alias.name}") for alias in node.names]
        else:
            continue
        yield from (target for target in targets if target and target != name)


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {
        name: set(imports_of(name, path, is_package, known))
        for name, (path, is_package) in found.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def unit_of(module: str) -> str:
    """The top-level module or package of the app a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_scan_sees_lazy_and_type_checking_imports(tmp_path):
    module = tmp_path / "handler.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import errors\n"
        "from .state import Store\n"
        "if TYPE_CHECKING:\n"
        "    from .simulator import Simulator\n"
        "def handle():\n"
        "    from ..conf import settings\n"
        "    import app.client.session\n"
    )
    known = {"app", "app.conf", "app.client", "app.client.session", "app.sim"}
    known |= {"app.sim.errors", "app.sim.state", "app.sim.simulator", "app.sim.handler"}

    found = set(imports_of("app.sim.handler", module, False, known))

    assert found == {
        "app.sim.errors",
        "app.sim.state",
        "app.sim.simulator",
        "app.conf",
        "app.client.session",
    }


def test_cycles_are_the_strongly_connected_components():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_there_is_no_import_circle():
    found = set(cycles(import_graph()))
    unexpected = sorted(sorted(cycle) for cycle in found - KNOWN_CYCLES)
    assert unexpected == [], "Import circles:\n" + "\n".join(" <-> ".join(c) for c in unexpected)


def test_every_part_of_the_app_has_a_layer():
    units = {unit_of(name) for name in modules()} - {"__init__"}
    assert sorted(units - set(RANK)) == []


def test_no_layer_imports_a_higher_or_neighbouring_one():
    upward = sorted(
        {
            (unit_of(module), unit_of(target), module, target)
            for module, targets in import_graph().items()
            for target in targets
            if unit_of(module) != unit_of(target)
            and "__init__" not in (unit_of(module), unit_of(target))
            and RANK.get(unit_of(target), -1) >= RANK.get(unit_of(module), -1)
        }
    )
    assert upward == [], "\n".join(f"{a} -> {b} ({m} imports {t})" for a, b, m, t in upward)
