"""Event types: single-use links, and booking links prefilled with an invitee's details."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import View

from calendly_integration.client import prefilled_booking_url
from calendly_integration.models import EventType, SchedulingLink
from calendly_integration.services.errors import InvalidRequest
from calendly_integration.services.links import check_prefill, create_single_use_link
from calendly_integration.untrusted import ascii_int
from project.dashboard.failures import ACTION_ERRORS, report_failure
from project.dashboard.filters import EventTypeFilterForm
from project.dashboard.forms import PrefillForm, prefill_questions
from project.dashboard.organizations import spans_organizations


def visible_event_types(user: Any) -> QuerySet[EventType]:
    return (
        EventType.objects.visible_to(user)
        .live()
        .select_related("organization")
        .order_by("-active", "profile_name", "name", "pk")
    )


class EventTypeListView(LoginRequiredMixin, View):
    """The list; ``?link=<id>`` shows a single-use link just made (if the user may see it)."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        created = None
        link_id = ascii_int(request.GET.get("link"))
        if link_id is not None:
            created = (
                SchedulingLink.objects.visible_to(request.user)
                .select_related("owner")
                .filter(pk=link_id)
                .first()
            )
        event_types = visible_event_types(request.user)
        filters = EventTypeFilterForm(request.GET, event_types)
        shown = filters.apply(event_types)
        return render(
            request,
            "demo/event_types.html",
            {
                "event_types": shown,
                "filters": filters,
                "total": event_types.count(),
                "created": created,
                "several_organizations": spans_organizations(request.user),
            },
        )


class SingleUseLinkView(LoginRequiredMixin, View):
    """POST: a new single-use link at Calendly for the event type."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event_type = get_object_or_404(visible_event_types(request.user), pk=pk)
        back = reverse("demo:event_types")
        try:
            created = create_single_use_link(event_type, None, request.user)
        except ACTION_ERRORS as exc:
            report_failure(request, exc)
            return HttpResponseRedirect(back)
        messages.success(
            request,
            gettext("Created a single-use link for “%(name)s”.") % {"name": event_type.name},
        )
        return HttpResponseRedirect(f"{back}?link={created.link.pk}#created-link")


class PrefilledLinkView(LoginRequiredMixin, View):
    """GET: the event type's booking URL with a name, email, answers and UTM filled in.

    The answer fields are the event type's own questions, in the order ``a1``..``a10`` answer
    them on the booking page.

    Nothing is created anywhere, so it is a GET form: the URL can be bookmarked and shared.
    """

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event_type = get_object_or_404(visible_event_types(request.user), pk=pk)
        form = PrefillForm(request.GET or None, questions=prefill_questions(event_type))
        url, status = None, 200
        if form.is_bound:
            url = self.build(event_type, form)
            status = 200 if url else 400
        return render(
            request,
            "demo/prefilled_link.html",
            {"event_type": event_type, "form": form, "url": url},
            status=status,
        )

    @staticmethod
    def build(event_type: EventType, form: PrefillForm) -> str | None:
        if not form.is_valid():
            return None
        if not event_type.scheduling_url:
            form.add_error(None, gettext("This event type has no booking page to prefill."))
            return None
        try:
            prefill = check_prefill(form.prefill())
            return prefilled_booking_url(event_type.scheduling_url, **prefill)
        except (InvalidRequest, ValueError) as exc:
            form.add_error(None, str(getattr(exc, "message", exc)))
            return None
