"""Read a booking page's form the way a browser would submit it (standard library only)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.choices: dict[str, list[str]] = {}
        self.labels: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._in_form = False
        self.method = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._in_form, self.method = True, values.get("method", "get").lower()
        if not self._in_form:
            return
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.choices.setdefault(name, []).append(values.get("value", "on"))
                if "checked" in values:
                    self.fields.append((name, values.get("value", "on")))
            elif kind != "submit":
                self.fields.append((name, values.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        elif self._in_form and data.strip():
            self.labels.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        if tag == "form":
            self._in_form = False


def read_form(page: str) -> _FormReader:
    """The page's (first) form: ``fields`` as a browser would send them, ``choices`` offered
    by radio buttons and check boxes, and the text shown inside the form (``labels``)."""
    reader = _FormReader()
    reader.feed(page)
    return reader
