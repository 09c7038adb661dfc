"""The app's settings: one ``CALENDLY`` dict in the host site's settings, read lazily.

Reading on every attribute access (instead of copying at import time) is what lets tests use
``override_settings(CALENDLY={...})`` and lets a host site change settings without a restart of
anything that imported this module early. Every key is declared once in ``SETTINGS`` with its
default and its documentation; the settings reference (docs/settings.md) is generated from it. A
deprecated key still works; its ``deprecated`` text says what replaces it, and a system check
(``calendly_integration.W011``) repeats that to a site that still sets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    doc: str
    secret: bool = False
    deprecated: str = ""


DEFAULT_SCOPES = (
    "users:read",
    "organizations:read",
    "event_types:read",
    "scheduled_events:read",
    "scheduled_events:write",
    "scheduling_links:write",
    "webhooks:read",
    "webhooks:write",
    "routing_forms:read",
    "availability:read",
)

SETTINGS: tuple[Setting, ...] = (
    Setting("API_BASE_URL", "https://api.calendly.com", "Base URL of Calendly's API v2."),
    Setting(
        "AUTH_BASE_URL",
        "https://auth.calendly.com",
        "Base URL of Calendly's OAuth server (authorize, token, revoke, introspect).",
    ),
    Setting("CLIENT_ID", "", "OAuth client id of your Calendly app."),
    Setting("CLIENT_SECRET", "", "OAuth client secret of your Calendly app.", secret=True),
    Setting(
        "SCOPES",
        DEFAULT_SCOPES,
        "OAuth scopes requested at authorization. Empty means the app's implicit full scope.",
    ),
    Setting("USE_PKCE", True, "Send a PKCE (S256) challenge with the authorization request."),
    Setting(
        "PERSONAL_ACCESS_TOKEN",
        "",
        "A personal access token for single-account setups and scripts (env CALENDLY_API_KEY).",
        secret=True,
    ),
    Setting(
        "TOKEN_ENCRYPTION_KEYS",
        (),
        "Fernet keys that encrypt stored tokens, newest first; older keys still decrypt. "
        "Empty: a key derived from SECRET_KEY (a system check warns).",
        secret=True,
    ),
    Setting(
        "TOKEN_REFRESH_MARGIN",
        300,
        "Seconds before expiry at which an access token is refreshed.",
    ),
    Setting(
        "ON_DISCONNECT",
        "keep",
        "What disconnecting does to the connection row: 'keep' keeps it (status revoked); "
        "'delete' deletes it with its sync runs and sync state. Mirrored rows belong to the "
        "organization and are shared by its connections, so they stay either way. Tokens are "
        "revoked and wiped either way.",
    ),
    Setting(
        "WEBHOOK_SIGNING_KEY",
        "",
        "Your OAuth app's webhook signing key, to verify deliveries to OAuth subscriptions.",
        secret=True,
    ),
    Setting(
        "WEBHOOK_TOLERANCE",
        180,
        "Seconds a webhook signature timestamp may differ from now before it counts as a replay.",
    ),
    Setting("WEBHOOK_MAX_BODY_BYTES", 1_000_000, "Largest webhook body accepted (413 above)."),
    Setting(
        "WEBHOOK_PROCESS_INLINE",
        False,
        "Deprecated alias of django-q2's Q_CLUSTER['sync']: when true, every task of the app "
        "(webhook processing, syncs, subscription checks) runs in the calling process instead "
        "of on a django-q2 worker.",
        deprecated="Set Q_CLUSTER['sync'] = True instead; it runs every django-q2 task inline.",
    ),
    Setting(
        "WEBHOOK_EVENTS",
        (
            "invitee.created",
            "invitee.canceled",
            "invitee_no_show.created",
            "invitee_no_show.deleted",
        ),
        "Events our webhook subscriptions ask for (routing_form_submission.created is added for "
        "organization scope).",
    ),
    Setting(
        "WEBHOOK_ORGANIZATION_SCOPE",
        False,
        "Also subscribe at organization scope for connections whose user is an organization "
        "owner or admin (every member's bookings, and routing form submissions).",
    ),
    Setting(
        "WEBHOOK_MAX_ATTEMPTS",
        5,
        "Times a delivery's processing is tried before it stays failed (replay it by command).",
    ),
    Setting(
        "WEBHOOK_RETRY_DELAY",
        60,
        "Seconds before a failed delivery is processed again; doubles with every attempt.",
    ),
    Setting(
        "WEBHOOK_STUCK_AFTER",
        600,
        "Seconds after which a delivery still waiting for processing is taken to have lost its "
        "task (broker down, worker killed) and is queued again by the retry sweep.",
    ),
    Setting(
        "WEBHOOK_CHECK_INTERVAL_MINUTES",
        60,
        "Minutes between checks of every webhook subscription (disabled ones are recreated).",
    ),
    Setting(
        "PUBLIC_BASE_URL",
        "",
        "Public https base URL of this site, used to build webhook callback URLs.",
    ),
    Setting("SYNC_BACKFILL_DAYS", 30, "Days of past scheduled events an incremental sync takes."),
    Setting("SYNC_HORIZON_DAYS", 180, "Days of future scheduled events an incremental sync takes."),
    Setting(
        "SYNC_INTERVAL_MINUTES",
        15,
        "Minutes after a connection's last complete sync before the scheduler queues the next "
        "one (a queued sync not started after this long counts as lost and is queued again).",
    ),
    Setting(
        "SYNC_ROUND_MINUTES",
        1,
        "Minutes between the scheduler's rounds; each round queues the connections that are due, "
        "oldest-synced first, up to SYNC_ROUND_SIZE waiting at once.",
    ),
    Setting(
        "SYNC_ROUND_SIZE",
        0,
        "Most scheduled syncs waiting in the queue at once (queued, not started). 0: twice "
        "Q_CLUSTER's workers, or the connections divided by the rounds in an interval if that "
        "is more. With clusters on several machines, set it to about twice the workers of all.",
    ),
    Setting(
        "SYNC_MAX_PER_ORGANIZATION",
        2,
        "Background syncs of one Calendly organization's connections that run at once; a sync "
        "that would exceed it hands itself back for a round later. 0: no cap.",
    ),
    Setting(
        "SYNC_ON_CONNECT",
        True,
        "Queue a sync of a connection as soon as it is made or renewed, rather than waiting "
        "for the next background sync.",
    ),
    Setting(
        "SYNC_LOCK_SECONDS",
        300,
        "Length of a connection's sync lease, renewed after every page; a killed worker's lease "
        "lapses after this long and the next sync resumes its work.",
    ),
    Setting(
        "SYNC_TASK_TIME_LIMIT",
        480,
        "Seconds a background sync works before it stops at a page boundary and queues its own "
        "continuation; keep it below Q_CLUSTER's timeout.",
    ),
    Setting(
        "SYNC_NO_SHOW_DAYS",
        2,
        "Days after an event starts during which its invitees are fetched again (to catch no-shows, "
        "which do not change the event); 0 turns this off.",
    ),
    Setting(
        "SYNC_NO_SHOW_RECHECK_MINUTES",
        60,
        "Minimum minutes between two such no-show checks of one event.",
    ),
    Setting(
        "TOKEN_CHECK_INTERVAL_MINUTES",
        60,
        "Minutes between background token health checks (refresh if due, verify with /users/me).",
    ),
    Setting("PAGE_SIZE", 100, "Page size asked of Calendly's list endpoints (1..100)."),
    Setting("CONNECT_TIMEOUT", 5.0, "Seconds to wait for a TCP connection to Calendly."),
    Setting("READ_TIMEOUT", 30.0, "Seconds to wait for Calendly to answer a request."),
    Setting(
        "MAX_RETRIES",
        3,
        "Retries of safe requests (GET, DELETE) after a connection error or a 5xx answer.",
    ),
    Setting("RETRY_BACKOFF", 0.5, "First retry delay in seconds; doubles each time, with jitter."),
    Setting("RETRY_BACKOFF_MAX", 8.0, "Longest delay between two retries, in seconds."),
    Setting(
        "RATE_LIMIT_MAX_WAIT",
        10.0,
        "Longest wait in seconds for a rate-limit reset inside a call; longer waits raise "
        "RateLimited so a task can reschedule itself.",
    ),
    Setting("DELIVERY_RETENTION_DAYS", 30, "Days webhook deliveries are kept before pruning."),
    Setting("SYNC_RUN_RETENTION_DAYS", 30, "Days sync runs are kept before pruning."),
    Setting("SLACK_WEBHOOK_URL", "", "Slack incoming-webhook URL for notifications.", secret=True),
    Setting(
        "LIMIT_STAFF_TO_ORGANIZATIONS",
        False,
        "Limit staff who are not superusers, everywhere (admin, REST API, pages, actions), to "
        "the Calendly organizations their own connections belong to: they see what an owner "
        "of those organizations sees. Off: staff see every organization.",
    ),
    Setting(
        "ADMIN_LIMIT_STAFF_TO_ORGANIZATIONS",
        False,
        "Deprecated alias of LIMIT_STAFF_TO_ORGANIZATIONS (which wins when both are set).",
        deprecated="Set CALENDLY['LIMIT_STAFF_TO_ORGANIZATIONS'] instead: the same limit, applied "
        "everywhere (admin, REST API, pages and actions), not only in the admin.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class CalendlySettings:
    """Attribute access to ``settings.CALENDLY`` with documented defaults."""

    def __getattr__(self, name: str) -> Any:
        try:
            setting = _BY_NAME[name]
        except KeyError:
            raise AttributeError(f"Unknown CALENDLY setting: {name}") from None
        return self.user_settings().get(name, setting.default)

    @staticmethod
    def user_settings() -> dict[str, Any]:
        return getattr(django_settings, "CALENDLY", None) or {}

    def unknown_keys(self) -> list[str]:
        return sorted(set(self.user_settings()) - set(_BY_NAME))

    def deprecated_keys(self) -> list[Setting]:
        """The deprecated settings the site sets."""
        return [s for s in SETTINGS if s.deprecated and s.name in self.user_settings()]

    def first_set(self, *names: str) -> Any:
        """The value of the first of ``names`` the site sets (a setting before its deprecated
        aliases), else the first one's default."""
        user = self.user_settings()
        for name in names:
            if name in user:
                return user[name]
        return getattr(self, names[0])

    def __repr__(self) -> str:
        shown = {
            s.name: ("***" if s.secret and getattr(self, s.name) else getattr(self, s.name))
            for s in SETTINGS
        }
        return f"CalendlySettings({shown})"


calendly_settings = CalendlySettings()
