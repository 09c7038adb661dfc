"""Schemathesis over the whole schema, in-process, against two tenants' real data.

Every operation is fuzzed in every generation mode (``GenerationMode.from_choice("all")``: data
that fits the schema and data that does not, checked by ``negative_data_rejection`` to answer a
documented 4xx), first with
made-up ids, then with ids of real objects of the signed-in tenant (so actions really reach the
Calendly simulator) and of the other tenant (which must all answer 404, or 403 where staff only).
Every response must be documented and match its schema, and none may be a 5xx.

One check is left out: ``positive_data_acceptance`` ("schema-valid input is never a 400"). Some
rules cannot be written in OpenAPI: a time range of at most 7 days that ends after it starts, a
personal access token Calendly accepts, no NUL characters in text. Those answer 400 by design.
Hypothesis is derandomized (a fixed seed) and the examples are bounded, so a run is the same
every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from calendly_integration.models import (
    AvailabilitySchedule,
    EventType,
    Invitee,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    WebhookSubscription,
)
from calendly_integration.services.webhooks import create_subscription
from tests.api.conftest import Tenant

MAX_EXAMPLES = 8
#: Positive and negative data, as the command line's ``--mode all``.
MODES = GenerationMode.from_choice("all")
#: Operations that would end the run's own session (disconnecting the signed-in user).
SELF_DESTRUCTIVE = {"DELETE /api/connections/{id}/"}
STAFF_ONLY_PREFIX = "/api/webhook-deliveries/"


@contextmanager
def same_database_connection() -> Iterator[None]:
    """Keep the test's transaction open across WSGI requests (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def first_id(model: Any, prefix: str, **filters: Any) -> int:
    return model.objects.filter(uri__startswith=prefix, **filters).order_by("pk").first().pk


def real_ids(tenant: Tenant) -> dict[str, int]:
    """An id per resource path, of objects the tenant's owner may see (and act on)."""
    prefix = tenant.sim.url
    member = tenant.sim.members[0].uri
    ids = {
        "/api/connections/": tenant.connections["owner"].pk,
        "/api/event-types/": first_id(EventType, prefix, owner_uri=member, active=True),
        "/api/scheduled-events/": first_id(
            ScheduledEvent, prefix, status="active", start_time__gt=timezone.now()
        ),
        "/api/invitees/": first_id(
            Invitee, prefix, status="active", event__start_time__lt=timezone.now()
        ),
        "/api/routing-forms/": first_id(RoutingForm, prefix),
        "/api/routing-form-submissions/": first_id(RoutingFormSubmission, prefix),
        "/api/availability-schedules/": first_id(AvailabilitySchedule, prefix),
        "/api/webhook-deliveries/": 1,
    }
    subscription = WebhookSubscription.objects.filter(connection=tenant.connections["owner"])
    if subscription.exists():
        ids["/api/webhook-subscriptions/"] = subscription.first().pk
    return ids


def id_for(path: str, ids: dict[str, int]) -> dict[str, Any] | None:
    if "{id}" not in path:
        return None
    for prefix, pk in ids.items():
        if path.startswith(prefix):
            return {"id": pk}
    return None


def has_input_beyond_its_id(operation: Any) -> bool:
    """Whether there is anything to make invalid: schemathesis does not send a negated
    path id (it could not reach the operation), so an operation with nothing else has none."""
    definition = operation.definition.raw
    parameters = [p for p in definition.get("parameters", []) if p.get("in") != "path"]
    return bool(parameters or definition.get("requestBody"))


class Fuzzer:
    def __init__(self, token: str) -> None:
        self.headers = {"Authorization": f"Token {token}"}
        self.failures: list[str] = []
        self.calls = 0

    def run(
        self,
        operation: Any,
        mode: GenerationMode,
        path_parameters: dict[str, Any] | None = None,
        expect_hidden: bool = False,
    ) -> None:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def fuzz(case: Any) -> None:
            response = case.call(headers=self.headers)
            self.calls += 1
            where = f"{operation.label} ({mode.value}) {case.path_parameters} {case.query}"
            try:
                case.validate_response(
                    response,
                    headers=self.headers,
                    additional_checks=[negative_data_rejection, not_a_server_error],
                    excluded_checks=[positive_data_acceptance],
                )
            except FailureGroup as group:
                titles = ", ".join(sorted({f.title for f in group.exceptions}))
                self.failures.append(
                    f"{where}: {titles} -> {response.status_code} {response.text[:200]}"
                )
            if expect_hidden:
                allowed = {403} if operation.path.startswith(STAFF_ONLY_PREFIX) else {404}
                if response.status_code not in allowed:
                    self.failures.append(
                        f"{where}: another tenant's object answered {response.status_code}"
                    )

        fuzz()


@pytest.mark.django_db
def test_fuzz_the_whole_schema(tenant, other_tenant):
    started = timezone.now()
    create_subscription(tenant.connections["owner"])
    token, _ = Token.objects.get_or_create(user=tenant.users["owner"])
    fuzzer = Fuzzer(token.key)
    own, theirs = real_ids(tenant), real_ids(other_tenant)
    with same_database_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 33
        assert set(MODES) == {GenerationMode.POSITIVE, GenerationMode.NEGATIVE}
        for operation in operations:
            for mode in MODES:
                if mode.is_positive or has_input_beyond_its_id(operation):
                    fuzzer.run(operation, mode)
        for operation in operations:
            hidden = id_for(operation.path, theirs)
            if hidden is not None:
                fuzzer.run(operation, GenerationMode.POSITIVE, hidden, expect_hidden=True)
        for operation in operations:
            visible = id_for(operation.path, own)
            if visible is not None and operation.label not in SELF_DESTRUCTIVE:
                fuzzer.run(operation, GenerationMode.POSITIVE, visible)
    assert fuzzer.failures == []
    assert fuzzer.calls > 300
    assert ScheduledEvent.objects.filter(canceled_at__gte=started).exists(), (
        "the real-id pass should have reached Calendly"
    )
    assert not ScheduledEvent.objects.filter(
        uri__startswith=other_tenant.sim.url, canceled_at__gte=started
    ).exists()
