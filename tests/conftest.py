"""Shared pytest configuration: the Calendly simulator fixtures."""

pytest_plugins = ["calendly_integration.testing.fixtures"]
