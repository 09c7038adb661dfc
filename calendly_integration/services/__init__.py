"""Actions on Calendly data, shared by the REST API, the admin and Python code.

Each action finds the connection that may act for the object (the host's own, or an organization
owner's or admin's), checks its scopes before calling Calendly, calls Calendly, and writes what
Calendly answered through ``calendly_integration.mirror``, as the sync and the webhooks do, so a row
looks the same whichever way it changed.

- ``services.events.cancel_event(event, reason, actor)``
- ``services.invitees.mark_no_show(invitee, actor)`` / ``unmark_no_show(invitee, actor)``
- ``services.links.create_single_use_link(event_type, prefill, actor)`` and
  ``create_interview_links(event_type, candidates, actor)``
- ``services.live.available_times(...)`` / ``busy_times(...)`` (read live from Calendly)
- ``services.analytics.event_analytics(events, start, end)`` (SQL aggregates)
- ``services.acting.acting_connection(...)``: who acts, and why not
- ``services.connections.request_sync(connection, full=...)``, ``ensure_webhooks(connection)``,
  ``live_check(connection)``, and connecting or disconnecting a connection
- ``services.errors``: the errors they raise and ``describe_error(exc)``, one description of any
  failure (HTTP status, code, message) for an API answer or a per-row admin message
"""
