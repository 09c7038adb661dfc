"""The code samples of ``docs/*.md`` that are marked to run.

A Python block runs when the line right before its opening fence is a marker:

- ``<!-- test: run -->``: the block is a pytest module; its ``test_*`` functions run as tests.
- ``<!-- test: run setup=NAME -->``: the block is a snippet; the scenario ``NAME`` (a fixture
  ``scenario_NAME`` in ``tests/docs/conftest.py``) gives it the names it uses and then checks what
  it did.

A marker must sit on a line of its own, so the docs can mention it inline without running anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

MARKER = re.compile(r"^<!-- test: run(?: setup=(?P<setup>[a-z_]+))? -->$")
FENCE = re.compile(r"^(?P<indent>\s*)```python\s*$")


@dataclass(frozen=True)
class Example:
    page: Path
    line: int  # of the block's first line of code, 1-based
    code: str
    setup: str | None

    @property
    def name(self) -> str:
        return f"{self.page.stem.replace('-', '_')}_line_{self.line}"

    def compiled(self):
        """The code, compiled so tracebacks name the page and its real line numbers."""
        return compile("\n" * (self.line - 1) + self.code, str(self.page), "exec")


def examples(pages: list[Path] | None = None) -> list[Example]:
    """Every marked block of the given pages (default: every page under docs/), in order."""
    found = []
    for page in pages or sorted(DOCS.glob("*.md")):
        lines = page.read_text().splitlines()
        for index, line in enumerate(lines):
            marker = MARKER.match(line)
            if not marker:
                continue
            fence = FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
            if not fence:
                raise ValueError(f"{page.name}:{index + 1}: a run marker not followed by ```python")
            indent = len(fence.group("indent"))
            body = []
            for code_line in lines[index + 2 :]:
                if code_line.strip() == "```":
                    break
                body.append(code_line[indent:])
            else:
                raise ValueError(f"{page.name}:{index + 2}: the block never ends")
            found.append(Example(page, index + 3, "\n".join(body) + "\n", marker.group("setup")))
    return found
