"""Actions on scheduled events and invitees: cancel, read again, mark and unmark no-shows.

The work is done by ``services`` (the REST API uses the same functions), acting through the
host's connection or an organization admin's; these classes only say what will happen, which
rows are skipped and why, and how each row ended.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.confirmation import ConfirmedAction, RowResult
from calendly_integration.client.scheduled_events import MAX_REASON_LENGTH
from calendly_integration.models import Invitee, ScheduledEvent
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.acting import connection_for_event
from calendly_integration.services.errors import AlreadyCanceled
from calendly_integration.services.events import cancel_event, refresh_event
from calendly_integration.services.invitees import mark_no_show, unmark_no_show

READ_SCOPE = "scheduled_events:read"


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Calendly sends it to every invitee with the cancellation."),
    )


class CancelOnCalendly(ConfirmedAction):
    name = "cancel_on_calendly"
    label = _("Cancel on Calendly")
    permission = "change_scheduledevent"
    intro = _(
        "Calendly cancels each event for all of its invitees and tells them, with the reason "
        "below. This cannot be undone."
    )
    confirm_label = _("Cancel these events")
    form_class = CancelForm

    def skip_reason(self, obj: ScheduledEvent) -> str:
        if obj.is_canceled:
            return gettext("already canceled.")
        if obj.removed_at:
            return gettext("Calendly no longer lists this event.")
        return ""

    def describe(self, obj: ScheduledEvent) -> str:
        return ngettext(
            "Will be canceled at Calendly; %(count)d invitee will be told.",
            "Will be canceled at Calendly; %(count)d invitees will be told.",
            obj.invitees_active,
        ) % {"count": obj.invitees_active}

    def perform(self, obj: ScheduledEvent, data: dict[str, Any]) -> RowResult:
        try:
            cancel_event(obj, data["reason"], self.request.user)
        except AlreadyCanceled:
            return self.skip(obj, gettext("already canceled at Calendly."))
        return self.done(obj, gettext("canceled at Calendly."))


class RefreshFromCalendly(ConfirmedAction):
    name = "refresh_from_calendly"
    label = _("Refresh from Calendly")
    permission = "change_scheduledevent"
    intro = _("Reads each event and its invitees from Calendly again, now. Nothing changes there.")
    confirm_label = _("Refresh")
    will = _("Will be read again from Calendly, with its invitees.")

    def perform(self, obj: ScheduledEvent, data: dict[str, Any]) -> RowResult:
        connection = connection_for_event(obj, self.request.user, READ_SCOPE)
        with client_for_connection(connection) as client:
            event = refresh_event(client, obj)
        count = event.invitees.count()
        return self.done(
            obj,
            ngettext(
                "read again: %(status)s, %(count)d invitee.",
                "read again: %(status)s, %(count)d invitees.",
                count,
            )
            % {"status": event.get_status_display(), "count": count},
        )


class MarkNoShow(ConfirmedAction):
    name = "mark_no_show"
    label = _("Mark as no-show on Calendly")
    permission = "change_invitee"
    intro = _("Calendly records each invitee as not having shown up to their meeting.")
    confirm_label = _("Mark as no-show")
    will = _("Will be marked as a no-show at Calendly.")
    select_related = ("event",)

    def skip_reason(self, obj: Invitee) -> str:
        if obj.is_no_show:
            return gettext("already marked as a no-show.")
        if obj.status == Invitee.Status.CANCELED:
            return gettext("canceled their booking.")
        if obj.event.start_time and obj.event.start_time > timezone.now():
            return gettext("the meeting has not started yet.")
        return ""

    def perform(self, obj: Invitee, data: dict[str, Any]) -> RowResult:
        mark_no_show(obj, self.request.user)
        return self.done(obj, gettext("marked as a no-show."))


class UnmarkNoShow(ConfirmedAction):
    name = "unmark_no_show"
    label = _("Unmark no-show on Calendly")
    permission = "change_invitee"
    intro = _("Calendly removes the no-show mark of each invitee.")
    confirm_label = _("Remove the no-show marks")
    will = _("The no-show mark will be removed at Calendly.")
    select_related = ("event",)

    def skip_reason(self, obj: Invitee) -> str:
        return "" if obj.is_no_show else gettext("not marked as a no-show.")

    def perform(self, obj: Invitee, data: dict[str, Any]) -> RowResult:
        unmark_no_show(obj, self.request.user)
        return self.done(obj, gettext("no-show mark removed."))
