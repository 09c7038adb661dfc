"""The documentation site and the README: built strictly, generated where it could drift, and
the README's promises (the two commands first, links that lead somewhere, a working quick start)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import include, path

from calendly_integration.conf import SETTINGS
from tests.benchmarks.sync_benchmark import FIGURES_END, FIGURES_START, write_figures
from tests.docs.examples import DOCS, ROOT

README = ROOT / "README.md"


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_settings_page_documents_every_setting_from_the_code():
    hooks = _hooks()
    page = (DOCS / "settings.md").read_text()
    assert page.count(f"\n{hooks.MARKER}\n") == 1

    rendered = hooks.on_page_markdown(page, page=None, config=None, files=None)

    documented = re.findall(r"^\| `([A-Z_]+)` \| (.+?) \| (.+) \|$", rendered, flags=re.MULTILINE)
    assert [name for name, _, _ in documented] == [s.name for s in SETTINGS]
    assert all(default and doc.strip() for _, default, doc in documented)
    assert hooks.MARKER not in rendered


def test_an_inline_mention_of_the_marker_is_left_alone():
    hooks = _hooks()
    text = f"The marker `{hooks.MARKER}` stands in the page."
    assert hooks.on_page_markdown(text, page=None, config=None, files=None) == text


def test_the_site_builds_strictly(tmp_path):
    pytest.importorskip(
        "mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    built = (tmp_path / "settings.html").read_text()
    assert all(s.name in built for s in SETTINGS)


def test_the_readme_starts_with_the_two_commands():
    text = README.read_text()
    title, summary, heading, rest = text.split("\n\n", 3)
    assert title.startswith("# ")
    assert not summary.startswith(("#", "```"))
    assert heading == "## Two commands"
    commands = rest.split("```", 2)[1]
    assert "make demo" in commands
    assert "make test" in commands


def test_the_readme_links_lead_to_files_that_exist():
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text())
    local = [t for t in targets if not t.startswith(("http://", "https://"))]
    assert "docs/images/dashboard.png" in local
    assert {"docs/index.md", "docs/settings.md", "docs/installation.md"} <= set(local)
    assert [t for t in local if not (ROOT / t).exists()] == []


def test_the_readme_quick_start_is_the_demo_sites_configuration():
    """The README's settings and URLs are those the demo site runs with, so they work."""
    block = re.search(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL).group(1)
    given = {"INSTALLED_APPS": [], "MIDDLEWARE": [], "urlpatterns": []}
    names = {**given, "path": path, "include": include}
    exec(compile(block, str(README), "exec"), names)

    assert set(names["INSTALLED_APPS"]) <= set(settings.INSTALLED_APPS)
    assert {"calendly_integration", "calendly_integration.providers.calendly"} <= set(
        names["INSTALLED_APPS"]
    )
    assert set(names["MIDDLEWARE"]) <= set(settings.MIDDLEWARE)
    assert set(names["AUTHENTICATION_BACKENDS"]) == set(settings.AUTHENTICATION_BACKENDS)
    assert names["SOCIALACCOUNT_ADAPTER"] == settings.SOCIALACCOUNT_ADAPTER
    assert set(names["CALENDLY"]) <= {s.name for s in SETTINGS}
    limit = next(s.default for s in SETTINGS if s.name == "SYNC_TASK_TIME_LIMIT")
    assert limit < names["Q_CLUSTER"]["timeout"] < names["Q_CLUSTER"]["retry"]
    assert len(names["urlpatterns"]) == 3


def test_sync_benchmark_figures_go_between_the_markers_of_the_benchmarks_page(tmp_path):
    real = (DOCS / "benchmarks.md").read_text()
    assert real.count(FIGURES_START) == real.count(FIGURES_END) == 1

    page = tmp_path / "benchmarks.md"
    page.write_text(real)
    write_figures("| new | figures |", page)

    before, figures_and_after = real.split(FIGURES_START)
    after = figures_and_after.split(FIGURES_END)[1]
    assert page.read_text() == f"{before}{FIGURES_START}\n| new | figures |\n{FIGURES_END}{after}"


def test_sync_benchmark_figures_get_a_section_on_a_page_without_markers(tmp_path):
    page = Path(tmp_path / "benchmarks.md")
    page.write_text("# Benchmarks\n\nSome text.\n")
    write_figures("| figures |", page)
    assert page.read_text() == (
        "# Benchmarks\n\nSome text.\n\n## Scheduled-event sync\n\n"
        f"{FIGURES_START}\n| figures |\n{FIGURES_END}\n"
    )
