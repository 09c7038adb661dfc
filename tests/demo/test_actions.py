"""The demo pages' actions, end to end against the simulator over HTTP."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils.html import escape
from django_q.brokers import get_broker

from calendly_integration.models import EventType, Invitee, ScheduledEvent, SchedulingLink
from tests.api.conftest import connect, future_event, past_invitee
from tests.demo.conftest import messages_of, signed_in

pytestmark = pytest.mark.django_db


def event_type_of(tenant) -> EventType:
    return (
        EventType.objects.filter(owner_uri=tenant.sim.owner.uri, active=True, kind="solo")
        .order_by("pk")
        .first()
    )


def with_questions(tenant) -> EventType:
    """The owner's active event type with the most custom questions (mirrored in ``raw``)."""
    return max(
        EventType.objects.filter(owner_uri=tenant.sim.owner.uri, active=True).order_by("pk"),
        key=lambda et: len(et.raw.get("custom_questions") or []),
    )


class TestCancel:
    def test_cancelling_asks_for_a_reason_and_cancels_at_calendly(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)
        url = f"/dashboard/events/{event.pk}/cancel/"
        assert 'name="reason"' in owner_client.get(url).content.decode()

        response = owner_client.post(url, {"reason": "The office is closed"}, follow=True)

        assert response.redirect_chain[-1][0] == "/dashboard/"
        assert any("Canceled" in m for m in messages_of(response))
        remote = tenant.sim.get(event.uri)
        assert remote["status"] == "canceled"
        assert remote["cancellation"]["reason"] == "The office is closed"
        event.refresh_from_db()
        assert event.is_canceled and event.cancel_reason == "The office is closed"

    def test_a_missing_reason_is_a_form_error_and_nothing_is_canceled(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)

        response = owner_client.post(f"/dashboard/events/{event.pk}/cancel/", {"reason": "  "})

        assert response.status_code == 400
        assert response.context["form"].errors["reason"] == ["This field is required."]
        assert tenant.sim.get(event.uri)["status"] == "active"

    def test_a_calendly_failure_is_a_message_not_a_500(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)
        tenant.sim.faults.fail_next(1, status=500)

        response = owner_client.post(f"/dashboard/events/{event.pk}/cancel/", {"reason": "Ill"})

        assert response.status_code == 502
        assert messages_of(response) == [
            "Calendly could not be reached or failed to answer; try again later."
        ]
        assert 'role="alert"' in response.content.decode()
        assert "Ill" in response.content.decode()  # the reason is kept for another try
        assert tenant.sim.get(event.uri)["status"] == "active"

    def test_a_connection_without_the_scope_is_told_what_to_grant(self, tenant, make_user):
        user = make_user("reader")
        connect(tenant.sim, user, tenant.sim.owner, scopes="scheduled_events:read users:read")
        event = future_event(tenant.sim.owner.uri)

        response = signed_in(user).post(f"/dashboard/events/{event.pk}/cancel/", {"reason": "No"})

        assert response.status_code == 403
        assert messages_of(response) == ["Reconnect Calendly and grant scheduled_events:write."]

    def test_an_event_canceled_already_says_so(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)
        ScheduledEvent.objects.filter(pk=event.pk).update(status="canceled")

        response = owner_client.post(f"/dashboard/events/{event.pk}/cancel/", {"reason": "Again"})

        assert response.status_code == 409
        assert messages_of(response) == []
        html = response.content.decode()
        assert html.count("already canceled") == 1
        assert 'name="reason"' not in html
        assert tenant.sim.get(event.uri)["status"] == "active"  # Calendly was not asked


