"""The HTTP core: one ``requests.Session`` per client, and every rule about sending a request.

Timeouts on every call; retries with backoff for safe methods only; 429 waited out when the wait is
short, or raised as ``RateLimited`` so a task can reschedule itself; one forced token refresh after a
401; typed errors; the rate-limit figures of the last answer kept. The token is put in the
``Authorization`` header of each request and nowhere else: it is not stored on the session, not
logged (the log line is method, path, status and duration), and not kept in any exception.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from calendly_integration.client.errors import (
    CalendlyError,
    InvalidResponse,
    Timeout,
    TransportError,
    error_for_status,
)
from calendly_integration.client.rate_limits import RateLimitInfo, wait_seconds
from calendly_integration.client.retries import RetryPolicy
from calendly_integration.client.tokens import TokenProvider, as_provider

logger = logging.getLogger("calendly_integration.client")

USER_AGENT = "django-calendly-integration (python-requests)"

#: A call waits out at most this many 429s (each within ``rate_limit_max_wait`` in total).
MAX_RATE_LIMIT_WAITS = 5


class Transport:
    """Sends requests for one token against one base URL; not shared between tenants or threads."""

    def __init__(
        self,
        token: str | TokenProvider,
        *,
        base_url: str,
        connect_timeout: float,
        read_timeout: float,
        retry: RetryPolicy,
        rate_limit_max_wait: float,
        session: requests.Session | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}.")
        if connect_timeout <= 0 or read_timeout <= 0:
            raise ValueError("connect_timeout and read_timeout must be positive seconds.")
        if rate_limit_max_wait < 0:
            raise ValueError("rate_limit_max_wait must be 0 or more seconds.")
        self._provider = as_provider(token)
        self.base_url = base_url.rstrip("/")
        self._origin = (parts.scheme, parts.netloc)
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.retry = retry
        self.rate_limit_max_wait = float(rate_limit_max_wait)
        self.session = session if session is not None else requests.Session()
        self.rate_limit: RateLimitInfo | None = None
        self._rng = random.Random()  # noqa: S311 (jitter, not cryptography)

    def close(self) -> None:
        self.session.close()

    def url_for(self, path_or_url: str) -> str:
        """An API path becomes a URL on the base URL; a full URL must be on the same origin.

        Pagination hands us absolute ``next_page`` URLs: following one to another host would send
        the token there, so that is refused.
        """
        if path_or_url.startswith("/"):
            return self.base_url + path_or_url
        parts = urlsplit(path_or_url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise InvalidResponse(
                "Calendly pointed to a URL outside the API base URL; not following it.",
                url=f"{parts.scheme}://{parts.netloc}{parts.path}",
            )
        return path_or_url

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one API call (with its retries) and return the decoded JSON (``None`` for 204)."""
        method = method.upper()
        url = self.url_for(path_or_url)
        token = self._provider.get_token()
        refreshed = False
        retries = 0
        rate_limit_waits = 0
        waited = 0.0
        while True:
            try:
                response = self._send(method, url, token, params, json)
            except TransportError:
                if not self.retry.may_retry(method, retries):
                    raise
                self._backoff(retries)
                retries += 1
                continue
            status = response.status_code
            if status == 401 and not refreshed and getattr(self._provider, "refreshable", True):
                refreshed = True
                token = self._provider.get_token(force_refresh=True)
                continue
            if status == 429:
                wait = wait_seconds(response.headers)
                if (
                    rate_limit_waits < MAX_RATE_LIMIT_WAITS
                    and waited + wait <= self.rate_limit_max_wait
                ):
                    logger.info("Calendly rate limit reached; waiting %.1f s", wait)
                    time.sleep(wait)
                    waited += wait
                    rate_limit_waits += 1
                    continue
                raise self._error(response, method, url, retry_after=wait)
            if status >= 500 and self.retry.may_retry(method, retries):
                self._backoff(retries)
                retries += 1
                continue
            if status >= 400:
                raise self._error(response, method, url)
            if status >= 300:
                raise InvalidResponse(
                    f"Unexpected redirect ({status}); the API base URL may be wrong.",
                    status=status,
                    method=method,
                    url=_safe_url(url),
                )
            return self._decode(response, method, url)

    def _send(
        self, method: str, url: str, token: str, params: dict[str, Any] | None, body: Any
    ) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        path = urlsplit(url).path
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            self._log(method, path, "timeout", started)
            raise Timeout(_describe(exc), method=method, url=_safe_url(url)) from None
        except requests.RequestException as exc:
            self._log(method, path, "connection error", started)
            raise TransportError(_describe(exc), method=method, url=_safe_url(url)) from None
        self._log(method, path, response.status_code, started)
        info = RateLimitInfo.from_headers(response.headers)
        if info is not None:
            self.rate_limit = info
        return response

    @staticmethod
    def _log(method: str, path: str, status: object, started: float) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("%s %s -> %s (%.0f ms)", method, path, status, elapsed_ms)

    def _backoff(self, retries_done: int) -> None:
        delay = self.retry.delay(retries_done, self._rng)
        logger.debug("Retrying in %.2f s", delay)
        time.sleep(delay)

    @staticmethod
    def _error(
        response: requests.Response, method: str, url: str, retry_after: float = 0.0
    ) -> CalendlyError:
        try:
            body = response.json()
        except ValueError:
            body = None
        return error_for_status(
            response.status_code,
            body,
            method=method,
            url=_safe_url(url),
            reason=response.reason or "",
            retry_after=retry_after,
        )

    @staticmethod
    def _decode(response: requests.Response, method: str, url: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise InvalidResponse(
                f"Expected JSON, got {response.headers.get('Content-Type') or 'no content type'}.",
                status=response.status_code,
                method=method,
                url=_safe_url(url),
            ) from None


def _safe_url(url: str) -> str:
    """The URL without its query string: queries can hold e-mail addresses, errors get logged."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _describe(exc: requests.RequestException) -> str:
    """A short cause that names no header (requests' messages name host, port and reason only)."""
    return f"{type(exc).__name__}: {exc}"
