"""Data compliance: GDPR deletion requests for invitees and for past scheduled events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from calendly_integration.client.base import ApiBase
from calendly_integration.client.times import format_time
from calendly_integration.client.validation import check_email, check_range

MAX_DELETION_RANGE = timedelta(days=731)
MAX_DELETION_EMAILS = 100


class ComplianceMixin(ApiBase):
    def delete_invitee_data(self, emails: Sequence[str]) -> dict[str, Any]:
        """POST /data_compliance/deletion/invitees: erase everything about these invitees.

        Calendly accepts the request (202) and deletes within days; it cannot be undone.
        """
        if isinstance(emails, str) or not emails:
            raise ValueError("delete_invitee_data needs a non-empty list of e-mail addresses.")
        if len(emails) > MAX_DELETION_EMAILS:
            raise ValueError(f"At most {MAX_DELETION_EMAILS} e-mail addresses per request.")
        payload = {"emails": [check_email(e) for e in emails]}
        return self._object("POST", "/data_compliance/deletion/invitees", json=payload)

    def delete_scheduled_event_data(
        self, start_time: datetime | str, end_time: datetime | str
    ) -> dict[str, Any]:
        """POST /data_compliance/deletion/events: erase past events in a range of up to 24 months."""
        start, end = check_range(start_time, end_time, max_length=MAX_DELETION_RANGE, past_end=True)
        payload = {"start_time": format_time(start), "end_time": format_time(end)}
        return self._object("POST", "/data_compliance/deletion/events", json=payload)
