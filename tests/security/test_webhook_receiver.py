"""The webhook receiver against an attacker, with the simulator's real payloads.

Already covered in tests/webhooks and not repeated here: forged or missing signatures stored as
invalid and refused (test_receiver: test_a_bad_signature_is_stored_as_invalid_and_refused),
stale or future timestamps refused as replays (test_a_stale_timestamp_is_refused_as_a_replay),
an unknown subscription token answered 404 and not stored
(test_an_unknown_token_is_a_404_and_is_not_stored, and test_receiver_fast_path for deleted
subscriptions), bodies over the limit answered 413 and logged without the body
(test_a_body_over_the_limit_is_413), duplicates stored, answered 200 and processed once
(test_processing: test_a_duplicate_is_stored_answered_200_and_not_processed_again;
test_end_to_end: five concurrent copies processed once).

Added here: what a forgery or a replay of a captured request *does* (nothing to the mirror, no
signal) rather than only what it is answered. The fixtures (``sim``, ``captured``,
``recorder``, ``signal_log``) are tests/webhooks' own, imported by this folder's conftest.
"""

from __future__ import annotations

import pytest

from calendly_integration.models import Invitee, WebhookDelivery
from calendly_integration.webhooks.signature import signature_header
from tests.webhooks.conftest import book, names

pytestmark = pytest.mark.django_db


def recorded_booking(sim, recorder) -> tuple[str, str, bytes]:
    invitee_uri = book(sim, name="Ada Lovelace")
    assert sim.wait_for_deliveries(10)
    [(path, body)] = recorder.bodies("invitee.created")
    return invitee_uri, path, body


def test_a_forged_booking_changes_nothing_and_sends_no_signal(
    client, sim, captured, recorder, signal_log, django_capture_on_commit_callbacks
):
    invitee_uri, path, body = recorded_booking(sim, recorder)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path,
            data=body,
            content_type="application/json",
            headers={"Calendly-Webhook-Signature": signature_header(body, "attacker-key")},
        )

    assert response.status_code == 400
    assert not Invitee.objects.filter(uri=invitee_uri).exists()
    assert names(signal_log) == []
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.status, delivery.signature) == ("invalid", "invalid")


def test_a_captured_request_replayed_byte_for_byte_is_processed_once(
    client, sim, captured, recorder, signal_log, django_capture_on_commit_callbacks
):
    invitee_uri, path, body = recorded_booking(sim, recorder)
    headers = {"Calendly-Webhook-Signature": signature_header(body, sim.webhook_signing_key)}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path, data=body, content_type="application/json", headers=headers)
    with django_capture_on_commit_callbacks(execute=True):
        replay = client.post(path, data=body, content_type="application/json", headers=headers)

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json() == {"status": "duplicate"}
    assert Invitee.objects.filter(uri=invitee_uri).count() == 1
    assert names(signal_log) == ["invitee_created"]
    statuses = list(WebhookDelivery.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["processed", "duplicate"]


def test_a_valid_delivery_sent_to_another_subscriptions_url_is_refused(
    client, sim, captured, recorder, django_user_model
):
    from calendly_integration.oauth.connect import connect_personal_access_token
    from calendly_integration.webhooks.subscriptions import ensure_subscriptions

    invitee_uri, _path, body = recorded_booking(sim, recorder)
    other = django_user_model.objects.create_user("ben")
    pat = connect_personal_access_token(other, sim.create_token(user_uri=sim.admin.uri))
    [their_subscription] = ensure_subscriptions(pat)  # signed with its own key, not the app's
    their_path = their_subscription.callback_url.split(recorder.url, 1)[1]

    response = client.post(
        their_path,
        data=body,
        content_type="application/json",
        headers={"Calendly-Webhook-Signature": signature_header(body, sim.webhook_signing_key)},
    )

    assert response.status_code == 400
    assert not Invitee.objects.filter(uri=invitee_uri).exists()
    assert WebhookDelivery.objects.get(subscription=their_subscription).status == "invalid"
