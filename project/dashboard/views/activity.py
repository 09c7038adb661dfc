"""The activity feed: webhook deliveries as they arrive, without reloading the page.

The page polls ``activity/feed/?after=<last id>`` every two seconds (a few lines of vanilla JS)
and gets back the rows newer than the last one it has, already rendered, plus the rows it still
showed as pending that have been processed since. Polling works on any WSGI server, runserver
included, where Server-Sent Events would hold a worker thread per open page.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.generic import View

from calendly_integration.untrusted import ascii_int
from project.dashboard.activity import PENDING, activity_rows, visible_deliveries

PAGE_ROWS = 50
POLL_MILLISECONDS = 2000
MAX_PENDING = 50
ROW_TEMPLATE = "demo/_activity_row.html"


def _ids(value: str, *, many: bool) -> list[int] | None:
    """Whole numbers in ASCII digits from a query value (comma-separated when ``many``); None if
    any is not one (``"٣"`` and ``"²"`` pass ``str.isdigit``, so it is not the test)."""
    parts = [part for part in value.split(",") if part] if many else [value]
    ids = [ascii_int(part) for part in parts]
    if None in ids:
        return None
    return ids[:MAX_PENDING]


class ActivityView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = activity_rows(list(visible_deliveries(request.user)[:PAGE_ROWS]), request.user)
        return render(
            request,
            "demo/activity.html",
            {
                "rows": rows,
                "last_id": rows[0].delivery.pk if rows else 0,
                "poll_milliseconds": POLL_MILLISECONDS,
            },
        )


class ActivityFeedView(LoginRequiredMixin, View):
    """JSON: ``{"rows": [html, ...] newest first, "updated": {id: html}, "last_id": n}``."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        after = _ids(request.GET.get("after", "0"), many=False)
        pending = _ids(request.GET.get("pending", ""), many=True)
        if after is None or pending is None:
            return JsonResponse(
                {"detail": gettext("after and pending take delivery ids (whole numbers).")},
                status=400,
            )
        deliveries = visible_deliveries(request.user)
        new = activity_rows(list(deliveries.filter(pk__gt=after[0])[:PAGE_ROWS]), request.user)
        changed = activity_rows(
            list(deliveries.filter(pk__in=pending, pk__lte=after[0]).exclude(status__in=PENDING)),
            request.user,
        )
        return JsonResponse(
            {
                "rows": [self.render_row(request, row) for row in new],
                "updated": {str(row.delivery.pk): self.render_row(request, row) for row in changed},
                "last_id": new[0].delivery.pk if new else after[0],
            }
        )

    @staticmethod
    def render_row(request: HttpRequest, row: object) -> str:
        return render_to_string(ROW_TEMPLATE, {"row": row}, request=request)
