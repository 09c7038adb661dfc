"""Routing forms and their submissions (organization-wide)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import MirroredAdmin
from calendly_integration.admin.display import EMPTY, admin_link, changelist_link, pretty_json
from calendly_integration.admin.filters import RemovedFilter
from calendly_integration.client.tracking import UTM_KEYS
from calendly_integration.models import RoutingForm, RoutingFormSubmission


@admin.register(RoutingForm)
class RoutingFormAdmin(MirroredAdmin):
    list_display = ("__str__", "status", "submission_count", "organization_link", "synced_at")
    list_filter = ("status", ("organization", admin.RelatedOnlyFieldListFilter), RemovedFilter)
    list_select_related = ("organization",)
    search_fields = ("name", "uri")
    date_hierarchy = "calendly_created_at"
    autocomplete_fields = ("organization",)
    fields = ("name", "status", "organization_link", "submission_count", "questions_display")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(submission_total=Count("submissions"))

    @admin.display(description=_("submissions"), ordering="submission_total")
    def submission_count(self, obj: RoutingForm) -> str:
        return changelist_link(
            RoutingFormSubmission, str(obj.submission_total), form__id__exact=obj.pk
        )

    @admin.display(description=_("questions"))
    def questions_display(self, obj: RoutingForm) -> str:
        return pretty_json(obj.questions) if obj.questions else EMPTY


@admin.register(RoutingFormSubmission)
class RoutingFormSubmissionAdmin(MirroredAdmin):
    list_display = (
        "uri",
        "form_link",
        "submitter_type",
        "result_type",
        "utm_source",
        "utm_campaign",
        "calendly_created_at",
    )
    list_filter = (
        "result_type",
        "submitter_type",
        ("form", admin.RelatedOnlyFieldListFilter),
        "utm_source",
        RemovedFilter,
    )
    list_select_related = ("form",)
    search_fields = ("uri", "submitter_uri", "form__name", "utm_campaign", "utm_source")
    date_hierarchy = "calendly_created_at"
    autocomplete_fields = ("form", "organization")
    fields = (
        "form_link",
        "organization_link",
        "submitter_uri",
        "submitter_type",
        "answers_display",
        "result_type",
        "result_display",
        *UTM_KEYS,
    )

    @admin.display(description=_("routing form"), ordering="form__name")
    def form_link(self, obj: RoutingFormSubmission) -> str:
        return admin_link(obj.form)

    @admin.display(description=_("questions and answers"))
    def answers_display(self, obj: RoutingFormSubmission) -> str:
        return pretty_json(obj.questions_and_answers) if obj.questions_and_answers else EMPTY

    @admin.display(description=_("result"))
    def result_display(self, obj: RoutingFormSubmission) -> str:
        return pretty_json(obj.result_value) if obj.result_value is not None else EMPTY
