"""Availability schedules: the user's own, or every member's for owners and admins."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from calendly_integration.client import NotFound, PermissionDenied
from calendly_integration.mirror.mapping import availability_schedule_fields
from calendly_integration.mirror.upsert import mark_missing, upsert
from calendly_integration.models import AvailabilitySchedule, Membership
from calendly_integration.sync.context import SyncContext


def sync_availability(ctx: SyncContext) -> None:
    for user_uri in _users(ctx):
        try:
            listing = ctx.client.list_user_availability_schedules(user_uri)
            rows = []
            for data in listing:
                fields = availability_schedule_fields(data)
                if fields["uri"]:
                    fields.update(ctx.org_fields(), user_id=ctx.user_ids.get(fields["user_uri"]))
                    rows.append(fields)
        except (PermissionDenied, NotFound) as exc:
            if user_uri == ctx.me_uri:
                raise
            ctx.warn(
                gettext("Availability of %(user)s not synced: %(error)s")
                % {"user": user_uri, "error": exc}
            )
            continue
        with transaction.atomic():
            result = upsert(AvailabilitySchedule, rows, now=ctx.now)
            removed = mark_missing(
                ctx.owned(AvailabilitySchedule).filter(user_uri=user_uri),
                {row["uri"] for row in rows},
                ctx.now,
            )
        ctx.tally.add_result("availability_schedules", result)
        ctx.tally.add("availability_schedules", removed=removed)


def _users(ctx: SyncContext) -> list[str]:
    if not ctx.is_admin:
        return [ctx.me_uri]
    members = (
        Membership.objects.live()
        .filter(organization_id=ctx.organization_id)
        .values_list("user__uri", flat=True)
        .order_by("user__uri")
    )
    return list(dict.fromkeys([ctx.me_uri, *members]))
