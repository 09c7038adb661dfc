"""Every model is browsable: lists, filters, search, pages with readable JSON, links out to
Calendly, no editing, and never a token."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from calendly_integration.models import (
    Connection,
    EventType,
    Invitee,
    ScheduledEvent,
    WebhookSubscription,
)
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.admin import factories
from tests.admin.helpers import change_url, changelist_url
from tests.calendly_helpers import TOKEN_PATTERN

pytestmark = pytest.mark.django_db

APP_MODELS = list(apps.get_app_config("calendly_integration").get_models())


def test_every_model_is_registered():
    assert [m for m in APP_MODELS if m not in admin.site._registry] == []


def test_every_list_and_page_renders_with_synced_data(admin_client, sim, synced):
    ensure_subscriptions(synced)
    factories.make("schedulinglink")
    factories.make("webhookdelivery")
    for model in APP_MODELS:
        listing = admin_client.get(changelist_url(model))
        assert listing.status_code == 200, model
        obj = model.objects.order_by("pk").first()
        page = admin_client.get(change_url(obj))
        assert page.status_code == 200, model
        html = page.content.decode()
        assert TOKEN_PATTERN.findall(listing.content.decode() + html) == [], model
        if hasattr(obj, "raw"):
            assert '<pre class="calendly-json">' in html, model


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda m: m._meta.model_name)
def test_nothing_can_be_added_or_edited(admin_client, model):
    assert (
        admin_client.get(
            reverse(f"admin:calendly_integration_{model._meta.model_name}_add")
        ).status_code
        == 403
    )
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, "every list is searchable"
    assert model_admin.date_hierarchy, "every list has a date hierarchy"


def test_change_pages_are_read_only(admin_client, sim, synced):
    event = ScheduledEvent.objects.first()
    html = admin_client.get(change_url(event)).content.decode()
    assert 'name="name"' not in html
    assert 'name="_save"' not in html


def test_invitee_pages_link_out_to_reschedule_and_cancel(admin_client, sim, synced):
    invitee = Invitee.objects.exclude(cancel_url="").filter(status="active").first()
    listing = admin_client.get(changelist_url(Invitee) + f"?q={invitee.email}").content.decode()
    page = admin_client.get(change_url(invitee)).content.decode()
    for html in (listing, page):
        assert f'href="{invitee.reschedule_url}" target="_blank" rel="noopener noreferrer"' in html
        assert f'href="{invitee.cancel_url}" target="_blank"' in html


def test_event_type_pages_link_out_to_the_booking_page(admin_client, sim, synced):
    event_type = EventType.objects.exclude(scheduling_url="").first()
    for url in (changelist_url(EventType), change_url(event_type)):
        assert f'href="{event_type.scheduling_url}"' in admin_client.get(url).content.decode()


def test_raw_json_is_indented_and_escaped(admin_client, sim, synced):
    invitee = Invitee.objects.first()
    Invitee.objects.filter(pk=invitee.pk).update(raw={**invitee.raw, "name": "<script>x</script>"})
    html = admin_client.get(change_url(invitee)).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html
    assert "\n  &quot;email&quot;: " in html


def test_javascript_urls_are_not_links(admin_client, sim, synced):
    invitee = Invitee.objects.first()
    Invitee.objects.filter(pk=invitee.pk).update(cancel_url="javascript:alert(1)")
    html = admin_client.get(change_url(invitee)).content.decode()
    assert 'href="javascript:' not in html


def test_search_and_filters_narrow_the_list(admin_client, sim, synced):
    invitee = Invitee.objects.exclude(email="").first()
    found = admin_client.get(changelist_url(Invitee), {"q": invitee.email})
    assert found.status_code == 200
    assert invitee.email in found.content.decode()
    assert (
        found.context["cl"].result_count
        == Invitee.objects.filter(email__icontains=invitee.email).count()
    )

    canceled = admin_client.get(changelist_url(ScheduledEvent), {"status__exact": "canceled"})
    assert (
        canceled.context["cl"].result_count
        == ScheduledEvent.objects.filter(status="canceled").count()
    )
    upcoming = admin_client.get(changelist_url(ScheduledEvent), {"when": "upcoming"})
    assert 0 < upcoming.context["cl"].result_count < ScheduledEvent.objects.count()


def test_links_between_lists_are_allowed_lookups(admin_client, sim, synced):
    ensure_subscriptions(synced)
    event = ScheduledEvent.objects.first()
    connection = Connection.objects.first()
    urls = [
        changelist_url(Invitee) + f"?event__id__exact={event.pk}",
        changelist_url(ScheduledEvent) + f"?event_type__id__exact={event.event_type_id}",
        reverse("admin:calendly_integration_webhookdelivery_changelist")
        + f"?subscription__connection__id__exact={connection.pk}&status__exact=failed",
        reverse("admin:calendly_integration_syncrun_changelist")
        + f"?connection__id__exact={connection.pk}",
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 200, url


def test_autocomplete_serves_related_rows(admin_client, sim, synced):
    event_type = EventType.objects.first()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "calendly_integration",
            "model_name": "scheduledevent",
            "field_name": "event_type",
            "term": event_type.name[:5],
        },
    )
    assert response.status_code == 200
    assert str(event_type.pk) in [r["id"] for r in response.json()["results"]]


def test_webhook_subscriptions_never_show_their_callback_token(admin_client, sim, synced):
    [subscription] = ensure_subscriptions(synced)
    assert subscription.token in subscription.raw["callback_url"]
    for url in (changelist_url(WebhookSubscription), change_url(subscription)):
        html = admin_client.get(url).content.decode()
        assert subscription.token not in html
    assert "•••" in admin_client.get(change_url(subscription)).content.decode()


def test_connection_list_shows_health_at_a_glance(admin_client, sim, synced):
    ensure_subscriptions(synced)
    html = admin_client.get(changelist_url(Connection)).content.decode()
    assert "User: Active" in html
    assert "ago" in html  # the last sync
    assert reverse("admin:calendly_integration_dashboard") in html
