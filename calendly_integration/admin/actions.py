"""Admin actions that act on Calendly, always through a confirmation page.

Django's own actions run the moment they are picked. Ours change things at Calendly (and tell
invitees), so picking one only redirects to a confirmation page (``confirmation.py``) that says,
row by row, what will happen or why a row will be skipped, and asks for what the action needs
(a cancellation reason, how many links). The selected ids travel in the query string, so that
page is a plain GET that can be reloaded; only its POST acts. Each row then gets its own result
message: done, skipped and why, failed and why, with Calendly's errors turned into sentences
(``errors.py``) instead of a 500 page.

An action names the model permission it needs; users without it do not see the action and get
a 403 from its page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.errors import staff_message

logger = logging.getLogger(__name__)

SUCCESS = "success"
SKIPPED = "skipped"
FAILED = "failed"

MESSAGE_LEVELS = {SUCCESS: messages.SUCCESS, SKIPPED: messages.WARNING, FAILED: messages.ERROR}


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
    """One action: its label, permission, form, per-row plan and per-row work.

    Subclasses set the class attributes and implement ``perform``; ``plan`` says what will
    happen (or why a row is skipped) and is asked again right before acting, so a row that
    changed since the page was shown is still skipped correctly.
    """

    name: ClassVar[str]
    label: ClassVar[Any]
    #: Codename of the model permission needed, e.g. "change_scheduledevent".
    permission: ClassVar[str]
    intro: ClassVar[Any] = ""
    confirm_label: ClassVar[Any] = _("Yes, go ahead")
    form_class: ClassVar[type[forms.Form]] = forms.Form
    #: Most rows one confirmation may act on (each costs at least one call to Calendly).
    max_rows: ClassVar[int] = 200
    template_name: ClassVar[str] = "admin/calendly_integration/confirm_action.html"

    def __init__(self, model_admin: Any, request: HttpRequest) -> None:
        self.model_admin = model_admin
        self.request = request

    @classmethod
    def allowed(cls, request: HttpRequest, model: type[models.Model]) -> bool:
        return request.user.has_perm(f"{model._meta.app_label}.{cls.permission}")

    def queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """The selected rows, with whatever ``plan`` and ``perform`` read joined in."""
        return queryset

    def plan(self, obj: Any) -> Plan:
        return Plan(obj, will=str(self.label))

    def perform(self, obj: Any, data: dict[str, Any]) -> RowResult:
        raise NotImplementedError

    def respond(self, results: list[RowResult]) -> HttpResponse | None:
        """A page to show after acting, or ``None`` to go back to the list."""
        return None

    # Results.

    def done(self, obj: Any, message: str, **details: Any) -> RowResult:
        return RowResult(obj, SUCCESS, message, details)

    def skip(self, obj: Any, reason: str) -> RowResult:
        return RowResult(obj, SKIPPED, reason)

    def fail(self, obj: Any, reason: str, **details: Any) -> RowResult:
        return RowResult(obj, FAILED, reason, details)

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


def report(request: HttpRequest, action: ConfirmedAction, results: list[RowResult]) -> None:
    """A summary message, then one message per row at the level of its outcome."""
    counts = dict.fromkeys(MESSAGE_LEVELS, 0)
    for result in results:
        counts[result.outcome] += 1
    summary = gettext("%(action)s: %(done)s done, %(skipped)s skipped, %(failed)s failed.") % {
        "action": action.label,
        "done": counts[SUCCESS],
        "skipped": counts[SKIPPED],
        "failed": counts[FAILED],
    }
    level = messages.ERROR if counts[FAILED] else messages.SUCCESS
    if not counts[FAILED] and not counts[SUCCESS]:
        level = messages.WARNING
    messages.add_message(request, level, summary)
    for result in results:
        messages.add_message(
            request,
            MESSAGE_LEVELS[result.outcome],
            gettext("%(object)s — %(outcome)s: %(message)s")
            % {"object": result.obj, "outcome": result.label, "message": result.message},
        )


def confirmation_url_name(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}_confirm_action"


class ConfirmedActionsMixin:
    """Adds ``confirmed_actions`` to a ModelAdmin's action menu and serves their pages."""

    confirmed_actions: tuple[type[ConfirmedAction], ...] = ()

    def get_confirmed_action(self, name: str) -> type[ConfirmedAction] | None:
        return next((a for a in self.confirmed_actions if a.name == name), None)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        if actions is None or not self.confirmed_actions or "_popup" in request.GET:
            return actions
        for action in self.confirmed_actions:
            if action.allowed(request, self.model):  # type: ignore[attr-defined]
                actions[action.name] = (_redirector(action), action.name, action.label)
        return actions

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.confirm_action_view)  # type: ignore[attr-defined]
        own = [
            path(
                "actions/<slug:action>/",
                view,
                name=confirmation_url_name(self.model),  # type: ignore[attr-defined]
            )
        ]
        return own + super().get_urls()  # type: ignore[misc]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The object's page, with a button per action the user may run on it."""
        extra_context = {
            **(extra_context or {}),
            "calendly_actions": self.object_actions(request, object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def object_actions(self, request: HttpRequest, object_id: str) -> list[tuple[Any, str]]:
        """(label, confirmation URL) of the actions ``request.user`` may run on one object."""
        if not str(object_id).isascii() or not str(object_id).isdigit():
            return []
        name = f"{self.admin_site.name}:{confirmation_url_name(self.model)}"  # type: ignore[attr-defined]
        return [
            (action.label, f"{reverse(name, kwargs={'action': action.name})}?ids={object_id}")
            for action in self.confirmed_actions
            if action.allowed(request, self.model)  # type: ignore[attr-defined]
        ]

    def confirm_action_view(self, request: HttpRequest, action: str) -> HttpResponse:
        from calendly_integration.admin.confirmation import confirm_action

        return confirm_action(self, request, action)


def _redirector(action: type[ConfirmedAction]) -> Any:
    """The function Django runs when the action is picked: off to the confirmation page."""

    def redirect(model_admin: Any, request: HttpRequest, queryset: models.QuerySet) -> Any:
        ids = list(queryset.values_list("pk", flat=True)[: action.max_rows + 1])
        if len(ids) > action.max_rows:
            model_admin.message_user(
                request,
                ngettext(
                    "Select at most %(count)d row for this action.",
                    "Select at most %(count)d rows for this action.",
                    action.max_rows,
                )
                % {"count": action.max_rows},
                messages.ERROR,
            )
            return None
        query = {"ids": ",".join(str(pk) for pk in ids)}
        filters = request.GET.urlencode()
        if filters:
            query["_changelist_filters"] = filters
        url = reverse(
            f"{model_admin.admin_site.name}:{confirmation_url_name(model_admin.model)}",
            kwargs={"action": action.name},
        )
        return HttpResponseRedirect(f"{url}?{urlencode(query)}")

    redirect.__name__ = action.name
    return redirect
