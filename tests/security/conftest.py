"""Two tenants for the security tests: Acme (the first) and Globex (the second, the intruder).

Both come from ``tests.tenants.World`` (rows made in the database, as the tenancy tests use), plus
Acme's webhook subscription, a delivery and a sync run, so every kind of row the site shows has
an Acme instance. Globex's owner is the second tenant who tries Acme's ids everywhere.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from calendly_integration.models import (
    Connection,
    SyncRun,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.tenants import World, uri
from tests.webhooks.conftest import (  # noqa: F401 (the webhook tests' fixtures, reused)
    calendly,
    captured,
    recorder,
    signal_log,
    sim_calendly,
    subscription,
    url,
)


class Tenants:
    def __init__(self) -> None:
        self.world = World()
        self.acme, self.globex = self.world.acme, self.world.globex
        self.first = self.world.site["olivia"]  # Acme's owner
        self.second = self.world.site["grace"]  # Globex's owner
        connection = Connection.objects.get(owner=self.first)
        acme_subscription = WebhookSubscription.objects.create(
            connection=connection,
            uri=uri("webhook_subscriptions"),
            callback_url="https://example.com/calendly/webhooks/acme-token/",
            organization=self.acme,
            organization_uri=self.acme.uri,
            state="active",
        )
        WebhookDelivery.objects.create(subscription=acme_subscription, event="invitee.created")
        SyncRun.objects.create(connection=connection, organization=self.acme)

    def first_tenants(self, model: type[models.Model]) -> models.QuerySet:
        """The rows of ``model`` that belong to Acme (by organization or by connection)."""
        return self.rows_of(model, self.acme)

    def rows_of(self, model: type[models.Model], organization: Any) -> models.QuerySet:
        """The rows of ``model`` that belong to ``organization``."""
        return model._default_manager.filter(_owned_by(model, organization))


def _owned_by(model: type[models.Model], organization: Any) -> models.Q:
    names = {field.name for field in model._meta.get_fields()}
    if model._meta.model_name == "organization":
        return models.Q(pk=organization.pk)
    if model is Connection:
        return models.Q(organization_uri=organization.uri)
    if "organization" in names:
        return models.Q(organization=organization)
    for path in ("connection", "subscription__connection", "event__organization"):
        if path.split("__")[0] in names:
            if path.endswith("organization"):
                return models.Q(**{path: organization})
            return models.Q(**{f"{path}__organization_uri": organization.uri})
    raise AssertionError(f"no tenant for {model.__name__}")


@pytest.fixture
def tenants(db) -> Tenants:
    return Tenants()
