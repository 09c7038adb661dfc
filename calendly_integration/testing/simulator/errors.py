"""Calendly's error answers, raised by handlers and turned into JSON by the dispatcher.

The titles and messages are the ones in the spec's ``components/responses`` (and per-operation
403 enums), so a client's error handling is exercised with the strings it will really see.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status plus Calendly's ``{"title", "message", "details"?}`` body."""

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {message}")
        self.status = status
        self.title = title
        self.message = message
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, "message": self.message}
        if self.details is not None:
            data["details"] = self.details
        return data


def invalid_argument(*details: tuple[str, str], message: str | None = None) -> ApiError:
    """400 with ``details: [{"parameter", "message"}]``, one entry per bad parameter."""
    return ApiError(
        400,
        "Invalid Argument",
        message or "The supplied parameters are invalid.",
        [{"parameter": parameter, "message": text} for parameter, text in details],
    )


def bad_request(title: str, message: str) -> ApiError:
    return ApiError(400, title, message)


def unauthenticated(message: str = "The access token is invalid") -> ApiError:
    return ApiError(401, "Unauthenticated", message)


def permission_denied(
    message: str = "You do not have permission to access this resource.",
) -> ApiError:
    return ApiError(403, "Permission Denied", message)


def insufficient_scope(missing: list[str]) -> ApiError:
    """The contract's insufficient-scope 403: message names the scopes, details list them."""
    return ApiError(
        403,
        "Permission Denied",
        "Insufficient scope: this request requires " + ", ".join(missing),
        [{"parameter": "scope", "message": scope} for scope in missing],
    )


def not_found() -> ApiError:
    return ApiError(404, "Resource Not Found", "The server could not find the requested resource.")


def already_exists(message: str = "The resource already exists") -> ApiError:
    return ApiError(409, "Already Exists", message)


def rate_limited(retry_after: int, limit: int) -> ApiError:
    return ApiError(
        429,
        "Too Many Requests",
        f"You have exceeded the rate limit of {limit} requests per minute. "
        f"Try again in {retry_after} seconds.",
        headers={"Retry-After": str(retry_after)},
    )


def server_error() -> ApiError:
    return ApiError(
        500,
        "Internal Server Error",
        "The server encountered an unexpected condition that prevented it from fulfilling the "
        "request.",
    )
