"""Who the connection is: its user, its organization, its role there, and (for admins) everyone's.

The role decides everything after it: owners and admins list the organization's event types,
events and routing forms; members list their own.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from calendly_integration.client import InvalidResponse, NotFound, PermissionDenied
from calendly_integration.mirror.mapping import (
    membership_fields,
    membership_user,
    organization_fields,
    uri_of,
    user_fields,
)
from calendly_integration.mirror.upsert import mark_missing, upsert
from calendly_integration.models import CalendlyUser, Membership, Organization
from calendly_integration.oauth.scopes import has_scopes
from calendly_integration.sync.context import SyncContext

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def sync_account(ctx: SyncContext) -> None:
    """The user and organization behind the token, and the user's own membership (their role)."""
    me = ctx.client.get_current_user()
    ctx.me_uri = uri_of(me)
    ctx.organization_uri = uri_of(me.get("current_organization"))
    if not ctx.me_uri or not ctx.organization_uri:
        raise InvalidResponse(gettext("Calendly's /users/me names no user or no organization."))
    organization = _fetch_organization(ctx)
    with transaction.atomic():
        if organization is not None:
            result = upsert(Organization, [organization_fields(organization)], now=ctx.now)
            ctx.tally.add_result("organizations", result)
            ctx.organization_id = result.ids[ctx.organization_uri]
        else:
            ctx.organization_id = _ensure_organization(ctx)
        users = upsert(CalendlyUser, [{**user_fields(me), **ctx.org_fields()}], now=ctx.now)
        ctx.tally.add_result("users", users)
        ctx.user_ids.update(users.ids)
    ctx.is_admin = _own_role(ctx) in ADMIN_ROLES
    ctx.run.organization_id = ctx.organization_id


def _fetch_organization(ctx: SyncContext) -> dict[str, Any] | None:
    if not has_scopes(ctx.connection, "organizations:read"):
        return None
    try:
        return ctx.client.get_organization(ctx.organization_uri)
    except (PermissionDenied, NotFound) as exc:
        ctx.warn(gettext("Organization details not read: %(error)s") % {"error": exc})
        return None


def _ensure_organization(ctx: SyncContext) -> int:
    """Without organization details, keep the row we have or create a bare one."""
    existing = Organization.objects.filter(uri=ctx.organization_uri).values_list("id", flat=True)
    for pk in existing:
        return pk
    result = upsert(Organization, [{"uri": ctx.organization_uri, "raw": {}}], now=ctx.now)
    ctx.tally.add_result("organizations", result)
    return result.ids[ctx.organization_uri]


def _own_role(ctx: SyncContext) -> str:
    """The user's role from their own membership; "user" when it cannot be read."""
    if not has_scopes(ctx.connection, "organizations:read"):
        ctx.warn(gettext("Memberships not synced: the organizations:read scope is missing."))
        return Membership.Role.USER
    try:
        page = next(
            ctx.client.list_organization_memberships(
                user=ctx.me_uri, organization=ctx.organization_uri
            ).pages()
        )
    except PermissionDenied as exc:
        ctx.warn(gettext("Memberships not synced: %(error)s") % {"error": exc})
        return Membership.Role.USER
    mine = [m for m in page.collection if _member_uri(m) == ctx.me_uri]
    with transaction.atomic():
        _write_memberships(ctx, mine)
    roles = [m.get("role") for m in mine if uri_of(m.get("organization")) == ctx.organization_uri]
    return next((role for role in roles if role in ADMIN_ROLES), roles[0] if roles else "user")


def sync_memberships(ctx: SyncContext) -> None:
    """Owners and admins: every membership (and user) of the organization; removed ones marked."""
    if not ctx.is_admin:
        return
    seen: set[str] = set()
    listing = ctx.client.list_organization_memberships(organization=ctx.organization_uri)
    for page in listing.pages():
        with transaction.atomic():
            seen.update(_write_memberships(ctx, page.collection))
    removed = mark_missing(ctx.owned(Membership), seen, ctx.now)
    ctx.tally.add("memberships", removed=removed)
    ctx.load_user_ids()


def _member_uri(membership: dict[str, Any]) -> str:
    return uri_of(membership.get("user"))


def _write_memberships(ctx: SyncContext, memberships: list[dict[str, Any]]) -> list[str]:
    """Upsert the users embedded in ``memberships``, then the memberships; returns their URIs."""
    # Our own user comes from /users/me, which says more than a membership's copy; writing both
    # would make every sync flip the row between the two versions.
    users = [
        u
        for u in (membership_user(m) for m in memberships)
        if u is not None and uri_of(u) != ctx.me_uri
    ]
    user_rows = [{**user_fields(u), **ctx.org_fields()} for u in users]
    if user_rows:
        result = upsert(CalendlyUser, user_rows, now=ctx.now)
        ctx.tally.add_result("users", result)
        ctx.user_ids.update(result.ids)
    rows = []
    for membership in memberships:
        user_id = ctx.user_ids.get(_member_uri(membership))
        if user_id is None:  # a user we could not read: nothing to attach the role to
            continue
        rows.append({**membership_fields(membership), **ctx.org_fields(), "user_id": user_id})
    result = upsert(Membership, rows, now=ctx.now)
    ctx.tally.add_result("memberships", result)
    return [row["uri"] for row in rows if row["uri"]]
