"""Confirmed actions in a ModelAdmin: its action menu, the page URL, the buttons on a row's page.

Picking one of our actions in the list only redirects to its confirmation page
(``confirmation.py``, which does everything else). The selected ids travel in the query string, so
that page is a plain GET that can be reloaded; only its POST acts. An action names the model
permission it needs; users without it do not see the action (here) and get a 403 from its page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext

from calendly_integration.admin.confirmation import ConfirmedAction


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
        """The confirmation page of one action (``ConfirmedAction.page``)."""
        action_class = self.get_confirmed_action(action)
        if action_class is None:
            raise Http404(gettext("No such action."))
        return action_class(self, request).page()


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
