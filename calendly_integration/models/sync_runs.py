"""The record of every sync, and each connection's sync lease and resume cursor."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.connection import Connection
from calendly_integration.models.organizations import Organization
from calendly_integration.models.tenancy import viewer_for


class SyncRunQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SyncRunQuerySet:
        """The runs of the connections ``user`` reaches (``models.tenancy``)."""
        viewer = viewer_for(user)
        if viewer.sees_everything:
            return self.all()
        return self.filter(viewer.connections("connection__"))

    def finished(self) -> SyncRunQuerySet:
        return self.exclude(status=SyncRun.Status.RUNNING)


class SyncRun(models.Model):
    """One sync of one connection: what it covered, what it changed, what it cost, how it ended."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Stopped early, continues")
        RATE_LIMITED = "rate_limited", _("Rate limited, continues")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")
        SKIPPED = "skipped", _("Skipped: another sync was running")

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="sync_runs",
        verbose_name=_("connection"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sync_runs",
        verbose_name=_("organization"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    full = models.BooleanField(_("full sync"), default=False)
    resumed = models.BooleanField(
        _("resumed"), default=False, help_text=_("Continued where an earlier run stopped.")
    )
    window_start = models.DateTimeField(_("events from"), null=True, blank=True)
    window_end = models.DateTimeField(_("events until"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    created = models.PositiveIntegerField(_("rows created"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    removed = models.PositiveIntegerField(_("rows marked removed"), default=0)
    http_requests = models.PositiveIntegerField(
        _("HTTP requests"), default=0, help_text=_("Answers from Calendly, retries included.")
    )
    pages = models.PositiveIntegerField(_("pages of events"), default=0)
    counts = models.JSONField(
        _("counts per kind"),
        default=dict,
        blank=True,
        help_text=_("created/updated/unchanged/removed for each kind of object."),
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_type = models.CharField(_("error type"), max_length=100, blank=True)
    retry_at = models.DateTimeField(_("continues at"), null=True, blank=True)

    objects = SyncRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ("-started_at", "-pk")
        indexes = (
            models.Index(fields=("connection", "-started_at"), name="calendly_syncrun_conn_start"),
            models.Index(fields=("status", "started_at"), name="calendly_syncrun_status"),
        )

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED


class SyncStateQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SyncStateQuerySet:
        """The sync states of the connections ``user`` reaches (``models.tenancy``)."""
        viewer = viewer_for(user)
        if viewer.sees_everything:
            return self.all()
        return self.filter(viewer.connections("connection__"))


class SyncState(models.Model):
    """Per connection: who holds the sync lease, until when, where an interrupted sync was, and
    whether a sync is queued and not yet started (``queued_at``).

    The lease is claimed with one conditional UPDATE (``locked_until`` in the past), which is
    atomic on PostgreSQL and SQLite alike, and it expires, so a worker that was killed does not
    block its connection forever. The cursor is saved with every committed page of events.
    """

    connection = models.OneToOneField(
        Connection,
        on_delete=models.CASCADE,
        related_name="sync_state",
        verbose_name=_("connection"),
    )
    lock_token = models.CharField(_("lease holder"), max_length=64, blank=True, editable=False)
    locked_until = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current or last run"),
    )
    cursor = models.JSONField(
        _("resume cursor"),
        default=dict,
        blank=True,
        help_text=_("Where an unfinished sync stopped; empty after a complete one."),
    )
    last_success_at = models.DateTimeField(_("last complete sync"), null=True, blank=True)
    queued_at = models.DateTimeField(
        _("queued at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the scheduler queued a sync of this connection that has not started yet; "
            "cleared when a sync claims the lease."
        ),
    )
    last_full_sync_at = models.DateTimeField(_("last complete full sync"), null=True, blank=True)

    objects = SyncStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("sync state")
        verbose_name_plural = _("sync states")

    def __str__(self) -> str:
        return f"{self.connection}"

    def is_locked(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return bool(self.locked_until and self.locked_until > now)
