"""Confirmed actions: what an admin action will do to each row, its confirmation page, its report.

Django's own actions run the moment they are picked. Ours change things at Calendly (and tell
invitees), so an action is declared as a ``ConfirmedAction`` and this base class does the rest once
for all of them: a confirmation page that says, row by row, what will happen or why a row will be
skipped, and asks for what the action needs (a cancellation reason, how many links); on confirming,
the plan is made again (a row may have changed since the page was shown), each row is acted on, and
each gets its own message: done, skipped and why, failed and why, with Calendly's errors turned
into sentences (``errors.py``) instead of a 500 page. A new action is a small class::

    class MarkNoShow(ConfirmedAction):
        name = "mark_no_show"
        label = _("Mark as no-show on Calendly")
        permission = "change_invitee"
        will = _("Will be marked as a no-show at Calendly.")

        def skip_reason(self, obj: Invitee) -> str:
            return gettext("already marked as a no-show.") if obj.is_no_show else ""

        def perform(self, obj: Invitee, data: dict[str, Any]) -> RowResult:
            mark_no_show(obj, self.request.user)
            return self.done(obj, gettext("marked as a no-show."))

The rows come from the ModelAdmin's own queryset (so a member of staff limited to some
organizations cannot act on another's rows by editing the ids), and the permission is checked on
the page itself, not only when the menu is built. ``actions.py`` puts the actions in a ModelAdmin's
menu and routes their pages here; this module knows nothing of it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.errors import staff_message

logger = logging.getLogger(__name__)

SUCCESS = "success"
SKIPPED = "skipped"
FAILED = "failed"

MESSAGE_LEVELS = {SUCCESS: messages.SUCCESS, SKIPPED: messages.WARNING, FAILED: messages.ERROR}

MAX_IDS_LENGTH = 20_000
#: A primary key as it can appear in the query string (small enough for any integer column).
ID = re.compile(r"[0-9]{1,18}")


@dataclass
class Plan:
    """What the action will do to one row, or why it will leave it alone."""

    obj: models.Model
    will: str = ""
    skip_reason: str = ""

    @property
    def skipped(self) -> bool:
        return bool(self.skip_reason)


@dataclass
class RowResult:
    """What happened to one row; ``details`` carries what a result page shows (new URLs)."""

    obj: models.Model
    outcome: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return {
            SUCCESS: gettext("Done"),
            SKIPPED: gettext("Skipped"),
            FAILED: gettext("Failed"),
        }[self.outcome]


class ConfirmedAction:
    """One action: what it is called and needs (class attributes), and its per-row work.

    A subclass sets the attributes, says why a row is skipped (``skip_reason``) and what will
    happen to the others (``will``, or ``describe`` when it depends on the row), and implements
    ``perform``. Everything else (the page, re-planning before acting, errors, messages, an
    optional result page) is done here.
    """

    name: ClassVar[str]
    label: ClassVar[Any]
    #: Codename of the model permission needed, e.g. "change_scheduledevent".
    permission: ClassVar[str]
    intro: ClassVar[Any] = ""
    confirm_label: ClassVar[Any] = _("Yes, go ahead")
    #: What will happen to a row that is not skipped (``describe`` may say it per row instead).
    will: ClassVar[Any] = ""
    form_class: ClassVar[type[forms.Form]] = forms.Form
    #: Relations ``skip_reason``, ``describe`` and ``perform`` read, joined in one query.
    select_related: ClassVar[tuple[str, ...]] = ()
    #: Most rows one confirmation may act on (each costs at least one call to Calendly).
    max_rows: ClassVar[int] = 200
    template_name: ClassVar[str] = "admin/calendly_integration/confirm_action.html"
    #: A page shown after acting (given ``results``), instead of going back to the list.
    result_template_name: ClassVar[str | None] = None

    def __init__(self, model_admin: Any, request: HttpRequest) -> None:
        self.model_admin = model_admin
        self.request = request

    @classmethod
    def allowed(cls, request: HttpRequest, model: type[models.Model]) -> bool:
        return request.user.has_perm(f"{model._meta.app_label}.{cls.permission}")

    # What a subclass declares.

    def queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """The selected rows, with whatever the plan and ``perform`` read joined in."""
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def skip_reason(self, obj: Any) -> str:
        """Why this row will be left alone ("" when the action applies to it)."""
        return ""

    def describe(self, obj: Any) -> str:
        """What will happen to a row that is not skipped."""
        return str(self.will or self.label)

    def perform(self, obj: Any, data: dict[str, Any]) -> RowResult:
        """Act on one row (``data`` is the form's cleaned data); errors raised become failures."""
        raise NotImplementedError

    def result_context(self, results: list[RowResult]) -> dict[str, Any]:
        """What ``result_template_name`` needs beyond the results themselves."""
        return {}

    # Results, for ``perform``.

    def done(self, obj: Any, message: str, **details: Any) -> RowResult:
        return RowResult(obj, SUCCESS, message, details)

    def skip(self, obj: Any, reason: str) -> RowResult:
        return RowResult(obj, SKIPPED, reason)

    def fail(self, obj: Any, reason: str, **details: Any) -> RowResult:
        return RowResult(obj, FAILED, reason, details)

    # Done once for every action.

    def plan(self, obj: Any) -> Plan:
        reason = self.skip_reason(obj)
        if reason:
            return Plan(obj, skip_reason=reason)
        return Plan(obj, will=self.describe(obj))

    def run(self, obj: Any, data: dict[str, Any]) -> RowResult:
        """Plan again, then act on one row; every error becomes a failed row, never a 500."""
        plan = self.plan(obj)
        if plan.skipped:
            return self.skip(obj, plan.skip_reason)
        try:
            return self.perform(obj, data)
        except Exception as exc:
            known, message = staff_message(exc)
            if not known:
                logger.exception("Admin action %s failed on %r", self.name, obj)
            return self.fail(obj, message)

    def page(self) -> HttpResponse:
        """The confirmation page: GET shows what will happen, a valid POST does it."""
        model_admin, request = self.model_admin, self.request
        if not model_admin.has_view_permission(request) or not self.allowed(
            request, model_admin.model
        ):
            raise PermissionDenied
        source = _merged(request)
        ids = parse_ids(source.get("ids", ""))
        rows = list(self.queryset(model_admin.get_queryset(request).filter(pk__in=ids)))
        if not rows:
            messages.warning(
                request, gettext("None of the selected rows can be acted on any more.")
            )
            return HttpResponseRedirect(changelist_url(model_admin, source))
        if len(rows) > self.max_rows:
            messages.error(request, gettext("Too many rows are selected for this action."))
            return HttpResponseRedirect(changelist_url(model_admin, source))

        if request.method == "POST":
            form = self.form_class(request.POST)
            if form.is_valid():
                results = [self.run(obj, form.cleaned_data) for obj in rows]
                self.report(results)
                response = self.respond(results)
                return response or HttpResponseRedirect(changelist_url(model_admin, source))
        else:
            form = self.form_class()
        return self.render_confirmation(rows, form, ids, source)

    def render_confirmation(
        self, rows: list, form: forms.Form, ids: list[int], source: QueryDict
    ) -> TemplateResponse:
        model_admin = self.model_admin
        plans = [self.plan(obj) for obj in rows]
        acting = sum(not plan.skipped for plan in plans)
        context = {
            **model_admin.admin_site.each_context(self.request),
            "title": self.label,
            "subtitle": None,
            "action": self,
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
        return TemplateResponse(self.request, self.template_name, context)

    def report(self, results: list[RowResult]) -> None:
        """A summary message, then one message per row at the level of its outcome."""
        counts = dict.fromkeys(MESSAGE_LEVELS, 0)
        for result in results:
            counts[result.outcome] += 1
        summary = gettext("%(action)s: %(done)s done, %(skipped)s skipped, %(failed)s failed.") % {
            "action": self.label,
            "done": counts[SUCCESS],
            "skipped": counts[SKIPPED],
            "failed": counts[FAILED],
        }
        level = messages.ERROR if counts[FAILED] else messages.SUCCESS
        if not counts[FAILED] and not counts[SUCCESS]:
            level = messages.WARNING
        messages.add_message(self.request, level, summary)
        for result in results:
            messages.add_message(
                self.request,
                MESSAGE_LEVELS[result.outcome],
                gettext("%(object)s — %(outcome)s: %(message)s")
                % {"object": result.obj, "outcome": result.label, "message": result.message},
            )

    def respond(self, results: list[RowResult]) -> HttpResponse | None:
        """The result page when the action has one, else ``None`` (back to the list)."""
        if self.result_template_name is None:
            return None
        model_admin = self.model_admin
        context = {
            **model_admin.admin_site.each_context(self.request),
            "title": self.label,
            "subtitle": None,
            "opts": model_admin.model._meta,
            "results": results,
            **self.result_context(results),
        }
        return TemplateResponse(self.request, self.result_template_name, context)


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
