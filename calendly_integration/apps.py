from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendlyIntegrationConfig(AppConfig):
    name = "calendly_integration"
    verbose_name = _("Calendly")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from calendly_integration import checks  # noqa: F401  (registers the system checks)
        from calendly_integration.sync import on_connect  # noqa: F401  (first sync on connect)
        from calendly_integration.webhooks import signal_handlers  # noqa: F401
