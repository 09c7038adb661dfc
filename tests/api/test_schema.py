"""The OpenAPI schema: valid, warning-free, complete, and the docs page works offline."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

EXPECTED_OPERATIONS = {
    ("get", "/api/connections/"),
    ("post", "/api/connections/"),
    ("get", "/api/connections/{id}/"),
    ("delete", "/api/connections/{id}/"),
    ("post", "/api/connections/{id}/sync/"),
    ("get", "/api/connections/{id}/status/"),
    ("get", "/api/event-types/"),
    ("get", "/api/event-types/{id}/"),
    ("get", "/api/event-types/{id}/available-times/"),
    ("post", "/api/event-types/{id}/single-use-links/"),
    ("get", "/api/scheduled-events/"),
    ("get", "/api/scheduled-events/{id}/"),
    ("post", "/api/scheduled-events/{id}/cancel/"),
    ("get", "/api/invitees/"),
    ("get", "/api/invitees/{id}/"),
    ("post", "/api/invitees/{id}/no-show/"),
    ("delete", "/api/invitees/{id}/no-show/"),
    ("get", "/api/webhook-subscriptions/"),
    ("post", "/api/webhook-subscriptions/"),
    ("get", "/api/webhook-subscriptions/{id}/"),
    ("delete", "/api/webhook-subscriptions/{id}/"),
    ("get", "/api/webhook-deliveries/"),
    ("get", "/api/webhook-deliveries/{id}/"),
    ("post", "/api/webhook-deliveries/{id}/replay/"),
    ("get", "/api/routing-forms/"),
    ("get", "/api/routing-forms/{id}/"),
    ("get", "/api/routing-form-submissions/"),
    ("get", "/api/routing-form-submissions/{id}/"),
    ("get", "/api/availability-schedules/"),
    ("get", "/api/availability-schedules/{id}/"),
    ("get", "/api/busy-times/"),
    ("post", "/api/interview-links/"),
    ("get", "/api/analytics/"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_spectacular_validates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")


def test_every_capability_is_an_operation(schema):
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations == EXPECTED_OPERATIONS


def test_every_operation_documents_its_errors_and_needs_authentication(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path)
            assert operation["security"] == [{"tokenAuth": []}, {"cookieAuth": []}]
    cancel = schema["paths"]["/api/scheduled-events/{id}/cancel/"]["post"]["responses"]
    assert {"409", "429", "502", "504"} <= set(cancel)
    assert "Retry-After" in cancel["429"]["headers"]


def test_no_secret_is_part_of_any_response_schema(schema):
    text = yaml.safe_dump(schema["components"]["schemas"])
    for secret in ("access_token", "refresh_token", "signing_key", "callback_url", "encrypted_"):
        assert secret not in text


def test_the_docs_page_works_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/schema/" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for asset in assets:
        assert not asset.startswith(("http://", "https://", "//")), asset
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset


def test_the_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
