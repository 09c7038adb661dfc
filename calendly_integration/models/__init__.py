"""The app's models, one module per Calendly resource family; import them from here."""

from calendly_integration.models.connection import Connection, ConnectionQuerySet

__all__ = ["Connection", "ConnectionQuerySet"]
