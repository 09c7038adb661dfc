"""Forms of the demo pages: a cancellation reason, a prefilled link, pasted candidates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.client.booking_urls import MAX_ANSWERS
from calendly_integration.client.scheduled_events import MAX_REASON_LENGTH
from calendly_integration.models import EventType
from calendly_integration.services.links import MAX_CANDIDATES

#: The tracking a prefilled link can carry, as Calendly names it.
UTM_FIELDS = (
    ("utm_source", _("UTM source")),
    ("utm_medium", _("UTM medium")),
    ("utm_campaign", _("UTM campaign")),
    ("utm_content", _("UTM content")),
    ("utm_term", _("UTM term")),
)

#: Where a pasted line's name ends and its email starts: the last comma, semicolon or tab.
SEPARATOR = re.compile(r"[,;\t](?=[^,;\t]*$)")


class CancelEventForm(forms.Form):
    """Calendly shows the reason to every invitee, so the demo insists on one."""

    reason = forms.CharField(
        label=_("Reason for cancelling"),
        help_text=_("Calendly sends this to every invitee."),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def prefill_questions(event_type: EventType) -> list[dict[str, Any]]:
    """The questions ``a1``..``a10`` answer, in order: the event type's enabled custom questions.

    Read from the mirrored resource, so the builder asks exactly what the booking page will.
    """
    questions = (event_type.raw or {}).get("custom_questions")
    if not isinstance(questions, list):
        return []
    enabled = [
        question
        for question in questions
        if isinstance(question, dict) and question.get("enabled") and question.get("name")
    ]
    enabled.sort(key=lambda question: question.get("position") or 0)
    return enabled[:MAX_ANSWERS]


class PrefillForm(forms.Form):
    """What a booking page can open with: the invitee's name and email, the answers to the event
    type's own questions (``a1``..``a10``, labelled with the question) and UTM tracking."""

    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    email = forms.EmailField(label=_("Email"), max_length=255, required=False)

    def __init__(
        self, *args: Any, questions: Sequence[Mapping[str, Any]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)[:MAX_ANSWERS]
        for number, question in enumerate(self.questions, start=1):
            self.fields[f"a{number}"] = self._answer_field(question)
        for key, label in UTM_FIELDS:
            self.fields[key] = forms.CharField(label=label, max_length=255, required=False)

    @staticmethod
    def _answer_field(question: Mapping[str, Any]) -> forms.Field:
        """A field like the booking page's: a text box, a text area or the question's choices."""
        label = str(question.get("name"))[:255]
        choices = [str(c) for c in question.get("answer_choices") or [] if isinstance(c, str)]
        kind = question.get("type")
        if kind == "single_select" and choices and not question.get("include_other"):
            return forms.ChoiceField(
                label=label, required=False, choices=[("", "---------")] + [(c, c) for c in choices]
            )
        if kind == "multi_select" and choices and not question.get("include_other"):
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(c, c) for c in choices],
                widget=forms.CheckboxSelectMultiple,
            )
        widget = forms.Textarea(attrs={"rows": 3}) if kind in ("text", "multi_select") else None
        help_text = _("One answer per line.") if kind == "multi_select" else ""
        return forms.CharField(
            label=label, max_length=1000, required=False, widget=widget, help_text=help_text
        )

    def prefill(self) -> dict[str, Any]:
        """The cleaned values as ``services.links``/``prefilled_booking_url`` keywords."""
        data = self.cleaned_data
        answers = {}
        for number in range(1, len(self.questions) + 1):
            value = data.get(f"a{number}")
            if isinstance(value, list):
                value = "\n".join(value)
            if value:
                answers[number] = value
        prefill: dict[str, Any] = {"name": data.get("name"), "email": data.get("email")}
        prefill.update((key, data.get(key)) for key, _label in UTM_FIELDS)
        if answers:
            prefill["answers"] = answers
        return prefill


class EventTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EventType) -> str:
        owner = f" ({obj.profile_name})" if obj.profile_name else ""
        return f"{obj.name or obj.slug}{owner}"


class InterviewLinksForm(forms.Form):
    """An event type and pasted ``name, email`` lines: one single-use link per candidate."""

    event_type = EventTypeChoiceField(label=_("Event type"), queryset=EventType.objects.none())
    candidates = forms.CharField(
        label=_("Candidates"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Ada Lovelace, ada@example.com"}),
    )

    def __init__(self, *args: Any, event_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_type"].queryset = event_types
        self.fields["candidates"].help_text = gettext(
            "One candidate per line: name, then a comma (or a tab, or a semicolon), then email. "
            "At most %(count)s lines."
        ) % {"count": MAX_CANDIDATES}

    def clean_candidates(self) -> list[dict[str, str]]:
        """Each non-empty line as ``{"name", "email"}``; every bad line named by its number."""
        candidates, errors = [], []
        for number, line in enumerate(self.cleaned_data["candidates"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = SEPARATOR.split(line.strip())
            name, email = (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else ("", "")
            if not name or not email:
                errors.append(
                    gettext("Line %(number)s: write a name, a comma, then an email.")
                    % {"number": number}
                )
                continue
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    gettext("Line %(number)s: %(email)s is not an email address.")
                    % {"number": number, "email": email}
                )
                continue
            if len(name) > 255 or len(email) > 255:
                errors.append(
                    gettext("Line %(number)s: at most 255 characters for a name or an email.")
                    % {"number": number}
                )
                continue
            candidates.append({"name": name, "email": email})
        if errors:
            raise ValidationError(errors)
        if not candidates:
            raise ValidationError(gettext("Paste at least one line."))
        if len(candidates) > MAX_CANDIDATES:
            raise ValidationError(
                gettext("At most %(count)s candidates at a time.") % {"count": MAX_CANDIDATES}
            )
        return candidates


class AnalyticsRangeForm(forms.Form):
    RANGES = (
        ("past-30", _("Last 30 days")),
        ("past-90", _("Last 90 days")),
        ("next-30", _("Next 30 days")),
    )
    range = forms.ChoiceField(label=_("Period"), choices=RANGES, required=False)

    def chosen(self) -> tuple[str, int]:
        """``("past"|"next", days)``; the default when the input is missing or wrong."""
        value = self.cleaned_data.get("range") if self.is_valid() else ""
        direction, days = (value or self.RANGES[0][0]).split("-")
        return direction, int(days)
