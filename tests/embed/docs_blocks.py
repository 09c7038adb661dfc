"""The code blocks of docs/installation.md that a site copies, read from the page itself so the
page cannot drift from what the embed test does. A block is marked by an HTML comment (invisible
in the rendered page) on the line before its fence: ``<!-- embed: NAME -->``."""

from __future__ import annotations

import re
from pathlib import Path

INSTALLATION = Path(__file__).resolve().parents[2] / "docs" / "installation.md"
_BLOCK = re.compile(r"<!-- embed: ([\w-]+) -->\n```\w*\n(.*?)\n```", re.DOTALL)


def blocks(page: Path = INSTALLATION) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, code in _BLOCK.findall(page.read_text()):
        assert name not in found, f"two blocks named {name!r} in {page.name}"
        found[name] = code + "\n"
    return found


def shell_commands(block: str) -> list[list[str]]:
    """``python manage.py ...`` lines of a shell block, split into arguments (comments dropped)."""
    commands = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            commands.append(line.split())
    return commands
