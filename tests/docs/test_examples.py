"""The docs' code samples, run as written (see ``tests/docs/examples.py`` for the markers).

Blocks that are pytest modules become tests of this module, named after their page and line;
snippets run inside the scenario their marker names.
"""

from __future__ import annotations

import types
from typing import Any

import pytest
from django.dispatch import Signal

from calendly_integration import signals
from tests.docs.examples import examples

EXAMPLES = examples()
MODULES = [e for e in EXAMPLES if e.setup is None]
SNIPPETS = [e for e in EXAMPLES if e.setup is not None]


def _hoist_tests() -> None:
    """Make each module block's tests this module's, so pytest collects and runs them."""
    for example in MODULES:
        module = types.ModuleType(f"docs_example_{example.name}")
        module.__file__ = str(example.page)
        exec(example.compiled(), module.__dict__)
        tests = {name: obj for name, obj in vars(module).items() if name.startswith("test_")}
        assert tests, f"{example.page.name}:{example.line}: a module block without tests"
        for name, test in tests.items():
            globals()[f"test_{example.name}_{name.removeprefix('test_')}"] = test


_hoist_tests()


def test_the_pages_show_the_samples_the_release_promises():
    """At least the simulator, a signal receiver, a service call and the client are executed."""
    pages = {(e.page.name, e.setup) for e in EXAMPLES}
    assert ("simulator.md", None) in pages
    assert ("signals.md", "signal_receivers") in pages
    assert ("public-api.md", "cancel_with_services") in pages
    assert ("public-api.md", "client_with_token") in pages
    assert ("oauth.md", "cancel_through_client") in pages


def _receivers() -> dict[Signal, list[Any]]:
    return {s: list(s.receivers) for s in vars(signals).values() if isinstance(s, Signal)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("example", SNIPPETS, ids=[e.name for e in SNIPPETS])
def test_snippet(example, request):
    scenario = request.getfixturevalue(f"scenario_{example.setup}")
    names = dict(scenario.given)
    connected = _receivers()
    try:
        exec(example.compiled(), names)
        scenario.then(names)
    finally:
        # Receivers the snippet connected are for this test only.
        for signal, receivers in connected.items():
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()
