"""The mirror package is below sync, webhooks and services: it imports none of them, and they do
not import each other to write rows. Checked on the source, lazy imports inside functions too."""

import ast
from pathlib import Path

import calendly_integration

APP = Path(calendly_integration.__file__).parent
ABOVE_MIRROR = {"sync", "webhooks", "services", "tasks", "api", "admin", "views", "doctor"}


def imported_packages(package: str) -> set[tuple[str, str]]:
    """(file, app package) for every import of another of the app's packages under ``package``."""
    found = set()
    for path in (APP / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "calendly_integration" and len(parts) > 1 and parts[1] != package:
                    found.add((path.name, parts[1]))
    return found


def test_the_mirror_imports_nothing_above_it():
    assert {(f, p) for f, p in imported_packages("mirror") if p in ABOVE_MIRROR} == set()


def test_sync_and_webhooks_do_not_import_each_other():
    assert {(f, p) for f, p in imported_packages("sync") if p == "webhooks"} == set()
    assert {(f, p) for f, p in imported_packages("webhooks") if p in {"sync", "services"}} == set()


def test_relative_imports_are_not_used_to_get_around_this():
    for package in ("mirror", "sync", "webhooks", "services"):
        for path in (APP / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
