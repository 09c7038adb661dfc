"""MkDocs hook: the settings reference is rendered from ``calendly_integration.conf.SETTINGS``.

The table is built when the site is built, not committed, so it cannot drift from the code: a
setting added, renamed, re-defaulted or deprecated in ``conf.py`` shows up in the next build with
nothing to regenerate and nothing to forget. ``docs/settings.md`` holds the prose around it and the
marker the table replaces. Importing ``conf`` needs Django installed but no configured settings.
"""

from __future__ import annotations

import re
from typing import Any

MARKER = "<!-- settings-reference -->"
#: The marker on a line of its own; written inline (as on the development page) it is left alone.
MARKER_LINE = re.compile(rf"^{re.escape(MARKER)}$", re.MULTILINE)


def _code(value: Any) -> str:
    return f"`{value}`"


def _default(value: Any) -> str:
    if value in ("", (), [], None):
        return "empty"
    if isinstance(value, (tuple, list)):
        return "<br>".join(_code(item) for item in value)
    if isinstance(value, str):
        return _code(f'"{value}"')
    return _code(repr(value))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_settings_table() -> str:
    """The Markdown table of every ``CALENDLY`` key: name, default, what it does."""
    from calendly_integration.conf import SETTINGS

    rows = ["| Key | Default | What it does |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        doc = _cell(setting.doc)
        if setting.secret:
            doc += " *Secret: masked in reprs, logs and error reports.*"
        deprecated = getattr(setting, "deprecated", "")
        if deprecated:
            doc = f"**Deprecated.** {_cell(deprecated)} {doc}"
        rows.append(f"| `{setting.name}` | {_default(setting.default)} | {doc} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the marker line with the table, on whichever page carries it."""
    if MARKER_LINE.search(markdown):
        markdown = MARKER_LINE.sub(lambda _: render_settings_table(), markdown)
    return markdown
