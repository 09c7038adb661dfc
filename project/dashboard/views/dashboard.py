"""The dashboard: the user's Calendly connections, and their upcoming and past events."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from calendly_integration.models import Connection, EventHost, EventType, ScheduledEvent, SyncRun
from calendly_integration.services.connections import request_sync
from calendly_integration.untrusted import ascii_int
from project.dashboard.organizations import name_connections

EVENTS_PER_PAGE = 10


def paginate(queryset: QuerySet, request: HttpRequest, parameter: str) -> Page:
    """One page of ``queryset``; a missing or wrong page number (``"٣"`` included, which
    ``int()`` would read) gives the first page, one past the end the last."""
    return Paginator(queryset, EVENTS_PER_PAGE).get_page(ascii_int(request.GET.get(parameter)))


def visible_events(user: Any) -> QuerySet[ScheduledEvent]:
    hosts = Prefetch("hosts", queryset=EventHost.objects.order_by("position"))
    return (
        ScheduledEvent.objects.visible_to(user)
        .live()
        .select_related("event_type", "organization")
        .prefetch_related(hosts)
    )


def connections_of(user: Any) -> list[Connection]:
    """The user's connections, each with ``last_run`` (its latest sync run) attached."""
    connections = list(
        Connection.objects.for_user(user).select_related("sync_state").order_by("-created_at")
    )
    latest: dict[int, SyncRun] = {}
    for run in SyncRun.objects.filter(connection__in=connections).order_by("-started_at"):
        latest.setdefault(run.connection_id, run)
    for connection in connections:
        connection.last_run = latest.get(connection.pk)
    name_connections(connections)
    return connections


#: A first sync in one of these states is still on its way.
IMPORT_CONTINUES = (SyncRun.Status.RUNNING, SyncRun.Status.PARTIAL, SyncRun.Status.RATE_LIMITED)


def first_import(user: Any, connections: list[Connection]) -> dict[str, Any] | None:
    """How far the first sync of a new connection has got, or ``None`` when none is under way.

    Right after connecting, the lists are empty until the background sync commits its first
    pages; saying "No upcoming meetings" then would be wrong. The counts grow page by page.
    """
    waiting = []
    for connection in connections:
        state = getattr(connection, "sync_state", None)
        if not connection.is_usable or (state is not None and state.last_success_at):
            continue
        run = connection.last_run
        if run is None or run.status in IMPORT_CONTINUES:
            waiting.append(run)
    if not waiting:
        return None
    return {
        "started": any(run is not None for run in waiting),
        "events": ScheduledEvent.objects.visible_to(user).live().count(),
        "event_types": EventType.objects.visible_to(user).count(),
    }


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "demo/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        now = timezone.now()
        events = visible_events(self.request.user)
        upcoming = events.filter(start_time__gte=now).order_by("start_time", "pk")
        past = events.filter(start_time__lt=now).order_by("-start_time", "-pk")
        upcoming_page = paginate(upcoming, self.request, "upcoming")
        past_page = paginate(past, self.request, "past")
        connections = connections_of(self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "now": now,
            "connections": connections,
            "importing": first_import(self.request.user, connections),
            "several_organizations": len({c.organization_uri for c in connections} - {""}) > 1,
            "upcoming": upcoming_page,
            "past": past_page,
            # Each pager keeps the other list's page.
            "keep_past": f"&past={past_page.number}",
            "keep_upcoming": f"&upcoming={upcoming_page.number}",
        }


class ImportStatusView(LoginRequiredMixin, View):
    """The first import's progress as JSON, polled by the dashboard until it is done."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        importing = first_import(request.user, connections_of(request.user))
        counts = render_to_string(
            "demo/_import_counts.html", {"importing": importing}, request=request
        )
        return JsonResponse({"importing": importing is not None, "counts_html": counts})


class SyncNowView(LoginRequiredMixin, View):
    """Queue a sync of one of the user's connections for the django-q2 workers."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        connection = get_object_or_404(Connection.objects.for_user(request.user), pk=pk)
        if not connection.is_usable:
            messages.error(
                request, gettext("Reconnect this Calendly account before syncing it again.")
            )
        else:
            request_sync(connection)
            messages.success(
                request,
                gettext(
                    "A sync of %(who)s is queued; the dashboard shows the new data once a "
                    "background worker has run it."
                )
                % {"who": connection.name or connection.email or connection.calendly_user_uri},
            )
        return HttpResponseRedirect(reverse("demo:dashboard"))
