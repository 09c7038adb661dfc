"""System checks for the connection settings."""

import pytest
from django.core.checks import run_checks
from django.test import modify_settings, override_settings

from calendly_integration.checks import check_installed_apps


def ids():
    """``databases=[]``: the static checks only, as ``run_checks()`` meant before Django 6.0,
    which also runs the model checks against every database (and so needs database access)."""
    return {m.id for m in run_checks(databases=[]) if m.id.startswith("calendly_integration.")}


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


def test_the_login_provider_app_is_required_once_an_oauth_client_is_configured():
    assert check_installed_apps() == []
    with modify_settings(INSTALLED_APPS={"remove": ["calendly_integration.providers.calendly"]}):
        assert [m.id for m in check_installed_apps()] == ["calendly_integration.E009"]
        with override_settings(CALENDLY={"CLIENT_ID": "", "CLIENT_SECRET": ""}):
            assert check_installed_apps() == []  # personal access tokens only


def test_django_q_is_required():
    with modify_settings(INSTALLED_APPS={"remove": ["django_q"]}):
        messages = check_installed_apps()
    assert [m.id for m in messages] == ["calendly_integration.E010"]
    assert "qcluster" in messages[0].hint


def test_manage_py_check_fails_without_them():
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    removed = ["calendly_integration.providers.calendly", "django_q"]
    with modify_settings(INSTALLED_APPS={"remove": removed}), pytest.raises(SystemCheckError) as e:
        call_command("check", databases=[])
    assert "calendly_integration.E009" in str(e.value)
    assert "calendly_integration.E010" in str(e.value)