class TestNoShow:
    def test_marking_and_unmarking_a_no_show(self, owner_client, tenant):
        invitee = past_invitee(tenant.sim.owner.uri)
        url = f"/dashboard/invitees/{invitee.pk}/no-show/"

        marked = owner_client.post(url, {"action": "mark"}, follow=True)

        assert marked.redirect_chain[-1][0] == f"/dashboard/events/{invitee.event_id}/"
        assert messages_of(marked) == [f"Marked {invitee.name} as a no-show."]
        assert tenant.sim.get(invitee.uri)["no_show"] is not None
        invitee.refresh_from_db()
        assert invitee.is_no_show
        assert 'value="unmark"' in marked.content.decode()

        unmarked = owner_client.post(url, {"action": "unmark"}, follow=True)

        assert messages_of(unmarked) == [f"{invitee.name} is no longer marked as a no-show."]
        assert tenant.sim.get(invitee.uri)["no_show"] is None
        assert not Invitee.objects.get(pk=invitee.pk).is_no_show

    def test_a_meeting_that_has_not_started_cannot_have_a_no_show(self, owner_client, tenant):
        invitee = Invitee.objects.filter(
            event=future_event(tenant.sim.owner.uri), status="active"
        ).first()

        response = owner_client.post(
            f"/dashboard/invitees/{invitee.pk}/no-show/", {"action": "mark"}, follow=True
        )

        assert messages_of(response) == ["A no-show can be marked once the meeting has started."]
        assert tenant.sim.get(invitee.uri)["no_show"] is None
        assert not Invitee.objects.get(pk=invitee.pk).is_no_show

    def test_an_unknown_action_changes_nothing(self, owner_client, tenant):
        invitee = past_invitee(tenant.sim.owner.uri)

        response = owner_client.post(
            f"/dashboard/invitees/{invitee.pk}/no-show/", {"action": "explode"}, follow=True
        )

        assert messages_of(response) == ["Choose to mark or to unmark the no-show."]
        assert tenant.sim.get(invitee.uri)["no_show"] is None

    def test_a_calendly_failure_is_a_message(self, owner_client, tenant):
        invitee = past_invitee(tenant.sim.owner.uri)
        tenant.sim.faults.fail_next(1, status=503)

        response = owner_client.post(
            f"/dashboard/invitees/{invitee.pk}/no-show/", {"action": "mark"}, follow=True
        )

        assert response.status_code == 200
        assert messages_of(response) == [
            "Calendly could not be reached or failed to answer; try again later."
        ]
        assert not Invitee.objects.get(pk=invitee.pk).is_no_show

    def test_no_show_toggles_are_posts(self, owner_client, tenant):
        invitee = past_invitee(tenant.sim.owner.uri)

        assert owner_client.get(f"/dashboard/invitees/{invitee.pk}/no-show/").status_code == 405


class TestLinks:
    def test_a_single_use_link_is_created_shown_and_books_once(self, owner_client, tenant):
        event_type = event_type_of(tenant)

        response = owner_client.post(
            f"/dashboard/event-types/{event_type.pk}/single-use-link/", follow=True
        )

        link = SchedulingLink.objects.get(owner=event_type)
        assert (
            response.redirect_chain[-1][0] == f"/dashboard/event-types/?link={link.pk}#created-link"
        )
        assert response.context["created"] == link
        assert link.booking_url in response.content.decode()
        assert link.booking_url.startswith(f"{tenant.sim.url}/d/")
        assert requests.get(link.booking_url, timeout=5).status_code == 200

    def test_a_failed_single_use_link_is_a_message(self, owner_client, tenant):
        event_type = event_type_of(tenant)
        tenant.sim.faults.rate_limit_next(4, retry_after=120)

        response = owner_client.post(
            f"/dashboard/event-types/{event_type.pk}/single-use-link/", follow=True
        )

        assert response.status_code == 200
        assert messages_of(response) == [
            "Calendly's rate limit was reached; try again in 120 seconds."
        ]
        assert not SchedulingLink.objects.exists()

    def test_another_users_link_id_shows_nothing(self, tenant, other_tenant):
        event_type = event_type_of(tenant)
        signed_in(tenant.users["owner"]).post(
            f"/dashboard/event-types/{event_type.pk}/single-use-link/"
        )
        link = SchedulingLink.objects.get()

        response = signed_in(other_tenant.users["owner"]).get(
            f"/dashboard/event-types/?link={link.pk}"
        )

        assert response.context["created"] is None
        assert link.booking_url not in response.content.decode()

    def test_the_prefilled_link_builder(self, owner_client, tenant):
        event_type = with_questions(tenant)
        questions = [q for q in event_type.raw["custom_questions"] if q["enabled"]]
        page = f"/dashboard/event-types/{event_type.pk}/prefilled-link/"

        form = owner_client.get(page).context["form"]
        # The answer fields are the event type's own questions, labelled with their text.
        assert [form.fields[f"a{n}"].label for n in range(1, len(questions) + 1)] == [
            q["name"] for q in sorted(questions, key=lambda q: q["position"])
        ]
        assert f"a{len(questions) + 1}" not in form.fields
        assert "Answer 1" not in owner_client.get(page).content.decode()

        response = owner_client.get(
            page,
            {
                "name": "Ada Lovelace",
                "email": "ada+cv@example.com",
                "a1": "Engines",
                "a3": "x",
                "utm_source": "newsletter",
                "a9": "not a question of this event type",
            },
        )

        assert response.status_code == 200
        url = response.context["url"]
        assert url.startswith(event_type.scheduling_url + "?")
        query = parse_qs(urlsplit(url).query)
        assert query == {
            "name": ["Ada Lovelace"],
            "email": ["ada+cv@example.com"],
            "a1": ["Engines"],
            "a3": ["x"],
            "utm_source": ["newsletter"],
        }

    def test_an_event_type_without_questions_offers_no_answers(self, owner_client, tenant):
        event_type = next(
            et
            for et in EventType.objects.filter(owner_uri=tenant.sim.owner.uri, active=True)
            if not et.raw.get("custom_questions")
        )
        response = owner_client.get(f"/dashboard/event-types/{event_type.pk}/prefilled-link/")
        assert not [name for name in response.context["form"].fields if name.startswith("a")]
        assert "asks no questions" in response.content.decode()

    def test_a_bad_prefill_is_a_form_error(self, owner_client, tenant):
        event_type = event_type_of(tenant)

        response = owner_client.get(
            f"/dashboard/event-types/{event_type.pk}/prefilled-link/", {"email": "not-an-email"}
        )

        assert response.status_code == 400
        assert response.context["url"] is None
        assert response.context["form"].errors["email"] == ["Enter a valid email address."]


