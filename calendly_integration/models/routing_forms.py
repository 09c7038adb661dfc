"""Routing forms and their submissions (organization-wide: owners and admins only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.base import MirroredQuerySet, OrganizationOwned


class RoutingForm(OrganizationOwned):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        DRAFT = "draft", _("Draft")

    name = models.CharField(_("name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, blank=True, choices=Status.choices)
    questions = models.JSONField(_("questions"), default=list, blank=True)

    objects = MirroredQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing form")
        verbose_name_plural = _("routing forms")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name or self.uri


class RoutingFormSubmission(OrganizationOwned):
    class ResultType(models.TextChoices):
        EVENT_TYPE = "event_type", _("Event type")
        CUSTOM_MESSAGE = "custom_message", _("Custom message")
        EXTERNAL_URL = "external_url", _("External URL")

    form = models.ForeignKey(
        RoutingForm,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("routing form"),
    )
    submitter_uri = models.CharField(_("submitter URI"), max_length=255, blank=True)
    submitter_type = models.CharField(_("submitter type"), max_length=32, blank=True)
    questions_and_answers = models.JSONField(_("questions and answers"), default=list, blank=True)
    result_type = models.CharField(
        _("result type"), max_length=32, blank=True, choices=ResultType.choices
    )
    result_value = models.JSONField(_("result"), null=True, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=255, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=255, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=255, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=255, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=255, blank=True)
    salesforce_uuid = models.CharField(_("Salesforce id"), max_length=255, blank=True)

    objects = MirroredQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing form submission")
        verbose_name_plural = _("routing form submissions")
        ordering = ("-calendly_created_at", "-pk")
        indexes = (
            models.Index(fields=("form", "calendly_created_at"), name="calendly_rfs_form_created"),
        )

    def __str__(self) -> str:
        return self.uri
