"""Every page that changes state refuses a POST without a CSRF token.

The walk covers every named URL of the site (the connection pages, the admin and its actions,
the demo pages, allauth's pages including logout), signed in as a superuser who owns a
connection, so that no view turns the request away for another reason first. Only the webhook
receiver is exempt (Calendly signs its deliveries instead; see tests/webhooks), and views that
take no POST at all may answer 405.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from calendly_integration.models import Connection

pytestmark = pytest.mark.django_db

#: The one view that must accept cross-site POSTs: Calendly's webhook deliveries.
EXEMPT = {"calendly_integration:webhook"}
KWARG_GUESSES = ("{pk}", "calendly_integration", "x")


def named_urls() -> Iterator[tuple[str, list[str]]]:
    """(namespaced URL name, its keyword arguments) for every named pattern of the site."""
    pending: list[tuple[str, URLResolver | URLPattern]] = [
        ("", entry) for entry in get_resolver().url_patterns
    ]
    while pending:
        namespace, entry = pending.pop()
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            pending.extend((inner, child) for child in entry.url_patterns)
        elif entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.regex.groupindex)


def url_for(name: str, kwargs: list[str], pk: int) -> str | None:
    if "format" in kwargs:
        return None
    for guess in KWARG_GUESSES:
        try:
            return reverse(name, kwargs={k: guess.format(pk=pk) for k in kwargs})
        except NoReverseMatch:
            continue
    return None


@pytest.fixture
def superuser_with_connection(tenants):
    user = tenants.first
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_every_post_without_a_csrf_token_is_refused(superuser_with_connection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser_with_connection)
    connection = Connection.objects.get(owner=superuser_with_connection)
    statuses = dict(Connection.objects.values_list("pk", "status"))
    answers: dict[str, int] = {}
    for name, kwargs in sorted({(n, tuple(k)) for n, k in named_urls()}):
        if name in EXEMPT:
            continue
        url = url_for(name, list(kwargs), connection.pk)
        if url is None:
            continue
        answers[url] = client.post(url, {"anything": "1"}).status_code

    accepted = {url: status for url, status in answers.items() if status not in (403, 405)}
    assert accepted == {}
    assert answers[reverse("account_logout")] == 403
    assert answers[reverse("calendly_integration:connect_token")] == 403
    assert answers[reverse("calendly_integration:disconnect", args=[connection.pk])] == 403
    assert answers[reverse("admin:calendly_integration_scheduledevent_changelist")] == 403
    assert len(answers) > 100
    assert dict(Connection.objects.values_list("pk", "status")) == statuses
    client.force_login(superuser_with_connection)
    assert client.get(reverse("calendly_integration:connections")).status_code == 200
