"""Routing forms and their submissions (organization-wide, so owners and admins only)."""

from __future__ import annotations

from . import errors
from .call import Call
from .messages import Response
from .pagination import parse_sort
from .state import uuid_from_uri


def list_forms(call: Call) -> Response:
    call.organization_param(required=True)
    call.require_admin()
    field, descending = parse_sort(call.request, ("created_at",), "created_at:asc")
    own = call.organization["uri"]
    rows = [form for form in call.store.routing_forms.values() if form["organization"] == own]
    return call.page(rows, lambda f: (f[field], f["uri"]), descending=descending)


def get_form(call: Call) -> Response:
    form = call.store.routing_forms.get(call.params["uuid"])
    if form is None:
        raise errors.not_found()
    call.require_own_organization(form["organization"])
    call.require_admin()
    return call.resource(form)


def list_submissions(call: Call) -> Response:
    form_uri = call.require("form")
    uuid = uuid_from_uri(form_uri, "routing_forms")
    if uuid is None:
        raise errors.invalid_argument(("form", "must be a routing form URI"))
    form = call.store.routing_forms.get(uuid)
    if form is None:
        raise errors.not_found()
    call.require_own_organization(form["organization"])
    call.require_admin()
    field, descending = parse_sort(call.request, ("created_at",), "created_at:asc")
    rows = [s for s in call.store.submissions.values() if s["routing_form"] == form["uri"]]
    return call.page(rows, lambda s: (s[field], s["uri"]), descending=descending)


def get_submission(call: Call) -> Response:
    submission = call.store.submissions.get(call.params["uuid"])
    if submission is None:
        raise errors.not_found()
    form = call.store.routing_forms.get(submission["routing_form"].rsplit("/", 1)[1])
    call.require_own_organization(form["organization"] if form else None)
    call.require_admin()
    return call.resource(submission)
