"""The simulator's own request and response objects, independent of the HTTP server.

Keeping them plain lets the dispatcher, the OAuth endpoints, the booking page and the spec
validator all work on the same small objects, and lets tests inspect ``RecordedRequest`` without
knowing anything about ``http.server``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import inputs
from .errors import invalid_argument


@dataclass
class RecordedRequest:
    """One request as the simulator saw it (Authorization header removed).

    ``status`` is filled in once the answer is known (0 for a dropped connection).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    headers: dict[str, str]
    form: dict[str, list[str]] | None = None
    status: int | None = None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    raw_query: str = ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The JSON body; an empty body reads as None, a broken or hostile one is a 400."""
        if not self.body.strip():
            return None
        try:
            return inputs.loads(self.body)
        except inputs.InputError as error:
            raise invalid_argument(("body", str(error))) from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise invalid_argument(("body", "must be a JSON object"))
        return data

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def try_json(self) -> Any:
        try:
            return inputs.loads(self.body) if self.body.strip() else None
        except inputs.InputError:
            return None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False
    injected: bool = False

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data).encode(), headers=dict(headers or {}))

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        return cls(status, b"", content_type="")

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode(), content_type="text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", content_type="", headers={"Location": location})
