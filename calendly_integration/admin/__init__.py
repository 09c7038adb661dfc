"""Django admin for the app; one module per model family, imported here to register them."""

from calendly_integration.admin import connections  # noqa: F401
