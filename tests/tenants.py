"""Tenants made straight in the database: organizations, their Calendly users and memberships,
event types, events with hosts and invitees, and the site users' connections.

The tenancy tests and the admin's query-count and scoping tests share these builders: they need
rows whose relations all differ (so a missing ``select_related`` shows) and organizations the
simulator does not have. Every builder takes what a test compares (a URI, a name, a role) and
makes up the rest. Everything else in the suite uses rows synced from the simulator.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    Connection,
    EventHost,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    SchedulingLink,
)

_serial = count(1)
BASE = "https://api.calendly.test"


def uri(kind: str, key: str | None = None) -> str:
    """A Calendly-shaped URI; ``key`` names it (``USERS/MAYA``), else a fresh serial does."""
    return f"{BASE}/{kind}/{key or f'{next(_serial):08d}'}"


def organization(name: str = "Acme", *, key: str | None = None) -> Organization:
    return Organization.objects.create(uri=uri("organizations", key), name=name)


def calendly_user(org: Organization, *, key: str | None = None, name: str = "") -> CalendlyUser:
    n = next(_serial)
    return CalendlyUser.objects.create(
        uri=uri("users", key),
        organization=org,
        name=name or f"Host {n}",
        email=f"host{n}@example.com",
        scheduling_url=f"https://calendly.test/host{n}",
    )


def membership(
    org: Organization, user: CalendlyUser, role: str = "user", *, key: str | None = None
) -> Membership:
    return Membership.objects.create(
        uri=uri("organization_memberships", key), organization=org, user=user, role=role
    )


def event_type(org: Organization, owner: CalendlyUser, *, key: str | None = None) -> EventType:
    n = next(_serial)
    return EventType.objects.create(
        uri=uri("event_types", key),
        organization=org,
        owner=owner,
        owner_uri=owner.uri,
        name=f"Meeting {n}",
        scheduling_url=f"https://calendly.test/host/{n}",
    )


def scheduled_event(
    org: Organization | None = None,
    *,
    days: int = 1,
    hosts: list[CalendlyUser] | None = None,
    kind: EventType | None = None,
    key: str | None = None,
) -> ScheduledEvent:
    """An event ``days`` from now, hosted by ``hosts`` (a new Calendly user by default)."""
    org = org or organization()
    if hosts is None:
        hosts = [calendly_user(org)]
    kind = kind or event_type(org, hosts[0])
    start = timezone.now() + timedelta(days=days)
    event = ScheduledEvent.objects.create(
        uri=uri("scheduled_events", key),
        organization=org,
        event_type=kind,
        event_type_uri=kind.uri,
        name=kind.name,
        start_time=start,
        end_time=start + timedelta(minutes=30),
        invitees_total=1,
        invitees_active=1,
    )
    for position, host in enumerate(hosts):
        EventHost.objects.create(
            event=event, user=host, user_uri=host.uri, name=host.name, position=position
        )
    return event


def invitee(event: ScheduledEvent | None = None) -> Invitee:
    event = event or scheduled_event()
    n = next(_serial)
    return Invitee.objects.create(
        uri=f"{event.uri}/invitees/{n:08d}",
        organization=event.organization,
        event=event,
        name=f"Guest {n}",
        email=f"guest{n}@example.com",
        cancel_url=f"https://calendly.test/cancellations/{n}",
        reschedule_url=f"https://calendly.test/reschedulings/{n}",
        calendly_created_at=timezone.now(),
    )


def connection(
    org: Organization | None = None,
    *,
    owner=None,
    calendly_user: CalendlyUser | None = None,
) -> Connection:
    """A personal-access-token connection of ``owner`` (a new site user by default)."""
    n = next(_serial)
    owner = owner or get_user_model().objects.create_user(f"user{n}")
    return Connection.objects.create(
        owner=owner,
        calendly_user_uri=calendly_user.uri if calendly_user else uri("users"),
        organization_uri=org.uri if org else "",
        name=f"Connection {n}",
        kind=Connection.Kind.PAT,
    )


class World:
    """Two organizations: Acme (owner Olivia, admin Adrian, members Maya and Jonas) and Globex
    (owner Grace). Each has a site user with a connection, an event type, an availability
    schedule, a scheduling link and two events with an invitee each; Acme also has a routing
    form with a submission and an event hosted by Maya and Jonas together (``SHARED``).

    Rows are keyed by the person's name in capitals (``MAYA``, ``MAYA0``) so tests can compare
    ``uuid``s."""

    def __init__(self) -> None:
        self.users: dict[str, CalendlyUser] = {}
        self.event_types: dict[str, EventType] = {}
        self.site = {}
        self.acme = organization("Acme", key="ACME")
        self.globex = organization("Globex", key="GLOBEX")
        for name, org, role in (
            ("olivia", self.acme, "owner"),
            ("adrian", self.acme, "admin"),
            ("maya", self.acme, "user"),
            ("jonas", self.acme, "user"),
            ("grace", self.globex, "owner"),
        ):
            key = name.upper()
            user = calendly_user(org, key=key, name=name.title())
            membership(org, user, role, key=key)
            self.users[name] = user
            self.site[name] = get_user_model().objects.create_user(name)
            connection(org, owner=self.site[name], calendly_user=user)
            kind = self.event_types[name] = event_type(org, user, key=key)
            AvailabilitySchedule.objects.create(
                uri=uri("user_availability_schedules", key), user_uri=user.uri, organization=org
            )
            SchedulingLink.objects.create(
                uri=f"https://calendly.com/d/{name}",
                booking_url=f"https://calendly.com/d/{name}",
                owner=kind,
                owner_uri=user.uri,
                organization=org,
            )
            for n in range(2):
                event = scheduled_event(org, hosts=[user], kind=kind, key=f"{key}{n}")
                invitee(event)
        form = RoutingForm.objects.create(uri=uri("routing_forms", "F"), organization=self.acme)
        RoutingFormSubmission.objects.create(
            uri=uri("routing_form_submissions", "S"), form=form, organization=self.acme
        )
        shared = scheduled_event(
            self.acme,
            hosts=[self.users["maya"], self.users["jonas"]],
            kind=self.event_types["maya"],
            key="SHARED",
        )
        invitee(shared)
