"""The whole demo story in a real browser, against a live server and the simulator.

Sign in with Calendly (allauth's login page, the simulator's consent page, back signed in), see
the synced meetings on the dashboard, cancel one with a reason, create a single-use link, book
through it on the simulator's booking page, watch the booking arrive in the activity feed
without reloading (Calendly's webhook, delivered by the simulator to the live server), and mark
the invitee as a no-show. Drives Debian's chromium (``/usr/bin/chromium``) with Playwright and
saves a screenshot of every step under ``tests/artifacts/``; with ``SAVE_README_SCREENSHOT=1``
it also writes the README's ``docs/images/dashboard.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from calendly_integration.models import (
    Connection,
    EventType,
    Invitee,
    ScheduledEvent,
    WebhookSubscription,
)
from calendly_integration.sync import sync_connection
from tests.api.conftest import past_invitee
from tests.browser import ARTIFACTS

ROOT = Path(__file__).resolve().parents[2]
README_SCREENSHOT = ROOT / "docs" / "images" / "dashboard.png"
#: Long enough for a webhook to go simulator -> live server -> feed poll on a busy machine.
FEED_WAIT_MS = 30_000

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Site:
    url: str
    #: Held while the test itself uses the database (see ``site``).
    serial: contextlib.AbstractContextManager[Any]


@pytest.fixture
def site(sim, live_server, settings) -> Iterator[Site]:
    """CALENDLY at the simulator, webhooks to the live server, processed as they arrive.

    On SQLite's in-memory test database every live-server thread shares the test's one
    connection, which cannot run two requests at once (the simulator's webhooks arrive while
    the browser's requests run): there, requests, and the test's own queries, take turns.
    """
    settings.CALENDLY = {
        **settings.CALENDLY,
        "PUBLIC_BASE_URL": live_server.url,
        "WEBHOOK_PROCESS_INLINE": True,
    }
    if not any(c.vendor == "sqlite" and c.is_in_memory_db() for c in connections.all()):
        yield Site(live_server.url, contextlib.nullcontext())
        return
    lock = threading.Lock()
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            return app(environ, start_response)

    httpd.set_app(one_at_a_time)
    yield Site(live_server.url, lock)
    httpd.set_app(app)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"story-{name}.png"), full_page=True)


def sign_in_with_calendly(page, url: str) -> None:
    """allauth's login page -> the Calendly provider -> the simulator's consent page -> back."""
    page.goto(f"{url}/accounts/login/")
    shot(page, "01-login")
    provider = re.compile(r"^(Sign in with )?Calendly$")
    entry = page.get_by_role("button", name=provider).or_(page.get_by_role("link", name=provider))
    entry.first.click()
    page.wait_for_load_state()
    if "/accounts/calendly/login/" in page.url:
        # allauth asks to confirm before leaving the site (a POST, so no login CSRF by GET).
        page.locator("form[method=post] button, form[method=post] [type=submit]").first.click()
    page.wait_for_url(re.compile(r"/oauth/authorize"))
    shot(page, "02-calendly-consent")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(re.escape(url)))


def test_the_demo_story_in_a_browser(browser, site, sim):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    sign_in_with_calendly(page, site.url)
    assert page.url == f"{site.url}/dashboard/"  # signed in, straight to the dashboard

    with site.serial:
        user = get_user_model().objects.get(email=sim.owner.email)
        connection = Connection.objects.get(owner=user)
        assert connection.kind == Connection.Kind.OAUTH
        subscription = WebhookSubscription.objects.get(connection=connection)
        assert subscription.callback_url.startswith(site.url)
        assert sync_connection(connection.pk).succeeded

    # The dashboard: the connection and the synced meetings.
    page.goto(f"{site.url}/dashboard/")
    assert page.locator("#events tbody tr").count() > 0
    assert page.locator("#connections").inner_text().count("Active") == 1
    shot(page, "03-dashboard")
    if os.environ.get("SAVE_README_SCREENSHOT") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_SCREENSHOT))

    # Cancel the first upcoming meeting, with a reason.
    first = page.locator("#events tbody tr").first
    event_id = first.get_attribute("id").removeprefix("event-")
    first.get_by_role("link", name=re.compile("Cancel")).click()
    page.get_by_label("Reason for cancelling").fill("The host is ill, sorry")
    shot(page, "04-cancel-reason")
    page.get_by_role("button", name="Cancel the meeting").click()
    page.wait_for_url(f"{site.url}/dashboard/")
    assert "Canceled" in page.locator("ul.messages").inner_text()
    assert sim.wait_for_deliveries()
    with site.serial:
        event = ScheduledEvent.objects.get(pk=event_id)
    assert event.is_canceled
    remote = sim.get(event.uri)
    assert remote["status"] == "canceled"
    assert remote["cancellation"]["reason"] == "The host is ill, sorry"
    shot(page, "05-canceled")

    # A single-use link for one of the user's own event types (its bookings are theirs).
    page.get_by_role("link", name="Event types", exact=True).click()
    with site.serial:
        own_type = EventType.objects.filter(
            owner_uri=sim.owner.uri, active=True, kind="solo"
        ).first()
    own_row = page.locator(f"#event-type-{own_type.pk}")
    own_row.get_by_role("button", name=re.compile("Create a single-use link")).click()
    link = page.locator("#single-use-url")
    link.wait_for()
    booking_url = link.get_attribute("href")
    assert booking_url.startswith(f"{sim.url}/d/")
    shot(page, "06-single-use-link")

    # The activity feed is open while someone books through the link in another tab.
    page.goto(f"{site.url}/dashboard/activity/")
    page.evaluate("window.__notReloaded = true")
    invitee_page = context.new_page()
    invitee_page.goto(booking_url)
    invitee_page.fill("input[name=name]", "Ada Lovelace")
    invitee_page.fill("input[name=email]", "ada@example.com")
    shot(invitee_page, "07-booking-page")
    invitee_page.get_by_role("button", name="Schedule event").click()
    invitee_page.get_by_text("Confirmation sent.").wait_for()
    shot(invitee_page, "08-booked")
    invitee_page.close()

    row = page.locator("#activity tbody tr", has_text="Ada Lovelace").first
    row.wait_for(timeout=FEED_WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    assert "New booking" in row.inner_text()
    shot(page, "09-activity-feed")

    # From the feed to the meeting: it has not started, so there is no no-show to mark yet.
    row.get_by_role("link").click()
    assert page.locator("#invitees").inner_text().count("once the meeting starts") == 1
    assert page.get_by_role("button", name="Mark Ada Lovelace as a no-show").count() == 0

    # A meeting that has been held: mark its invitee as a no-show.
    with site.serial:
        held = past_invitee(sim.owner.uri)
    who = held.name
    page.goto(f"{site.url}/dashboard/events/{held.event_id}/")
    page.get_by_role("button", name=f"Mark {who} as a no-show").click()
    assert f"Marked {who} as a no-show." in page.locator("ul.messages").inner_text()
    page.get_by_role("button", name=f"Unmark {who} as a no-show").wait_for()
    assert sim.wait_for_deliveries()
    with site.serial:
        invitee = Invitee.objects.get(pk=held.pk)
    assert invitee.is_no_show
    assert sim.get(invitee.uri)["no_show"] is not None
    shot(page, "10-no-show")

    page.get_by_role("link", name="Analytics", exact=True).click()
    # count() does not wait: on a busy machine the click has committed the new address before
    # the page is parsed, so wait for the fourth chart first (CI once counted 0 here).
    charts = page.locator("svg.calendly-chart")
    charts.nth(3).wait_for()
    assert charts.count() == 4
    shot(page, "11-analytics")
