"""The CALENDLY settings dict: lazy, defaulted, documented."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from calendly_integration.conf import calendly_settings

# databases=[]: the static checks only, as ``run_checks()`` meant before Django 6.0, which also
# runs the model checks against every database (and so needs database access).


def test_defaults_apply_when_a_key_is_missing():
    with override_settings(CALENDLY={}):
        assert calendly_settings.API_BASE_URL == "https://api.calendly.com"
        assert calendly_settings.PAGE_SIZE == 100
        assert calendly_settings.WEBHOOK_TOLERANCE == 180


def test_settings_are_read_lazily_on_every_access():
    with override_settings(CALENDLY={"PAGE_SIZE": 10}):
        assert calendly_settings.PAGE_SIZE == 10
    with override_settings(CALENDLY={"PAGE_SIZE": 20}):
        assert calendly_settings.PAGE_SIZE == 20


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="Unknown CALENDLY setting"):
        _ = calendly_settings.NOPE


def test_repr_hides_secrets():
    with override_settings(CALENDLY={"CLIENT_SECRET": "s3cr3t-value", "CLIENT_ID": "abc"}):
        text = repr(calendly_settings)
    assert "s3cr3t-value" not in text
    assert "abc" in text


def _ids(calendly):
    with override_settings(CALENDLY=calendly):
        return {m.id for m in run_checks(databases=[]) if m.id.startswith("calendly_integration.")}


def test_checks_pass_on_a_complete_configuration():
    good = {
        "CLIENT_ID": "id",
        "CLIENT_SECRET": "secret",
        "WEBHOOK_SIGNING_KEY": "key",
        "PUBLIC_BASE_URL": "https://example.com",
        "TOKEN_ENCRYPTION_KEYS": ["ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="],
    }
    assert _ids(good) == set()


@pytest.mark.parametrize(
    ("calendly", "expected"),
    [
        ({"PAGE_SZE": 10}, "calendly_integration.W001"),
        ({"API_BASE_URL": "api.calendly.com"}, "calendly_integration.E002"),
        ({"PUBLIC_BASE_URL": ""}, "calendly_integration.W003"),
        ({"CLIENT_ID": "only-the-id"}, "calendly_integration.E004"),
        ({"CLIENT_ID": "id", "CLIENT_SECRET": "s"}, "calendly_integration.W006"),
        ({"TOKEN_ENCRYPTION_KEYS": []}, "calendly_integration.W008"),
        ({"TOKEN_ENCRYPTION_KEYS": ["not-a-key"]}, "calendly_integration.E005"),
        ({"PAGE_SIZE": 500}, "calendly_integration.E006"),
        ({"READ_TIMEOUT": "30"}, "calendly_integration.E006"),
        ({"SCOPES": "users:read"}, "calendly_integration.E007"),
        ({"WEBHOOK_PROCESS_INLINE": False}, "calendly_integration.W011"),
    ],
)
def test_checks_name_what_is_wrong(calendly, expected):
    assert expected in _ids(calendly)


def test_plaintext_allauth_tokens_are_flagged():
    with override_settings(SOCIALACCOUNT_STORE_TOKENS=True):
        assert "calendly_integration.W007" in {m.id for m in run_checks(databases=[])}


def test_http_urls_are_flagged_in_production():
    with override_settings(DEBUG=False, CALENDLY={"API_BASE_URL": "http://calendly.example"}):
        ids = {m.id for m in run_checks(databases=[])}
    assert "calendly_integration.W002" in ids
