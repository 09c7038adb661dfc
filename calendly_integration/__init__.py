"""Connect a Django site's users to Calendly."""

__version__ = "0.1.0"
