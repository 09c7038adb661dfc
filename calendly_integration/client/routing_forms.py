"""Routing forms and their submissions (organization-wide: owner or admin)."""

from __future__ import annotations

from calendly_integration.client.base import ApiBase, Resource
from calendly_integration.client.identifiers import path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import check_sort

ROUTING_SORT_FIELDS = ("created_at",)


class RoutingFormsMixin(ApiBase):
    def list_routing_forms(
        self,
        *,
        organization: str,
        sort: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /routing_forms?organization=."""
        params = {
            "organization": self._uri(organization, "organizations", "organization"),
            "sort": check_sort(sort, ROUTING_SORT_FIELDS),
            "count": self._count(count),
        }
        return self._list("/routing_forms", params, page_token)

    def get_routing_form(self, form: str) -> Resource:
        """GET /routing_forms/{uuid}."""
        return self._resource(
            "GET", path("routing_forms", self._uuid(form, "routing_forms", "routing form"))
        )

    def list_routing_form_submissions(
        self,
        *,
        form: str,
        sort: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /routing_form_submissions?form=: answers, and where each person was routed."""
        params = {
            "form": self._uri(form, "routing_forms", "routing form"),
            "sort": check_sort(sort, ROUTING_SORT_FIELDS),
            "count": self._count(count),
        }
        return self._list("/routing_form_submissions", params, page_token)

    def get_routing_form_submission(self, submission: str) -> Resource:
        """GET /routing_form_submissions/{uuid}."""
        uuid = self._uuid(submission, "routing_form_submissions", "routing form submission")
        return self._resource("GET", path("routing_form_submissions", uuid))