class TestInterviewLinks:
    LINES = "Ada Lovelace, ada@example.com\n\nGrace Hopper;grace@example.com\nAlan Turing\talan@example.com\n"

    def post(self, client, tenant, lines: str):
        return client.post(
            "/dashboard/interview-links/",
            {"event_type": event_type_of(tenant).pk, "candidates": lines},
            follow=True,
        )

    def test_one_prefilled_single_use_link_per_candidate_and_a_csv(self, owner_client, tenant):
        response = self.post(owner_client, tenant, self.LINES)

        batch = response.context["batch"]
        assert messages_of(response) == ["Created 3 links."]
        assert [(r["name"], r["email"]) for r in batch["rows"]] == [
            ("Ada Lovelace", "ada@example.com"),
            ("Grace Hopper", "grace@example.com"),
            ("Alan Turing", "alan@example.com"),
        ]
        assert SchedulingLink.objects.count() == 3
        for row in batch["rows"]:
            assert parse_qs(urlsplit(row["booking_url"]).query)["email"] == [row["email"]]
            assert escape(row["booking_url"]) in response.content.decode()

        download = owner_client.get(f"/dashboard/interview-links/{batch['id']}/csv/")

        assert download["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in download["Content-Disposition"]
        table = list(csv.reader(io.StringIO(download.content.decode())))
        assert table[0] == ["name", "email", "booking_url"]
        assert table[1:] == [[r["name"], r["email"], r["booking_url"]] for r in batch["rows"]]

    def test_bad_lines_are_named_by_their_number(self, owner_client, tenant):
        response = owner_client.post(
            "/dashboard/interview-links/",
            {
                "event_type": event_type_of(tenant).pk,
                "candidates": "Ada, ada@example.com\nno email here\nBob, bob(at)example.com",
            },
        )

        assert response.status_code == 400
        assert response.context["form"].errors["candidates"] == [
            "Line 2: write a name, a comma, then an email.",
            "Line 3: bob(at)example.com is not an email address.",
        ]
        assert not SchedulingLink.objects.exists()

    def test_an_event_type_of_another_tenant_is_not_a_choice(self, tenant, other_tenant):
        response = signed_in(other_tenant.users["owner"]).post(
            "/dashboard/interview-links/",
            {"event_type": event_type_of(tenant).pk, "candidates": "Ada, ada@example.com"},
        )

        assert response.status_code == 400
        assert "event_type" in response.context["form"].errors

    def test_a_candidate_calendly_refused_gets_no_link_and_the_others_do(
        self, owner_client, tenant
    ):
        tenant.sim.faults.fail_next(1, status=500)

        response = self.post(owner_client, tenant, self.LINES)

        rows = response.context["batch"]["rows"]
        assert rows[0]["booking_url"] == ""
        assert "Calendly could not be reached" in rows[0]["error"]
        assert all(row["booking_url"] for row in rows[1:])
        assert messages_of(response) == [
            "Created 2 links.",
            "1 candidate got no link (see the table).",
        ]

    def test_formulas_are_neutralised_in_the_csv(self, owner_client, tenant):
        response = self.post(owner_client, tenant, "=HYPERLINK(1), eve@example.com")

        batch = response.context["batch"]
        download = owner_client.get(f"/dashboard/interview-links/{batch['id']}/csv/")

        assert list(csv.reader(io.StringIO(download.content.decode())))[1][0] == "'=HYPERLINK(1)"

    def test_a_batch_is_only_in_its_own_session(self, owner_client, tenant):
        batch = self.post(owner_client, tenant, "Ada, ada@example.com").context["batch"]
        other = signed_in(tenant.users["admin"])

        assert other.get(f"/dashboard/interview-links/{batch['id']}/csv/").status_code == 404
        assert other.get(f"/dashboard/interview-links/{batch['id']}/").status_code == 404


def test_sync_now_queues_a_sync_of_the_connection(owner_client, tenant):
    broker = get_broker()
    before = broker.queue_size()

    response = owner_client.post(
        f"/dashboard/connections/{tenant.connections['owner'].pk}/sync/", follow=True
    )

    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "is queued" in messages_of(response)[0]
    assert broker.queue_size() == before + 1
