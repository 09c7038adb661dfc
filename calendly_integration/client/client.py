"""``CalendlyClient``: one object per token, with a method for every Calendly API v2 operation.

The methods live in one mixin per resource family (users, event types, webhooks, ...); this class
only assembles them around a ``Transport``. A client is cheap: make one per connection and per
thread, never share one between tenants.
"""

from __future__ import annotations

from types import TracebackType

import requests

from calendly_integration.client.activity_log import ActivityLogMixin
from calendly_integration.client.availability import AvailabilityMixin
from calendly_integration.client.compliance import ComplianceMixin
from calendly_integration.client.event_types import EventTypesMixin
from calendly_integration.client.invitees import InviteesMixin
from calendly_integration.client.organizations import OrganizationsMixin
from calendly_integration.client.rate_limits import RateLimitInfo
from calendly_integration.client.retries import RetryPolicy
from calendly_integration.client.routing_forms import RoutingFormsMixin
from calendly_integration.client.scheduled_events import ScheduledEventsMixin
from calendly_integration.client.scheduling_links import SchedulingLinksMixin
from calendly_integration.client.tokens import TokenProvider
from calendly_integration.client.transport import Transport
from calendly_integration.client.users import UsersMixin
from calendly_integration.client.validation import check_count
from calendly_integration.client.webhooks import WebhooksMixin

DEFAULT_BASE_URL = "https://api.calendly.com"


class CalendlyClient(
    UsersMixin,
    OrganizationsMixin,
    AvailabilityMixin,
    EventTypesMixin,
    ScheduledEventsMixin,
    InviteesMixin,
    SchedulingLinksMixin,
    WebhooksMixin,
    RoutingFormsMixin,
    ComplianceMixin,
    ActivityLogMixin,
):
    """A Calendly API v2 client for one token (a string or a ``TokenProvider``).

    List methods return a lazy ``PagedCollection``; other methods return the ``resource`` object
    of Calendly's answer as a dict, or ``None`` for deletions. Errors are ``CalendlyError``
    subclasses; bad arguments raise ``ValueError`` before any request.
    """

    def __init__(
        self,
        token: str | TokenProvider,
        *,
        base_url: str = DEFAULT_BASE_URL,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_retries: int = 3,
        backoff: float = 0.5,
        backoff_max: float = 8,
        rate_limit_max_wait: float = 10,
        page_size: int = 100,
        session: requests.Session | None = None,
    ) -> None:
        self.page_size = check_count(page_size)
        self._transport = Transport(
            token,
            base_url=base_url,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retry=RetryPolicy(max_retries=max_retries, backoff=backoff, backoff_max=backoff_max),
            rate_limit_max_wait=rate_limit_max_wait,
            session=session,
        )

    @classmethod
    def from_settings(cls, token: str | TokenProvider) -> CalendlyClient:
        """A client configured from the ``CALENDLY`` settings dict (base URL, timeouts, retries)."""
        from calendly_integration.conf import calendly_settings

        return cls(
            token,
            base_url=calendly_settings.API_BASE_URL,
            connect_timeout=calendly_settings.CONNECT_TIMEOUT,
            read_timeout=calendly_settings.READ_TIMEOUT,
            max_retries=calendly_settings.MAX_RETRIES,
            backoff=calendly_settings.RETRY_BACKOFF,
            backoff_max=calendly_settings.RETRY_BACKOFF_MAX,
            rate_limit_max_wait=calendly_settings.RATE_LIMIT_MAX_WAIT,
            page_size=calendly_settings.PAGE_SIZE,
        )

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        """Limit, remaining requests and seconds to reset from the last answer (``None`` before)."""
        return self._transport.rate_limit

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    def close(self) -> None:
        """Close the HTTP session's pooled connections."""
        self._transport.close()

    def __enter__(self) -> CalendlyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CalendlyClient base_url={self.base_url!r}>"
