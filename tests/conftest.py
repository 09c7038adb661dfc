"""Shared pytest configuration: the Calendly simulator fixtures, and one broker queue per
pytest-xdist worker."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["calendly_integration.testing.fixtures", "tests.browser"]


def pytest_configure(config: pytest.Config) -> None:
    """Give each xdist worker its own django-q2 queue.

    pytest-django gives each worker its own test database (``test_<name>_gw0``...), which
    isolates the ORM broker, but a Redis broker is one server: tests that purge, read or
    count the queue would see each other's tasks. The queue's name is django-q2's
    ``CLUSTER_NAME``, read whenever a broker is made.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django_q.conf import Conf

        Conf.CLUSTER_NAME = f"{Conf.CLUSTER_NAME}-{worker}"
