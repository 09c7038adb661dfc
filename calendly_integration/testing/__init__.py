"""Test support that host sites can reuse: the Calendly simulator and its pytest fixtures.

Import the simulator from ``calendly_integration.testing.simulator``; load the fixtures with
``pytest_plugins = ["calendly_integration.testing.fixtures"]``.
"""
