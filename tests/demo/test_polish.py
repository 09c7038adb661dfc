"""The demo's finishing touches: first-import progress, filters, wording, dates, chrome."""

from __future__ import annotations

import re

import pytest
from django.shortcuts import resolve_url
from django.test import Client

from calendly_integration.models import EventType, ScheduledEvent
from calendly_integration.sync import sync_connection
from tests.api.conftest import connect, future_event
from tests.calendly_helpers import make_oauth_connection
from tests.demo.conftest import signed_in

pytestmark = pytest.mark.django_db

#: "Sat 5 Dec 2026, 15:53 UTC": the one way pages print a moment.
WHEN = re.compile(r"\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC")


class TestFirstImport:
    def test_a_new_connection_shows_the_import_until_its_first_sync_ends(self, sim, make_user):
        user = make_user("newcomer")
        connection = connect(sim, user, sim.owner)
        client = signed_in(user)

        before = client.get("/dashboard/")
        waiting = client.get("/dashboard/import-status/").json()

        assert "Importing your Calendly data" in before.content.decode()
        assert waiting["importing"] is True
        assert "Waiting for a background worker" in waiting["counts_html"]

        assert sync_connection(connection.pk).succeeded
        after = client.get("/dashboard/")
        done = client.get("/dashboard/import-status/").json()

        assert "Importing your Calendly data" not in after.content.decode()
        assert done == {"importing": False, "counts_html": ""}
        assert after.context["upcoming"].paginator.count > 0

    def test_a_running_first_sync_shows_its_counts(self, sim, make_user):
        user = make_user("halfway")
        connection = connect(sim, user, sim.owner)
        connection.sync_runs.create(status="running")

        status = signed_in(user).get("/dashboard/import-status/").json()

        assert status["importing"] is True
        assert "0 meetings so far, 0 event types." in " ".join(status["counts_html"].split())

    def test_signing_in_lands_on_the_dashboard(self, settings):
        assert resolve_url(settings.LOGIN_REDIRECT_URL) == "/dashboard/"


class TestEventTypes:
    def test_filters_by_owner_and_state(self, owner_client, tenant):
        everyone = owner_client.get("/dashboard/event-types/?state=all")
        total = len(everyone.context["event_types"])
        owner_uri = tenant.sim.owner.uri

        own = owner_client.get("/dashboard/event-types/", {"owner": owner_uri, "state": "all"})
        inactive = owner_client.get("/dashboard/event-types/?state=inactive")
        default = owner_client.get("/dashboard/event-types/")

        assert {t.owner_uri for t in own.context["event_types"]} == {owner_uri}
        assert 0 < len(own.context["event_types"]) < total
        assert all(not t.active for t in inactive.context["event_types"])
        assert all(t.active for t in default.context["event_types"])
        assert (
            len(default.context["event_types"])
            == EventType.objects.filter(
                pk__in=[t.pk for t in everyone.context["event_types"]], active=True
            ).count()
        )

    @pytest.mark.parametrize("owner", ["https://evil.example/users/X", "\ufffd", "٣"])
    def test_an_unknown_owner_is_ignored_not_queried(self, owner_client, tenant, owner):
        response = owner_client.get("/dashboard/event-types/", {"owner": owner})

        assert response.status_code == 200
        assert response.context["filters"].errors


class TestWording:
    def test_the_cancel_page_says_what_will_happen(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)

        page = owner_client.get(f"/dashboard/events/{event.pk}/cancel/").content.decode()

        assert "will be canceled at Calendly" in page
        assert "is canceled at Calendly" not in page
        assert WHEN.search(page)

    def test_a_canceled_meeting_shows_one_message_and_no_form(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)
        ScheduledEvent.objects.filter(pk=event.pk).update(status="canceled")

        page = owner_client.get(f"/dashboard/events/{event.pk}/cancel/").content.decode()

        assert page.count("already canceled") == 1
        assert 'name="reason"' not in page
        assert "0 invitees" not in page

    def test_past_meetings_are_held_not_active(self, owner_client, tenant):
        page = owner_client.get("/dashboard/")
        past = page.context["past"].object_list
        html = page.content.decode()
        past_section = html[html.index('id="past-heading"') :]

        assert any(not event.is_canceled for event in past)
        assert "Held" in past_section
        assert ">Active<" not in past_section
        assert "Booked / capacity" in html

    def test_every_moment_carries_its_time_zone(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)
        make_oauth_connection(tenant.sim, tenant.users["owner"])  # a token that expires
        pages = [
            "/dashboard/",
            f"/dashboard/events/{event.pk}/",
            "/calendly/connections/",
        ]
        for url in pages:
            html = owner_client.get(url).content.decode()
            shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
            assert shown, url
            assert all(text.endswith("UTC") for text in shown), (url, shown)

    def test_location_urls_are_links(self, owner_client, tenant):
        event = future_event(tenant.sim.owner.uri)
        ScheduledEvent.objects.filter(pk=event.pk).update(location="https://meet.example/abc")

        page = owner_client.get(f"/dashboard/events/{event.pk}/").content.decode()

        assert '<a href="https://meet.example/abc"' in page


class TestChrome:
    def test_the_admin_link_is_for_staff_only(self, owner_client, staff, tenant):
        assert "/admin/" not in owner_client.get("/dashboard/").content.decode()
        assert "/admin/" not in signed_in(tenant.users["member"]).get("/").content.decode()
        assert (
            "/admin/" not in Client().get("/dashboard/event-types/", follow=True).content.decode()
        )
        assert "/admin/" in signed_in(staff).get("/dashboard/").content.decode()

    def test_every_page_has_an_inline_favicon(self, owner_client):
        html = owner_client.get("/dashboard/").content.decode()

        assert '<link rel="icon" href="data:image/svg+xml,' in html

    def test_analytics_labels_name_the_owner_and_the_heatmap_has_a_legend(self, owner_client):
        html = owner_client.get("/dashboard/analytics/?range=past-90").content.decode()

        bars = re.findall(r'<svg class="calendly-chart calendly-hbars".*?</svg>', html, re.S)
        assert len(bars) == 2
        labels = re.findall(r"<text [^>]*text-anchor=\"end\"[^>]*><title>([^<]+)</title>", bars[0])
        assert labels and all("(" in label for label in labels)  # "15 Minute Meeting (Owner)"
        assert len(labels) == len(set(labels))
        assert 'class="calendly-legend"' in html


def test_a_nul_in_a_filter_is_refused_before_any_query(owner_client):
    response = owner_client.get("/dashboard/event-types/", {"owner": "\x00"})

    assert response.status_code == 400
    assert response.json()["code"] == "unsafe_characters"
