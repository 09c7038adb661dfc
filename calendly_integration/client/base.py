"""What every family of resource methods needs: requests, page lists, URIs, query encoding.

The resource mixins (``users.py``, ``webhooks.py``, ...) only say which path, which parameters and
which checks; this base turns that into transport calls and unwraps Calendly's ``resource`` and
``collection`` envelopes, so each method stays a few lines long.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from calendly_integration.client.errors import InvalidResponse
from calendly_integration.client.identifiers import resource_uri, resource_uuid
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.times import format_time, to_datetime
from calendly_integration.client.transport import Transport
from calendly_integration.client.validation import MAX_PAGE_SIZE, check_count

Resource = dict[str, Any]


def query(**params: Any) -> dict[str, str]:
    """Query parameters as Calendly reads them: ``None`` left out, booleans as ``true``/``false``,
    datetimes in Calendly's UTC format, lists comma-separated (the spec's ``explode: false``)."""
    encoded: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[name] = "true" if value else "false"
        elif isinstance(value, datetime):
            encoded[name] = format_time(value)
        elif isinstance(value, list | tuple):
            encoded[name] = ",".join(str(v) for v in value)
        else:
            encoded[name] = str(value)
    return encoded


def body(**fields: Any) -> dict[str, Any]:
    """A JSON body without the fields left as ``None`` (Calendly treats absent and null differently)."""
    return {name: value for name, value in fields.items() if value is not None}


class ApiBase:
    """Shared plumbing of ``CalendlyClient``; resource mixins call only these helpers."""

    _transport: Transport
    page_size: int

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def _uuid(self, value: str | None, collection: str, what: str) -> str:
        return resource_uuid(value, collection, what)

    def _uri(self, value: str | None, collection: str, what: str) -> str:
        return resource_uri(self._transport.base_url, value, collection, what)

    def _optional_uri(self, value: str | None, collection: str, what: str) -> str | None:
        return None if value is None else self._uri(value, collection, what)

    @staticmethod
    def _time(value: datetime | str | None, name: str) -> str | None:
        return None if value is None else format_time(to_datetime(value, name))

    def _count(self, count: int | None, maximum: int = MAX_PAGE_SIZE) -> int:
        return check_count(self.page_size if count is None else count, maximum)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        return self._transport.request(
            method, path, params=dict(params) if params else None, json=json
        )

    def _resource(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Resource:
        """Send a request whose answer is ``{"resource": {...}}`` and return the resource."""
        answer = self._request(method, path, params=params, json=json)
        if not isinstance(answer, dict) or not isinstance(answer.get("resource"), dict):
            raise InvalidResponse(
                "Expected a JSON object with a 'resource' object.", method=method, url=path
            )
        return answer["resource"]

    def _object(self, method: str, path: str, *, json: Any = None) -> dict[str, Any]:
        """Send a request whose answer is any JSON object (e.g. ``{}`` for a 202)."""
        answer = self._request(method, path, json=json)
        if answer is None:
            return {}
        if not isinstance(answer, dict):
            raise InvalidResponse("Expected a JSON object.", method=method, url=path)
        return answer

    def _delete(self, path: str) -> None:
        self._request("DELETE", path)

    def _list(
        self, path: str, params: Mapping[str, Any], page_token: str | None = None
    ) -> PagedCollection:
        """A lazy list over every page of ``path``; nothing is requested until it is iterated."""
        base = query(**params)

        def fetch(token: str | None, next_url: str | None) -> Any:
            if next_url is not None:
                return self._request("GET", next_url)
            return self._request("GET", path, params={**base, **query(page_token=token)})

        return PagedCollection(fetch, page_token=page_token)
