"""Event type actions that hand out booking links: single-use links, and prefilled links.

Both end on a page listing the new URLs with copy buttons, since the point is to paste them
into an email. Single-use links are made at Calendly (``services.links``); a prefilled link is
only the event type's booking URL with the person's details added, so it needs no call.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.confirmation import ConfirmedAction, RowResult
from calendly_integration.admin.errors import staff_message
from calendly_integration.client import prefilled_booking_url
from calendly_integration.client.tracking import UTM_KEYS
from calendly_integration.models import EventType
from calendly_integration.services.errors import InvalidRequest
from calendly_integration.services.links import check_prefill, create_single_use_link

logger = logging.getLogger(__name__)

MAX_LINKS_PER_EVENT_TYPE = 20


class PrefillForm(forms.Form):
    """What a booking page can be filled in with; everything optional."""

    name = forms.CharField(label=_("Name"), required=False, max_length=255)
    email = forms.EmailField(label=_("Email"), required=False)
    utm_source = forms.CharField(label=_("UTM source"), required=False, max_length=255)
    utm_medium = forms.CharField(label=_("UTM medium"), required=False, max_length=255)
    utm_campaign = forms.CharField(label=_("UTM campaign"), required=False, max_length=255)
    answers = forms.CharField(
        label=_("Answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One answer per line, in the order of the event type's questions (at most 10)."
        ),
    )
    date = forms.DateField(
        label=_("Open on date"),
        required=False,
        help_text=_("The day the booking page opens on (YYYY-MM-DD)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        answers = [line.strip() for line in (data.get("answers") or "").splitlines()]
        prefill = {key: data.get(key) for key in ("name", "email", "date", *UTM_FIELDS)}
        prefill["answers"] = [answer for answer in answers if answer]
        try:
            data["prefill"] = check_prefill(prefill)
        except InvalidRequest as exc:
            for field, errors in exc.fields.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


UTM_FIELDS = tuple(key for key in UTM_KEYS if key in PrefillForm.base_fields)


class SingleUseLinksForm(PrefillForm):
    count = forms.IntegerField(
        label=_("Links per event type"),
        min_value=1,
        max_value=MAX_LINKS_PER_EVENT_TYPE,
        initial=1,
        help_text=_("Each link can be booked once."),
    )
    field_order = ("count",)


class BookingLinksAction(ConfirmedAction):
    """An action that hands out booking links: skips what cannot be booked, ends on a page
    listing, per event type, its new URLs (``details["urls"]``) with copy buttons."""

    result_template_name = "admin/calendly_integration/booking_links.html"

    def skip_reason(self, obj: EventType) -> str:
        """Why links for this event type would not work ("" when they would)."""
        if obj.removed_at or obj.deleted_at:
            return gettext("deleted at Calendly.")
        if not obj.active:
            return gettext("inactive at Calendly, so it cannot be booked.")
        return ""

    def result_context(self, results: list[RowResult]) -> dict[str, Any]:
        return {"links_total": sum(len(r.details.get("urls", ())) for r in results)}


class CreateSingleUseLinks(BookingLinksAction):
    name = "create_single_use_links"
    label = _("Create single-use booking links")
    permission = "add_schedulinglink"
    intro = _(
        "Calendly makes booking links that work for one booking only. The new links are listed "
        "on the next page, ready to copy."
    )
    confirm_label = _("Create the links")
    will = _("New single-use links will be created at Calendly.")
    form_class = SingleUseLinksForm
    max_rows = 50

    def perform(self, obj: EventType, data: dict[str, Any]) -> RowResult:
        urls: list[str] = []
        for _number in range(data["count"]):
            try:
                created = create_single_use_link(obj, data["prefill"], self.request.user)
            except Exception as exc:
                if not urls:
                    raise
                known, reason = staff_message(exc)
                if not known:
                    logger.exception("Creating a single-use link for %r failed", obj)
                return self.fail(
                    obj,
                    gettext("created %(done)s of %(asked)s links, then: %(reason)s")
                    % {"done": len(urls), "asked": data["count"], "reason": reason},
                    urls=urls,
                )
            urls.append(created.booking_url)
        message = ngettext(
            "created %(count)d single-use link.", "created %(count)d single-use links.", len(urls)
        ) % {"count": len(urls)}
        return self.done(obj, message, urls=urls)


class BuildPrefilledLink(BookingLinksAction):
    name = "build_prefilled_link"
    label = _("Build a prefilled booking link")
    permission = "view_eventtype"
    intro = _(
        "Adds a person's details to the event type's booking URL, so Calendly's page opens "
        "filled in. Nothing is changed at Calendly."
    )
    confirm_label = _("Build the links")
    will = _("A prefilled link will be built from its booking URL.")
    form_class = PrefillForm

    def skip_reason(self, obj: EventType) -> str:
        reason = super().skip_reason(obj)
        if not reason and not obj.scheduling_url:
            reason = gettext("it has no booking URL.")
        return reason

    def perform(self, obj: EventType, data: dict[str, Any]) -> RowResult:
        url = prefilled_booking_url(obj.scheduling_url, **data["prefill"])
        return self.done(obj, gettext("link built."), urls=[url])
