"""The event types page's filters: whose event types, and whether they take bookings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from calendly_integration.models import EventType

STATE_CHOICES = (("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All")))


class EventTypeFilterForm(forms.Form):
    """A GET form over the event types the user may see.

    The owner choices are the owners of those event types, so an unknown or hostile value is a
    form error (the list then shows unfiltered), never a query.
    """

    owner = forms.ChoiceField(label=_("Owner"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)

    def __init__(self, data: Any, event_types: QuerySet[EventType]) -> None:
        super().__init__(data)
        owners = (
            event_types.exclude(owner_uri="")
            .order_by("profile_name", "owner_uri")
            .values_list("owner_uri", "profile_name")
            .distinct()
        )
        self.fields["owner"].choices = [
            ("", _("Everyone")),
            *((uri, name or uri) for uri, name in owners),
        ]

    def apply(self, event_types: QuerySet[EventType]) -> QuerySet[EventType]:
        """``event_types`` narrowed by the valid choices (active ones only by default)."""
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state") or "active"
        if state != "all":
            event_types = event_types.filter(active=state == "active")
        if data.get("owner"):
            event_types = event_types.filter(owner_uri=data["owner"])
        return event_types
