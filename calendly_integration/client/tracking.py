"""The tracking keys Calendly attaches to a booking: UTM parameters and a Salesforce id.

Calendly names the same six keys in an invitee's and a routing form submission's ``tracking``,
in the booking URL's query string, and in ``POST /invitees``. They are defined here, at the
lowest layer that knows them, and every list of them elsewhere (columns, serializers, prefill
fields) is derived from these tuples.
"""

from __future__ import annotations

#: The UTM parameters Calendly keeps, in the order its documentation lists them.
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

#: Every key of Calendly's ``tracking`` object.
TRACKING_KEYS = (*UTM_KEYS, "salesforce_uuid")
