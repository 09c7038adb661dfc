"""A JSON 404 for addresses under the API's prefix that name no endpoint.

Django answers an unknown address with its HTML 404 page (with ``DEBUG`` on, a full debug page),
which an API client cannot read. A site routes the rest of its API prefix here, after the API and
its schema pages, so every answer under the prefix is JSON in the API's error shape::

    re_path(r"^api/", api_not_found),
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.exceptions import NotFound

from calendly_integration.untrusted import handles_untrusted_input


@handles_untrusted_input
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """404 ``{"code": "not_found", "detail": ...}`` whatever the method, the path or the query."""
    return JsonResponse(
        {"code": NotFound.default_code, "detail": str(NotFound.default_detail)}, status=404
    )
