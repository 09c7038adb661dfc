"""Fixtures for the demo pages: the API tests' two tenants, signed in with the test client.

Tenant A is the "small" simulator's organization, mirrored by a real sync through its owner's
connection; tenant B another simulator's. Pages are fetched with Django's test client as the
tenants' site users; actions reach the simulator over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import (  # noqa: F401 (the API tests' fixtures, reused)
    make_user,
    other_tenant,
    sim_calendly,
    sim_rate_limit,
    staff,
    tenant,
)
from tests.webhooks.conftest import recorder  # noqa: F401


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(tenant) -> Client:  # noqa: F811 (the imported fixture)
    """The site user connected to tenant A's organization owner."""
    return signed_in(tenant.users["owner"])


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]
