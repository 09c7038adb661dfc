"""Lazy iteration over Calendly's paginated lists.

A list method returns a ``PagedCollection`` at once, without any request: iterating it yields the
items of every page, fetching each page only when the previous one is used up. A sync that must
checkpoint iterates ``.pages()`` instead, stores each page's ``next_page_token``, and after an
interruption calls the same list method again with ``page_token=<stored token>`` to resume.
Each iteration starts over from the first (or the given) page and requests it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from calendly_integration.client.errors import InvalidResponse

Fetch = Callable[[str | None, str | None], Any]
"""``fetch(page_token, next_page_url)`` returns the decoded JSON body of one page."""


@dataclass(frozen=True)
class Page:
    """One page of a list: its items and what is needed to ask for the next one."""

    collection: list[dict[str, Any]]
    next_page_token: str | None = None
    previous_page_token: str | None = None
    next_page: str | None = None
    previous_page: str | None = None
    count: int | None = None
    page_token: str | None = None
    """The token this page was requested with (``None`` for the first page)."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    """The whole body, for list-specific extras (e.g. the activity log's ``total_count``)."""

    @property
    def has_next(self) -> bool:
        return bool(self.next_page_token or self.next_page)

    @classmethod
    def from_body(cls, body: Any, page_token: str | None) -> Page:
        if not isinstance(body, dict) or not isinstance(body.get("collection"), list):
            raise InvalidResponse("A list response has no 'collection' array.")
        pagination = body.get("pagination") or {}
        if not isinstance(pagination, dict):
            raise InvalidResponse("A list response has a 'pagination' that is not an object.")
        count = pagination.get("count")
        return cls(
            collection=body["collection"],
            next_page_token=pagination.get("next_page_token") or None,
            previous_page_token=pagination.get("previous_page_token") or None,
            next_page=pagination.get("next_page") or None,
            previous_page=pagination.get("previous_page") or None,
            count=count if isinstance(count, int) else None,
            page_token=page_token,
            raw=body,
        )


def _token_in(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("page_token")
    return values[0] if values else None


class PagedCollection:
    """Every item of a list, page after page, fetched lazily."""

    def __init__(self, fetch: Fetch, *, page_token: str | None = None) -> None:
        self._fetch = fetch
        self._start_token = page_token

    def pages(self) -> Iterator[Page]:
        """Yield whole pages, following ``next_page_token`` (or ``next_page``) until there is none."""
        token = self._start_token
        url: str | None = None
        seen: set[str] = set()
        while True:
            page = Page.from_body(self._fetch(token, url), page_token=token)
            yield page
            if page.next_page_token:
                token, url = page.next_page_token, None
            elif page.next_page:
                token, url = _token_in(page.next_page), page.next_page
            else:
                return
            marker = token or url or ""
            if marker in seen:
                raise InvalidResponse("Calendly returned the same next page twice; stopping.")
            seen.add(marker)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for page in self.pages():
            yield from page.collection

    def __repr__(self) -> str:
        return f"<PagedCollection from page_token={self._start_token!r}>"
