from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendlyProviderConfig(AppConfig):
    """The provider is its own app because allauth finds providers by importing
    ``<app>.provider`` for every installed app; its label keeps it apart from other ``calendly``s."""

    name = "calendly_integration.providers.calendly"
    label = "calendly_integration_provider"
    verbose_name = _("Calendly login")

    def ready(self) -> None:
        from calendly_integration.providers.calendly import receivers  # noqa: F401
