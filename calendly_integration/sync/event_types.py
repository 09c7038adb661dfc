"""Event types: the organization's for owners and admins, the user's own otherwise."""

from __future__ import annotations

from django.db import transaction

from calendly_integration.mirror.mapping import event_type_fields
from calendly_integration.mirror.upsert import mark_missing, upsert
from calendly_integration.models import EventType
from calendly_integration.sync.context import SyncContext


def sync_event_types(ctx: SyncContext) -> None:
    if ctx.is_admin:
        listing = ctx.client.list_event_types(organization=ctx.organization_uri)
        scope = ctx.owned(EventType)
    else:
        listing = ctx.client.list_event_types(user=ctx.me_uri)
        scope = ctx.owned(EventType).filter(owner_uri=ctx.me_uri)
    seen: set[str] = set()
    for page in listing.pages():
        rows = []
        for data in page.collection:
            fields = event_type_fields(data)
            if not fields["uri"]:
                continue
            fields.update(ctx.org_fields(), owner_id=ctx.user_ids.get(fields["owner_uri"]))
            rows.append(fields)
        with transaction.atomic():
            result = upsert(EventType, rows, now=ctx.now)
        ctx.tally.add_result("event_types", result)
        seen.update(row["uri"] for row in rows)
    ctx.tally.add("event_types", removed=mark_missing(scope, seen, ctx.now))
    load_event_type_ids(ctx)


def load_event_type_ids(ctx: SyncContext) -> None:
    ctx.event_type_ids = dict(
        EventType.objects.filter(organization_id=ctx.organization_id).values_list("uri", "id")
    )
