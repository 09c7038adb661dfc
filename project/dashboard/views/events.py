"""One scheduled event: its invitees with no-show toggles, and cancelling it with a reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import View

from calendly_integration.models import Invitee
from calendly_integration.services.events import cancel_event
from calendly_integration.services.invitees import mark_no_show, unmark_no_show
from project.dashboard.failures import ACTION_ERRORS, report_failure
from project.dashboard.forms import CancelEventForm
from project.dashboard.organizations import spans_organizations
from project.dashboard.views.dashboard import visible_events


def event_for(request: HttpRequest, pk: int) -> Any:
    """The event if the user may see it; a 404 otherwise (whether or not it exists)."""
    return get_object_or_404(visible_events(request.user), pk=pk)


class EventDetailView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_for(request, pk)
        invitees = (
            Invitee.objects.visible_to(request.user)
            .live()
            .filter(event=event)
            .order_by("calendly_created_at", "pk")
        )
        now = timezone.now()
        context = {
            "event": event,
            "invitees": invitees,
            "now": now,
            "started": event.start_time <= now,
            "location_is_link": event.location.startswith(("https://", "http://")),
            "several_organizations": spans_organizations(request.user),
        }
        return render(request, "demo/event_detail.html", context)


class CancelEventView(LoginRequiredMixin, View):
    """GET asks for the reason; POST cancels at Calendly (for every invitee) with it."""

    http_method_names = ["get", "head", "post"]
    template_name = "demo/event_cancel.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_for(request, pk)
        return self.page(request, event, CancelEventForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_for(request, pk)
        if event.is_canceled:
            # A stale tab: the page itself says so, once; Calendly is not asked again.
            return self.page(request, event, CancelEventForm(), status=409)
        form = CancelEventForm(request.POST)
        if not form.is_valid():
            return self.page(request, event, form, status=400)
        try:
            cancel_event(event, form.cleaned_data["reason"], request.user)
        except ACTION_ERRORS as exc:
            return self.page(request, event, form, status=report_failure(request, exc))
        messages.success(
            request, gettext("Canceled “%(name)s” at Calendly.") % {"name": event.name}
        )
        return HttpResponseRedirect(reverse("demo:dashboard"))

    def page(
        self, request: HttpRequest, event: Any, form: CancelEventForm, status: int = 200
    ) -> HttpResponse:
        return render(request, self.template_name, {"event": event, "form": form}, status=status)


class NoShowView(LoginRequiredMixin, View):
    """POST ``action=mark`` or ``action=unmark`` for one invitee, then back to its event."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitee = get_object_or_404(
            Invitee.objects.visible_to(request.user).select_related("event"), pk=pk
        )
        action = request.POST.get("action")
        back = reverse("demo:event_detail", args=[invitee.event_id])
        if action not in ("mark", "unmark"):
            messages.error(request, gettext("Choose to mark or to unmark the no-show."))
            return HttpResponseRedirect(back)
        if action == "mark" and invitee.event.start_time > timezone.now():
            messages.error(
                request, gettext("A no-show can be marked once the meeting has started.")
            )
            return HttpResponseRedirect(back)
        try:
            if action == "mark":
                mark_no_show(invitee, request.user)
                done = gettext("Marked %(who)s as a no-show.")
            else:
                unmark_no_show(invitee, request.user)
                done = gettext("%(who)s is no longer marked as a no-show.")
        except ACTION_ERRORS as exc:
            report_failure(request, exc)
        else:
            messages.success(request, done % {"who": invitee.name or invitee.email})
        return HttpResponseRedirect(back)
