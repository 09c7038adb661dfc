"""Routing forms, their submissions and availability schedules: read-only, tenant-scoped."""

from __future__ import annotations

from calendly_integration.models import AvailabilitySchedule, RoutingForm, RoutingFormSubmission
from tests.api.conftest import API


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_routing_forms_are_for_organization_admins(tenant):
    forms = set(RoutingForm.objects.values_list("pk", flat=True))
    assert forms
    assert ids(tenant.client("admin").get(f"{API}/routing-forms/")) == forms
    assert ids(tenant.client("member").get(f"{API}/routing-forms/")) == set()
    form = RoutingForm.objects.first()
    detail = tenant.client("owner").get(f"{API}/routing-forms/{form.pk}/")
    assert detail.status_code == 200 and detail.json()["questions"] == form.questions
    assert tenant.client("member").get(f"{API}/routing-forms/{form.pk}/").status_code == 404


def test_submissions_list_filter_and_detail(tenant):
    form = RoutingFormSubmission.objects.first().form
    client = tenant.client("admin")
    assert ids(client.get(f"{API}/routing-form-submissions/", {"page_size": 100})) == set(
        RoutingFormSubmission.objects.values_list("pk", flat=True)
    )
    assert ids(
        client.get(f"{API}/routing-form-submissions/", {"form": form.pk, "page_size": 100})
    ) == set(form.submissions.values_list("pk", flat=True))
    submission = form.submissions.first()
    detail = client.get(f"{API}/routing-form-submissions/{submission.pk}/")
    assert detail.status_code == 200 and detail.json()["form"] == form.pk
    assert client.get(f"{API}/routing-form-submissions/", {"form": "0"}).status_code == 400


def test_availability_schedules_members_see_their_own(tenant):
    member = tenant.sim.members[0].uri
    mine = set(AvailabilitySchedule.objects.filter(user_uri=member).values_list("pk", flat=True))
    assert mine
    assert ids(tenant.client("member").get(f"{API}/availability-schedules/")) == mine
    everyone = ids(tenant.client("admin").get(f"{API}/availability-schedules/", {"page_size": 100}))
    assert everyone == set(AvailabilitySchedule.objects.values_list("pk", flat=True))
    assert (
        ids(tenant.client("admin").get(f"{API}/availability-schedules/", {"user": member})) == mine
    )
    schedule = AvailabilitySchedule.objects.get(pk=min(mine))
    detail = tenant.client("member").get(f"{API}/availability-schedules/{schedule.pk}/")
    assert detail.status_code == 200 and detail.json()["rules"] == schedule.rules
