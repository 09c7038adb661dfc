"""Telling a delivery that names another organization's objects (a misrouted delivery).

A subscription belongs to one Calendly organization, and every row its deliveries write is put in
that organization. A signed, well-formed delivery can still name another organization's objects:
a subscription row whose organization is stale (its user moved to another organization), a
callback URL shared by two sites' subscriptions, a restored database. Processing it would write B's
event into A's mirror, or move B's rows into A (rows are keyed by URI). So such a delivery is kept
as it came (audit, replay) but not processed: it ends ``misrouted`` with the object that gave it
away, and a warning is logged.

What decides is what the delivery itself names, compared with what the mirror already knows:

- an organization URI (the payload's ``organization``, the envelope's ``created_by`` when it is
  one) other than the subscription's;
- any object the payload names (the scheduled event and its event type and hosts, the invitee
  and the other half of a reschedule, the routing form, its submission and submitter, an event
  type and its owner, the ``created_by`` user) that the mirror holds in another organization.

An object the mirror does not hold yet, or holds without an organization, says nothing: a new
host or event type in A is accepted as long as nothing contradicts A. A user's row keeps the
organization it was last synced in, which goes stale when the person moves: a user speaks for
their organization only while we hold a live membership of theirs there, or none of theirs at all. A subscription whose
organization is not known cannot be checked; its deliveries are processed as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext

from calendly_integration.mirror.mapping import uri_of
from calendly_integration.models import (
    CalendlyUser,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    WebhookSubscription,
)

#: The mirrored model behind each kind of Calendly URI (its first path segment), the delivery's
#: own objects first, so that the reason names the most telling one.
MODELS: dict[str, type[models.Model]] = {
    "scheduled_events": ScheduledEvent,
    "invitees": Invitee,
    "routing_form_submissions": RoutingFormSubmission,
    "event_types": EventType,
    "routing_forms": RoutingForm,
    "users": CalendlyUser,
}
#: Payload keys that hold a URI (or an object with one) of some Calendly object.
URI_KEYS = (
    "uri",
    "event",
    "event_type",
    "invitee",
    "old_invitee",
    "new_invitee",
    "routing_form",
    "routing_form_submission",
    "submitter",
)


@dataclass(frozen=True)
class Misrouted:
    """Why a delivery belongs to another organization: one object that says so."""

    kind: str
    uri: str
    organization_uri: str

    @property
    def reason(self) -> str:
        """What the delivery's ``error`` says: the object and the organization it belongs to."""
        if self.uri == self.organization_uri:
            return gettext(
                "Misrouted: names objects of another organization (it names %(organization)s)."
            ) % {"organization": self.organization_uri}
        return gettext(
            "Misrouted: names objects of another organization (%(kind)s %(uri)s belongs to "
            "%(organization)s)."
        ) % {"kind": self.kind, "uri": self.uri, "organization": self.organization_uri}


def kind_of(uri: str) -> str:
    """``users``, ``invitees``, ``organizations``...: what a Calendly URI names ("" if unsure)."""
    parts = [part for part in urlsplit(uri).path.split("/") if part]
    if len(parts) == 4 and parts[0] == "scheduled_events" and parts[2] == "invitees":
        return "invitees"
    if len(parts) == 2:
        return parts[0]
    return ""


def named_uris(envelope: dict[str, Any]) -> Iterator[str]:
    """Every URI of a Calendly object the delivery names, in the places payloads put them."""
    yield uri_of(envelope.get("created_by"))
    payload = envelope.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    objects = [payload]
    embedded = payload.get("scheduled_event")
    if isinstance(embedded, dict):
        objects.append(embedded)
    for data in objects:
        yield uri_of(data.get("organization"))
        for key in URI_KEYS:
            uri = uri_of(data.get(key))
            yield uri
            if kind_of(uri) == "invitees":  # an invitee names its event too
                yield uri.split("/invitees/", 1)[0]
        profile = data.get("profile")
        if isinstance(profile, dict):
            yield uri_of(profile.get("owner"))
        memberships = data.get("event_memberships")
        for member in memberships if isinstance(memberships, list) else ():
            if isinstance(member, dict):
                yield uri_of(member.get("user"))


def home_of(subscription: WebhookSubscription | None) -> tuple[int | None, str] | None:
    """The subscription's organization as (row id or None, URI); None when it is not known."""
    if subscription is None:
        return None
    if subscription.organization_id is not None:
        uri = (
            Organization.objects.filter(pk=subscription.organization_id)
            .values_list("uri", flat=True)
            .first()
        )
        return subscription.organization_id, uri or subscription.organization_uri
    if not subscription.organization_uri:
        return None
    pk = (
        Organization.objects.filter(uri=subscription.organization_uri)
        .values_list("pk", flat=True)
        .first()
    )
    return pk, subscription.organization_uri


def still_there() -> models.Q:
    """Users still in the organization their row names: a live membership there, or none known
    anywhere (a row from ``/users/me`` or a host, before any membership was read)."""
    memberships = Membership.objects.filter(user=OuterRef("pk"))
    live_there = memberships.filter(organization=OuterRef("organization"), removed_at__isnull=True)
    return Exists(live_there) | ~Exists(memberships)


def misrouted(
    subscription: WebhookSubscription | None, envelope: dict[str, Any]
) -> Misrouted | None:
    """The first object of the delivery that belongs to another organization, if any.

    One query per kind of object named (at most six), none for organization URIs.
    """
    home = home_of(subscription)
    if home is None:
        return None
    home_id, home_uri = home
    by_kind: dict[str, set[str]] = {}
    for uri in named_uris(envelope):
        kind = kind_of(uri)
        if kind == "organizations":
            if home_uri and uri != home_uri:
                return Misrouted(gettext("organization"), uri, uri)
        elif kind in MODELS:
            by_kind.setdefault(kind, set()).add(uri)
    for kind in (kind for kind in MODELS if kind in by_kind):
        uris = by_kind[kind]
        foreign = MODELS[kind]._default_manager.filter(uri__in=uris, organization__isnull=False)
        if kind == "users":
            foreign = foreign.filter(still_there())
        if home_id is not None:
            foreign = foreign.exclude(organization_id=home_id)
        found = foreign.order_by("uri").values_list("uri", "organization__uri").first()
        if found is not None:
            return Misrouted(str(MODELS[kind]._meta.verbose_name), *found)
    return None
