"""An exception reporter filter that keeps Calendly secrets out of error pages and error e-mails.

Django's ``SafeExceptionReporterFilter`` hides settings whose names look secret, but a traceback's
local variables and POST data only when a view is decorated for it, and nothing at all while
``DEBUG`` is on. A traceback through the Calendly client holds the live access token in its
locals (and an ``Authorization`` header), and ``CALENDLY['SLACK_WEBHOOK_URL']`` is a secret whose
name does not look like one. This filter hides, always: the ``CALENDLY`` keys ``conf`` marks
secret, and whatever is *named* like a secret (settings and dict keys as Django does, plus webhook
URLs), local variables, POST fields, and the keys of any mapping (``requests``' and ``urllib3``'s
header objects are not dicts).

Use it with ``DEFAULT_EXCEPTION_REPORTER_FILTER = "calendly_integration.error_reports.
CalendlyExceptionReporterFilter"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

from calendly_integration.conf import SETTINGS

#: The CALENDLY keys the settings reference marks secret, whatever their names look like.
SECRET_SETTINGS = frozenset(setting.name for setting in SETTINGS if setting.secret)
SECRET_NAMES = re.compile(
    SafeExceptionReporterFilter.hidden_settings.pattern + "|WEBHOOK_URL|DSN|VERIFIER|COOKIE",
    flags=re.I,
)


class CalendlyExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hide secret-named settings, variables, POST fields and mapping keys, with DEBUG on or off."""

    hidden_settings = SECRET_NAMES

    def is_active(self, request: HttpRequest | None) -> bool:
        """Always: a debug page is still seen, shared and screenshotted."""
        return True

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        if isinstance(value, Mapping) and not isinstance(value, dict):
            value = dict(value)
        if key == "CALENDLY" and isinstance(value, dict):
            value = {
                name: self.cleansed_substitute if name in SECRET_SETTINGS and item else item
                for name, item in value.items()
            }
        return super().cleanse_setting(key, value)

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters = super().get_post_parameters(request)
        secret = [name for name in parameters if SECRET_NAMES.search(str(name))]
        if not secret:
            return parameters
        parameters = parameters.copy()
        for name in secret:
            parameters[name] = self.cleansed_substitute
        return parameters

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        return [
            (name, self.cleanse_setting(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
