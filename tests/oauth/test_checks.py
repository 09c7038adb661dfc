"""System checks for the connection settings."""

from django.core.checks import run_checks
from django.test import override_settings


def ids():
    return {m.id for m in run_checks() if m.id.startswith("calendly_integration.")}


def test_on_disconnect_must_be_keep_or_delete(settings):
    settings.CALENDLY = {**settings.CALENDLY, "ON_DISCONNECT": "purge"}
    assert "calendly_integration.E008" in ids()
    settings.CALENDLY = {**settings.CALENDLY, "ON_DISCONNECT": "delete"}
    assert "calendly_integration.E008" not in ids()


def test_client_credentials_unused_by_allauth_are_flagged():
    with override_settings(
        SOCIALACCOUNT_ADAPTER="allauth.socialaccount.adapter.DefaultSocialAccountAdapter"
    ):
        assert "calendly_integration.W009" in ids()
        with override_settings(
            SOCIALACCOUNT_PROVIDERS={
                "calendly": {"APP": {"client_id": "demo-client", "secret": "y"}}
            }
        ):
            assert "calendly_integration.W009" not in ids()
    assert "calendly_integration.W009" not in ids()


def test_an_allauth_app_with_other_credentials_is_flagged():
    with override_settings(
        SOCIALACCOUNT_PROVIDERS={"calendly": {"APP": {"client_id": "other", "secret": "y"}}}
    ):
        assert "calendly_integration.W010" in ids()
    with override_settings(
        SOCIALACCOUNT_PROVIDERS={"calendly": {"APP": {"client_id": "demo-client", "secret": "y"}}}
    ):
        assert "calendly_integration.W010" not in ids()
