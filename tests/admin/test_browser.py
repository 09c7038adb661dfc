"""In a real browser: staff sign in, pick events, cancel them with a reason, see it worked.

Drives Debian's chromium (``/usr/bin/chromium``) with Playwright against a live server, and
saves a screenshot of the dashboard under ``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from calendly_integration.models import ScheduledEvent
from calendly_integration.sync import sync_connection
from tests.browser import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synced_month(sim, connect, settings):
    """A month of history, so the dashboard's screenshot has something to show."""
    settings.CALENDLY = {**settings.CALENDLY, "SYNC_BACKFILL_DAYS": 30}
    connection = connect()
    assert sync_connection(connection.pk).succeeded
    return connection


def test_staff_cancel_events_with_a_reason_in_the_browser(
    browser, live_server, sim, synced_month, django_user_model
):
    django_user_model.objects.create_superuser("root", "root@example.com", "secret-pw")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "secret-pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#calendly-dashboard-link")

    page.goto(
        f"{live_server.url}/admin/calendly_integration/scheduledevent/"
        "?status__exact=active&when=upcoming"
    )
    boxes = page.locator("input[name=_selected_action]")
    chosen = [boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("select[name=action]", "cancel_on_calendly")
    page.click("button[name=index]")

    page.wait_for_selector("#calendly-plan")
    assert page.locator("#calendly-plan tbody tr").count() == 2
    page.fill("textarea[name=reason]", "Closed for the holidays")
    page.click("input[name=confirm]")

    success = page.locator(".messagelist .success").first
    success.wait_for()
    assert success.inner_text() == "Cancel on Calendly: 2 done, 0 skipped, 0 failed."
    for event in ScheduledEvent.objects.filter(pk__in=chosen):
        remote = sim.get(event.uri)
        assert remote["status"] == "canceled"
        assert remote["cancellation"]["reason"] == "Closed for the holidays"
        assert event.status == "canceled"
        assert event.start_time > timezone.now()

    page.goto(f"{live_server.url}/admin/calendly_integration/connection/dashboard/")
    page.wait_for_selector("svg.calendly-chart")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)
    assert (ARTIFACTS / "admin-dashboard.png").stat().st_size > 10_000

    # At a laptop's 1280 px the event list fits beside the sidebar and the filters, and a
    # connection's action buttons sit on their own row, not over its title.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/calendly_integration/scheduledevent/")
    fits = page.evaluate(
        "(() => { const t = document.querySelector('#result_list');"
        " return t.scrollWidth <= t.parentElement.clientWidth + 1; })()"
    )
    page.screenshot(path=str(ARTIFACTS / "admin-events-1280.png"))
    assert fits
    page.goto(f"{live_server.url}/admin/calendly_integration/connection/{synced_month.pk}/change/")
    tools = page.locator(".object-tools").bounding_box()
    title = page.locator("#content h2, #content h1").first.bounding_box()
    page.screenshot(path=str(ARTIFACTS / "admin-connection-1280.png"))
    apart = (
        tools["y"] + tools["height"] <= title["y"]
        or title["y"] + title["height"] <= tools["y"]
        or tools["x"] + tools["width"] <= title["x"]
        or title["x"] + title["width"] <= tools["x"]
    )
    assert apart, (tools, title)  # beside or above, never over the title
