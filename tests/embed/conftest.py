"""The embed tests build the wheel and install it with its dependencies into a fresh virtualenv
(a minute or two, and a package index or wheel cache to install from), so the ordinary suite skips
them: ``make embed`` or ``pytest -m embed tests/embed`` selects them (CI does, once, as its own
step). ``EMBED=1`` runs them in any selection."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "embed" in (config.getoption("markexpr") or "") or os.environ.get("EMBED") == "1":
        return
    skip = pytest.mark.skip(reason="builds and installs the wheel: run `make embed`")
    for item in items:
        if item.get_closest_marker("embed"):
            item.add_marker(skip)
