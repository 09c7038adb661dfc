"""One error root and one place to import errors from."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from calendly_integration import exceptions
from calendly_integration.client import errors as client_errors
from calendly_integration.exceptions import CalendlyIntegrationError
from calendly_integration.oauth import errors as oauth_errors
from calendly_integration.services import errors as service_errors
from calendly_integration.webhooks import processing, subscriptions

PUBLIC = [getattr(exceptions, name) for name in exceptions.__all__]


@pytest.mark.parametrize("error", PUBLIC, ids=lambda error: error.__name__)
def test_every_public_error_shares_one_root(error):
    assert issubclass(error, CalendlyIntegrationError)


def test_the_modules_that_defined_them_hand_out_the_same_classes():
    assert client_errors.RateLimited is exceptions.RateLimited
    assert oauth_errors.NeedsReauth is exceptions.NeedsReauth
    assert oauth_errors.TokenDecryptionError is exceptions.TokenDecryptionError
    assert service_errors.InvalidRequest is exceptions.InvalidRequest
    assert subscriptions.WebhooksNotConfigured is exceptions.WebhooksNotConfigured
    assert processing.ProcessingError is exceptions.ProcessingError


@pytest.mark.parametrize(
    ("error", "django_or_python_type"),
    [
        (exceptions.WebhooksNotConfigured, ImproperlyConfigured),
        (exceptions.TokenDecryptionError, ImproperlyConfigured),
        (exceptions.InvalidPersonalAccessToken, ValueError),
        (exceptions.InvalidRequest, ValueError),
        (exceptions.NotPermitted, DjangoPermissionDenied),
    ],
)
def test_errors_are_also_the_django_or_python_type_that_says_the_same(error, django_or_python_type):
    assert issubclass(error, django_or_python_type)


def test_the_exceptions_module_imports_nothing_else_of_ours():
    code = (
        "import sys, calendly_integration.exceptions; "
        "print(sorted(m for m in sys.modules if m.startswith('calendly_integration')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['calendly_integration', 'calendly_integration.exceptions']"
