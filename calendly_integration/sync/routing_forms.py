"""Routing forms and their submissions (owners and admins, with the routing_forms:read scope).

Submissions only ever get added, so an incremental sync reads each form's newest first and stops
at the first page that brings nothing new; a full sync reads them all and marks the missing ones.
"""

from __future__ import annotations

from django.db import transaction

from calendly_integration.mirror.mapping import (
    routing_form_fields,
    routing_form_submission_fields,
    uri_of,
)
from calendly_integration.mirror.upsert import mark_missing, upsert
from calendly_integration.models import RoutingForm, RoutingFormSubmission
from calendly_integration.sync.context import SyncContext


def sync_routing_forms(ctx: SyncContext) -> None:
    seen: set[str] = set()
    for page in ctx.client.list_routing_forms(organization=ctx.organization_uri).pages():
        rows = [{**routing_form_fields(d), **ctx.org_fields()} for d in page.collection]
        rows = [row for row in rows if row["uri"]]
        with transaction.atomic():
            result = upsert(RoutingForm, rows, now=ctx.now)
        ctx.tally.add_result("routing_forms", result)
        seen.update(row["uri"] for row in rows)
    scope = ctx.owned(RoutingForm)
    ctx.tally.add("routing_forms", removed=mark_missing(scope, seen, ctx.now))
    for form_id, form_uri in scope.live().values_list("id", "uri"):
        _sync_submissions(ctx, form_id, form_uri)


def _sync_submissions(ctx: SyncContext, form_id: int, form_uri: str) -> None:
    listing = ctx.client.list_routing_form_submissions(form=form_uri, sort="created_at:desc")
    seen: set[str] = set()
    complete = True
    for page in listing.pages():
        rows = []
        for data in page.collection:
            fields = routing_form_submission_fields(data)
            if fields["uri"] and uri_of(data.get("routing_form")) in ("", form_uri):
                rows.append({**fields, **ctx.org_fields(), "form_id": form_id})
        with transaction.atomic():
            result = upsert(RoutingFormSubmission, rows, now=ctx.now)
        ctx.tally.add_result("routing_form_submissions", result)
        seen.update(row["uri"] for row in rows)
        if not ctx.full and not result.created and not result.updated and page.has_next:
            complete = False
            break
    if complete:
        scope = ctx.owned(RoutingFormSubmission).filter(form_id=form_id)
        ctx.tally.add("routing_form_submissions", removed=mark_missing(scope, seen, ctx.now))
