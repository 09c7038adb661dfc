"""Interview links in bulk: pasted candidates in, one single-use prefilled link each out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.generic import View

from calendly_integration.services.links import create_interview_links
from project.dashboard.batches import batch_csv, load_batch, save_batch
from project.dashboard.failures import ACTION_ERRORS, report_failure
from project.dashboard.forms import InterviewLinksForm
from project.dashboard.views.event_types import visible_event_types

TEMPLATE = "demo/interview_links.html"


class InterviewLinksView(LoginRequiredMixin, View):
    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request, request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        event_type = form.cleaned_data["event_type"]
        try:
            results = create_interview_links(
                event_type, form.cleaned_data["candidates"], request.user
            )
        except ACTION_ERRORS as exc:
            return self.page(request, form, status=report_failure(request, exc))
        made = sum(result.ok for result in results)
        failed = len(results) - made
        messages.success(
            request,
            ngettext("Created %(count)s link.", "Created %(count)s links.", made) % {"count": made},
        )
        if failed:
            messages.warning(
                request,
                ngettext(
                    "%(count)s candidate got no link (see the table).",
                    "%(count)s candidates got no link (see the table).",
                    failed,
                )
                % {"count": failed},
            )
        batch_id = save_batch(request.session, event_type.name, results)
        return HttpResponseRedirect(reverse("demo:interview_links_batch", args=[batch_id]))

    @staticmethod
    def form(request: HttpRequest, data: dict | None = None) -> InterviewLinksForm:
        event_types = visible_event_types(request.user).filter(active=True)
        return InterviewLinksForm(data, event_types=event_types)

    @staticmethod
    def page(
        request: HttpRequest, form: InterviewLinksForm, batch: dict | None = None, status: int = 200
    ) -> HttpResponse:
        return render(request, TEMPLATE, {"form": form, "batch": batch}, status=status)


class InterviewLinksBatchView(LoginRequiredMixin, View):
    """A batch just made: the table of links, and the form again for the next batch."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, batch_id: str) -> HttpResponse:
        batch = load_batch(request.session, batch_id)
        if batch is None:
            raise Http404(gettext("This batch is not in your session (any more)."))
        form = InterviewLinksView.form(request)
        return InterviewLinksView.page(request, form, batch)


class InterviewLinksCsvView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, batch_id: str) -> HttpResponse:
        batch = load_batch(request.session, batch_id)
        if batch is None:
            raise Http404(gettext("This batch is not in your session (any more)."))
        response = HttpResponse(batch_csv(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="interview-links.csv"'
        response["Cache-Control"] = "no-store"
        return response
