"""What every view of the API shares: authentication, permission, errors and schema.

Authentication is token first (``Authorization: Token <key>``, so an anonymous caller gets a 401
with ``WWW-Authenticate``), then the Django session (with CSRF, for the site's own pages). These
are set here rather than taken from the host's DRF defaults so the API behaves as documented
wherever it is installed; subclass to change them.

Hostile input is refused here once for every view: ``guards.check_request`` before
authentication (NUL and lone surrogates in the query, headers and path; bodies over the upload
limit), ``StrictJSONParser`` for bodies, and ids read in ASCII digits only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from calendly_integration.api.exceptions import exception_handler
from calendly_integration.api.fields import MAX_ID
from calendly_integration.api.guards import check_request
from calendly_integration.api.parsers import StrictJSONParser
from calendly_integration.api.schema import CalendlyAutoSchema
from calendly_integration.untrusted import ascii_int, handles_untrusted_input


@handles_untrusted_input
class ApiViewMixin:
    """Authentication, permission, error handling and schema of every view of the app.

    JSON only, in and out: nested input (candidates, answers) has no form encoding, and one
    media type is what the schema promises.
    """

    authentication_classes = (TokenAuthentication, SessionAuthentication)
    parser_classes = (StrictJSONParser,)
    renderer_classes = (JSONRenderer,)
    permission_classes = (IsAuthenticated,)
    schema = CalendlyAutoSchema()
    #: Any segment reaches the view, which answers a JSON 404 for an id that is not one (the
    #: router's default would leave "1.5" to the site's HTML 404 page).
    lookup_value_regex = "[^/]+"
    #: Actions that call Calendly (their schema lists 409, 424, 429, 502 and 504 too).
    calendly_actions: tuple[str, ...] = ()

    def get_exception_handler(self) -> Callable[..., Any]:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        check_request(request, kwargs)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not getattr(self, "detail", False):
            self._read_body()

    def _read_body(self) -> None:
        """Read the body (refusing a hostile one) even for actions that take none, so a bad body
        never slips past an action that would then call Calendly. A detail action reads it once
        its object is found, so another tenant's id is a 404 whatever the body."""
        if self.request.stream is not None:  # type: ignore[attr-defined]
            self.request.data  # type: ignore[attr-defined]  # noqa: B018

    def get_object(self) -> Model:
        """Only ASCII digits name an object: Django's ``IntegerField`` reads "٣" as 3."""
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)  # type: ignore[attr-defined]
        if ascii_int(str(lookup), minimum=1, maximum=MAX_ID) is None:
            raise Http404
        found = super().get_object()  # type: ignore[misc]
        self._read_body()
        return found

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Filters belong to lists; a detail or an action is found by its id alone."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]


class ReadOnlyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """A list and a detail of rows the user may see (``get_queryset`` scopes them)."""


class GenericViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Actions without a model list of their own."""


class ViewSet(ApiViewMixin, viewsets.ViewSet):
    """Endpoints that are not about one model (analytics, busy times, interview links)."""
