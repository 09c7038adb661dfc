"""The confirmation page of an action: GET shows what will happen, POST does it.

The rows come from the ModelAdmin's own queryset (so a member of staff limited to some
organizations cannot act on another's rows by editing the ids), and the permission is checked
again here, not only when the menu is built.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from calendly_integration.admin.actions import ConfirmedAction, report

MAX_IDS_LENGTH = 20_000
#: A primary key as it can appear in the query string (small enough for any integer column).
ID = re.compile(r"[0-9]{1,18}")


def confirm_action(model_admin: Any, request: HttpRequest, name: str) -> HttpResponse:
    action_class = model_admin.get_confirmed_action(name)
    if action_class is None:
        raise Http404(gettext("No such action."))
    if not model_admin.has_view_permission(request) or not action_class.allowed(
        request, model_admin.model
    ):
        raise PermissionDenied
    action = action_class(model_admin, request)
    source = _merged(request)
    ids = parse_ids(source.get("ids", ""))
    rows = list(action.queryset(model_admin.get_queryset(request).filter(pk__in=ids)))
    if not rows:
        messages.warning(request, gettext("None of the selected rows can be acted on any more."))
        return HttpResponseRedirect(changelist_url(model_admin, source))
    if len(rows) > action.max_rows:
        messages.error(request, gettext("Too many rows are selected for this action."))
        return HttpResponseRedirect(changelist_url(model_admin, source))

    if request.method == "POST":
        form = action.form_class(request.POST)
        if form.is_valid():
            results = [action.run(obj, form.cleaned_data) for obj in rows]
            report(request, action, results)
            response = action.respond(results)
            return response or HttpResponseRedirect(changelist_url(model_admin, source))
    else:
        form = action.form_class()
    return render_confirmation(model_admin, request, action, rows, form, ids, source)


def render_confirmation(
    model_admin: Any,
    request: HttpRequest,
    action: ConfirmedAction,
    rows: list,
    form: Any,
    ids: list[int],
    source: QueryDict,
) -> TemplateResponse:
    plans = [action.plan(obj) for obj in rows]
    acting = sum(not plan.skipped for plan in plans)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": action.label,
        "subtitle": None,
        "action": action,
        "opts": model_admin.model._meta,
        "plans": plans,
        "acting": acting,
        "skipping": len(plans) - acting,
        "form": form,
        "ids": ",".join(str(pk) for pk in ids),
        "changelist_filters": source.get("_changelist_filters", ""),
        "changelist_url": changelist_url(model_admin, source),
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, action.template_name, context)


def _merged(request: HttpRequest) -> QueryDict:
    """The query string's values, overridden by the form's (the form posts to the same URL)."""
    merged = request.GET.copy()
    if request.method == "POST":
        for key in ("ids", "_changelist_filters"):
            if key in request.POST:
                merged[key] = request.POST[key]
    return merged


def parse_ids(value: str) -> list[int]:
    """The comma-separated ids of the query string; anything that is not an id is ignored."""
    return [int(part) for part in value[:MAX_IDS_LENGTH].split(",") if ID.fullmatch(part.strip())]


def changelist_url(model_admin: Any, source: QueryDict) -> str:
    opts = model_admin.model._meta
    url = reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
    filters = QueryDict(source.get("_changelist_filters", "")).urlencode()
    return f"{url}?{filters}" if filters else url
