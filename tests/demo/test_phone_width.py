"""Every demo page at a phone's width (390 px) and a laptop's (1280 px), in Chromium.

At 390 px each page's main action must sit inside the viewport without sideways scrolling
(table rows stack into cards), and the charts keep a legible text size. A screenshot of every
page at both widths is saved under ``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from calendly_integration.models import Invitee
from tests.api.conftest import future_event, past_invitee
from tests.browser import ARTIFACTS
from tests.demo.conftest import signed_in
from tests.demo.test_activity import book, subscribed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
#: Chart text smaller than this on screen is unreadable.
MIN_CHART_TEXT_PX = 9


def session_cookie(user: Any, url: str) -> dict[str, Any]:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


def inside(page: Any, selector: str) -> None:
    """The first element matching ``selector`` is visible and wholly within the viewport's width."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box is not None, selector
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box, width)


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.fixture
def pages(tenant, live_server, book) -> dict[str, tuple[str, str]]:  # noqa: F811
    """Page name -> (URL, selector of its main action or most important cell)."""
    book(signed_in(tenant.users["owner"]), "Ada Lovelace")
    upcoming = future_event(tenant.sim.owner.uri)
    held = past_invitee(tenant.sim.owner.uri)
    base = live_server.url
    return {
        "dashboard-sync": (f"{base}/dashboard/", "#connections button[type=submit]"),
        "dashboard-cancel": (f"{base}/dashboard/", "#events tbody tr td.actions a"),
        "event-types": (f"{base}/dashboard/event-types/", "tbody tr td.actions button"),
        "event-types-prefill": (f"{base}/dashboard/event-types/", "tbody tr td.actions a"),
        "activity": (f"{base}/dashboard/activity/", "#activity tbody tr td:last-child .badge"),
        "event": (f"{base}/dashboard/events/{held.event_id}/", "#invitees button"),
        "cancel": (f"{base}/dashboard/events/{upcoming.pk}/cancel/", "button.danger"),
        "connections": (f"{base}/calendly/connections/", "td.actions button"),
        "interview-links": (f"{base}/dashboard/interview-links/", "main button[type=submit]"),
        "analytics": (f"{base}/dashboard/analytics/?range=past-90", "svg.calendly-hbars"),
    }


def test_every_page_at_phone_and_laptop_width(browser, tenant, live_server, pages):
    ARTIFACTS.mkdir(exist_ok=True)
    assert Invitee.objects.filter(name="Ada Lovelace").exists()
    for size, viewport in (("390", PHONE), ("1280", LAPTOP)):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([session_cookie(tenant.users["owner"], live_server.url)])
        page = context.new_page()
        for name, (url, selector) in pages.items():
            page.goto(url)
            no_sideways_scroll(page)
            inside(page, selector)
            page.screenshot(path=str(ARTIFACTS / f"page-{name}-{size}.png"), full_page=True)
        if viewport is PHONE:
            page.goto(pages["analytics"][0])
            heights = page.eval_on_selector_all(
                "svg.calendly-chart text",
                "texts => texts.map(t => t.getBoundingClientRect().height).filter(h => h > 0)",
            )
            assert heights and min(heights) >= MIN_CHART_TEXT_PX, sorted(heights)[:5]
        context.close()
