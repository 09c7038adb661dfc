"""A changelist of a hundred rows costs the same number of queries as one of five."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.admin import factories
from tests.admin.helpers import changelist_url

pytestmark = pytest.mark.django_db

MODELS = sorted(
    model._meta.model_name
    for model in admin.site._registry
    if model._meta.app_label == "calendly_integration"
)


def _queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model_name", MODELS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model_name):
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    for _ in range(5):
        factories.make(model_name)
    few = _queries(admin_client, model)
    for _ in range(95):
        factories.make(model_name)
    assert model.objects.count() >= 100

    many = _queries(admin_client, model)

    assert many == few, f"{model_name}: {few} queries for 5 rows, {many} for 100"
    assert many <= 12
