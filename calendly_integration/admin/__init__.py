"""Django admin for the app; one module per model family, imported here to register them.

The dashboard (``admin:calendly_integration_dashboard``) is linked from the app's index page,
the connection list, and the admin's home page: unless the site already chose its own
``admin.site.index_template``, the app's one adds a link above the usual list of apps.
"""

from django.contrib import admin

from calendly_integration.admin import (  # noqa: F401
    availability,
    connections,
    event_types,
    organizations,
    routing_forms,
    scheduled_events,
    sync_runs,
    webhooks,
)

if admin.site.index_template is None:
    admin.site.index_template = "admin/calendly_integration/index.html"
