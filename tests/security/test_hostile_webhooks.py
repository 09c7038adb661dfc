"""The public webhook URL against hostile requests: a 4xx or a stored delivery, never a 500.

Each class of input the issue names, sent through Django's test client (and a sample over real
HTTP to a live server at the end): deep nesting, absurd signature headers, NUL bytes and lone
surrogates in the path, the query, the headers and the body's strings, NaN and friends. For each
the test asserts the answer, that a delivery with a good signature is stored (nothing the docs
promise is dropped), and that every page and API answer listing deliveries still renders: the
admin changelist and change page, the API list and detail, the demo's activity feed.

Run on SQLite and on PostgreSQL (which refuses NUL in text and ``\\u0000`` in ``jsonb``).
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from calendly_integration.models import Invitee, WebhookDelivery
from calendly_integration.webhooks.processing import process_delivery
from calendly_integration.webhooks.signature import compute_signature, signature_header
from tests.webhooks.conftest import APP_KEY, post_signed

pytestmark = pytest.mark.django_db

EVENT_URI = "https://api.calendly.com/scheduled_events/EV1"
INVITEE_URI = f"{EVENT_URI}/invitees/IN1"


def envelope(**payload: object) -> dict:
    """A complete ``invitee.created`` envelope (processing needs no Calendly for it)."""
    return {
        "event": "invitee.created",
        "created_at": "2026-11-24T15:00:00.000000Z",
        "payload": {
            "uri": INVITEE_URI,
            "event": EVENT_URI,
            "status": "active",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "created_at": "2026-11-24T14:59:58.000000Z",
            "updated_at": "2026-11-24T14:59:58.000000Z",
            "scheduled_event": {
                "uri": EVENT_URI,
                "name": "Intro call",
                "status": "active",
                "start_time": "2026-11-30T15:00:00.000000Z",
                "end_time": "2026-11-30T15:30:00.000000Z",
            },
            **payload,
        },
    }


def raw(text: str) -> bytes:
    """A body written by hand (``json.dumps`` cannot write some of these)."""
    return text.encode("utf-8", "surrogatepass")


def post_with_header(client, url: str, header: str):
    """``BODY`` with ``header`` as its signature header, as a client could send it."""
    return client.post(
        url,
        data=BODY,
        content_type="application/json",
        headers={"Calendly-Webhook-Signature": header},
    )


def stored_invalid(response, body: bytes) -> WebhookDelivery:
    """The one delivery, signed right but refused: answered 400 and kept byte for byte."""
    assert response.status_code == 400
    delivery = only_delivery()
    assert (delivery.status, delivery.signature) == ("invalid", "valid")
    assert delivery.body_bytes == body
    return delivery


def body_of(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def staff(admin_client):
    """A superuser's client: sees every delivery in the admin, the API and the feed."""
    return admin_client


def assert_pages_render(staff, delivery: WebhookDelivery | None = None) -> None:
    """Every page and API answer that shows deliveries answers 200 (the stored row included)."""
    pages = [
        reverse("admin:calendly_integration_webhookdelivery_changelist"),
        reverse("calendly_api:webhook-delivery-list"),
        "/dashboard/activity/",
        "/dashboard/activity/feed/?after=0",
    ]
    if delivery is not None:
        pages += [
            reverse("admin:calendly_integration_webhookdelivery_change", args=[delivery.pk]),
            reverse("calendly_api:webhook-delivery-detail", args=[delivery.pk]),
        ]
    for page in pages:
        response = staff.get(page)
        assert response.status_code == 200, (page, response.status_code)


def only_delivery() -> WebhookDelivery:
    [delivery] = WebhookDelivery.objects.all()
    return delivery


# Deep nesting: refused at the door (400), stored as invalid, never RecursionError.

DEEP = [
    pytest.param(
        raw('{"event": "invitee.created", "payload": ' + "[" * 5000 + "]" * 5000 + "}"),
        id="5k-arrays-in-envelope",
    ),
    pytest.param(raw("[" * 100_000), id="100k-open-arrays"),
    pytest.param(raw('{"a":' * 100_000 + "1" + "}" * 100_000), id="100k-objects"),
    pytest.param(raw("[" * 100_000 + "]" * 100_000), id="100k-balanced"),
    pytest.param(
        raw(
            '{"event": "invitee.created", "payload": {"uri": "x", "q": '
            + "[" * 65
            + "]" * 65
            + "}}"
        ),
        id="65-levels",
    ),
]


@pytest.mark.parametrize("body", DEEP)
def test_deep_nesting_in_a_signed_body_is_a_400_stored_as_invalid(client, staff, url, body):
    response = post_signed(client, url, body, APP_KEY)

    delivery = stored_invalid(response, body)
    assert "JSON" in delivery.error
    assert_pages_render(staff, delivery)


@pytest.mark.parametrize("body", DEEP[:2])
def test_deep_nesting_with_a_bad_signature_is_a_400_too(client, staff, url, body):
    response = post_signed(client, url, body, "attacker-key")

    assert response.status_code == 400
    assert (only_delivery().status, only_delivery().signature) == ("invalid", "invalid")
    assert_pages_render(staff, only_delivery())


# NaN, Infinity, numbers no float holds: refused at the door with the reason.


@pytest.mark.parametrize(
    "number",
    ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000],
)
def test_non_finite_numbers_in_a_signed_payload_are_refused_with_a_reason(
    client, staff, url, number
):
    body = raw(
        '{"event": "invitee.created", "payload": {"uri": "'
        + INVITEE_URI
        + '", "n": '
        + number
        + "}}"
    )

    response = post_signed(client, url, body, APP_KEY)

    assert response.status_code == 400
    assert "JSON" in response.json()["reason"]
    delivery = only_delivery()
    assert (delivery.status, delivery.signature) == ("invalid", "valid")
    assert delivery.error
    assert delivery.body_bytes == body
    assert_pages_render(staff, delivery)


# The signature header: absurd timestamps and digests, repeated keys, huge headers.


def _good_digest(body: bytes) -> str:
    return compute_signature(body, APP_KEY, int(time.time()))


BODY = body_of(envelope())
NOW = str(int(time.time()))


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("t=" + "9" * 400 + ",v1=" + "0" * 64, id="t-400-digits"),
        pytest.param("t=" + "1" * 5000 + ",v1=" + "0" * 64, id="t-5000-digits"),
        pytest.param("t=-1763632800,v1=" + "0" * 64, id="t-negative"),
        pytest.param("t=-" + "9" * 400 + ",v1=" + "0" * 64, id="t-negative-huge"),
        pytest.param("t=١٧٦٣٦٣٢٨٠٠,v1=" + "0" * 64, id="t-arabic-digits"),
        pytest.param("t=\uff11\uff17\uff16\uff13,v1=" + "0" * 64, id="t-fullwidth-digits"),
        pytest.param("t=1763632800.5,v1=" + "0" * 64, id="t-float"),
        pytest.param("t=1e9,v1=" + "0" * 64, id="t-exponent"),
        pytest.param("t=inf,v1=" + "0" * 64, id="t-inf"),
        pytest.param("t=nan,v1=" + "0" * 64, id="t-nan"),
        pytest.param("t=+1763632800,v1=" + "0" * 64, id="t-plus"),
        pytest.param("t=1_763_632_800,v1=" + "0" * 64, id="t-underscores"),
        pytest.param(f"t={NOW},v1=" + "é" * 64, id="v1-non-ascii"),
        pytest.param(f"t={NOW},v1=" + "\u0661" * 64, id="v1-arabic-digits"),
        pytest.param(f"t={NOW},v1=" + "zz" * 32, id="v1-non-hex"),
        pytest.param(f"t={NOW},v1=" + "0" * 10_000, id="v1-huge"),
        pytest.param(f"t={NOW},v1=" + "\x00" * 64, id="v1-nul"),
        pytest.param(f"t={NOW},v1=\ud800", id="v1-surrogate"),
        pytest.param(f"t={NOW},t={NOW},v1=" + "0" * 64, id="t-twice"),
        pytest.param("t=,v1=,t=,v1=,=,,,", id="empty-keys"),
        pytest.param(f"t={NOW},v1=" + "0" * 64 + ",x" * 50_000, id="header-100kb"),
        pytest.param("t=\x00,v1=\x00", id="nul-values"),
        pytest.param("\ud800=\udfff", id="surrogate-keys"),
    ],
)
def test_an_absurd_signature_header_is_a_400_stored_as_invalid(client, staff, url, header):
    response = post_with_header(client, url, header)

    assert response.status_code == 400
    delivery = only_delivery()
    assert delivery.status == "invalid"
    assert delivery.signature in {"invalid", "stale"}
    assert delivery.body_bytes == BODY
    stored = delivery.headers["Calendly-Webhook-Signature"]
    assert "\x00" not in stored and len(stored) <= 1024
    assert_pages_render(staff, delivery)


def test_a_repeated_timestamp_is_refused_even_with_a_good_digest(client, url):
    timestamp = int(time.time())
    digest = compute_signature(BODY, APP_KEY, timestamp)
    header = f"t={timestamp},t={timestamp},v1={digest}"
    response = post_with_header(client, url, header)
    assert response.status_code == 400
    assert only_delivery().signature == "invalid"


def test_several_digests_are_still_accepted_as_during_a_key_rotation(client, url):
    timestamp = int(time.time())
    digest = compute_signature(BODY, APP_KEY, timestamp)
    header = f"t={timestamp},v1={'0' * 64},v1={digest}"
    response = post_with_header(client, url, header)
    assert response.status_code == 200
    assert only_delivery().signature == "valid"


@pytest.mark.parametrize("length", ["٣", "²", "-5", "1" * 40, "\x00"])
def test_a_content_length_in_odd_digits_is_never_a_500(client, url, length):
    response = client.post(
        url,
        data=BODY,
        content_type="application/json",
        headers={"Calendly-Webhook-Signature": signature_header(BODY, APP_KEY)},
        CONTENT_LENGTH=length,
    )
    assert response.status_code == 400
    delivery = only_delivery()
    assert (delivery.status, delivery.body_bytes) == ("invalid", b"")
    assert "Content-Length" in delivery.error


# NUL and lone surrogates in the path, the query and the headers.


@pytest.mark.parametrize(
    "suffix",
    ["%00", "%ED%A0%80", "%C3%A9", "%FF", "\u0663", "%2500", "x" * 70],
)
def test_an_odd_token_is_a_404_and_nothing_is_stored(client, subscription, suffix):
    for path in (
        f"/calendly/webhooks/{suffix}/",
        f"/calendly/webhooks/{subscription.token}{suffix}/",
    ):
        assert post_signed(client, path, BODY, APP_KEY).status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_nul_and_surrogates_in_the_query_change_nothing(client, staff, url):
    response = post_signed(client, url + "?x=%00&y=%ED%A0%80&z=\u0663", BODY, APP_KEY)

    assert response.status_code == 200
    assert only_delivery().status == "received"
    assert_pages_render(staff, only_delivery())


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x" * 100_000, "\udfff\x00" * 10])
def test_odd_kept_headers_are_stored_safe_with_a_valid_delivery(client, staff, url, value):
    response = post_signed(
        client, url, BODY, APP_KEY, **{"X-Request-Id": value, "User-Agent": value}
    )

    assert response.status_code == 200
    delivery = only_delivery()
    assert delivery.status == "received"
    for name in ("X-Request-Id", "User-Agent"):
        kept = delivery.headers[name]
        assert "\x00" not in kept and len(kept) <= 1024
        assert all(not 0xD800 <= ord(char) <= 0xDFFF for char in kept)
    assert_pages_render(staff, delivery)


# NUL and lone surrogates inside the body's strings, and bytes that are not UTF-8.

ODD_STRINGS = [
    pytest.param("\\u0000", id="escaped-nul"),
    pytest.param("\\ud800", id="escaped-lone-high-surrogate"),
    pytest.param("\\udfff", id="escaped-lone-low-surrogate"),
    pytest.param("\\udfff\\ud800", id="escaped-reversed-pair"),
]


@pytest.mark.parametrize("odd", ODD_STRINGS)
def test_odd_strings_in_a_signed_payload_are_stored_and_processed_safely(client, staff, url, odd):
    text = json.dumps(envelope()).replace('"Ada Lovelace"', f'"Ada{odd}"')
    text = text.replace(f'"uri": "{INVITEE_URI}"', f'"uri": "{INVITEE_URI}{odd}"')
    text = text.replace('"2026-11-24T15:00:00.000000Z"', f'"2026-11-24{odd}"')
    body = raw(text)

    response = post_signed(client, url, body, APP_KEY)

    assert response.status_code == 200
    delivery = only_delivery()
    assert (delivery.status, delivery.signature) == ("received", "valid")
    assert delivery.body_bytes == body  # the raw bytes, exactly as sent
    assert delivery.payload_uri.startswith(INVITEE_URI) and "\x00" not in delivery.payload_uri
    assert "\x00" not in delivery.event_created_at
    assert_pages_render(staff, delivery)

    assert process_delivery(delivery.pk) == "processed"
    invitee = Invitee.objects.get()
    assert invitee.name == "Ada\ufffd" or invitee.name == "Ada\ufffd\ufffd"
    assert "\x00" not in invitee.uri and "\x00" not in json.dumps(invitee.raw)
    assert_pages_render(staff, delivery)


@pytest.mark.parametrize("odd", ODD_STRINGS)
def test_odd_strings_in_the_event_name_are_stored_as_an_ignored_delivery(client, staff, url, odd):
    body = raw(json.dumps(envelope()).replace('"invitee.created"', f'"invitee.created{odd}"'))

    response = post_signed(client, url, body, APP_KEY)

    assert response.status_code == 200
    delivery = only_delivery()
    assert delivery.status == "ignored"
    assert delivery.event.startswith("invitee.created\ufffd")
    assert_pages_render(staff, delivery)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"event": "invitee.created", "payload": {"uri": "a\x00b"}}', id="raw-nul"),
        pytest.param(
            b'{"event": "invitee.created", "payload": {"uri": "\xed\xa0\x80"}}', id="utf8-surrogate"
        ),
        pytest.param(b'{"event": "invitee.created", "payload": {"uri": "\xff"}}', id="not-utf8"),
        pytest.param(b"\xef\xbb\xbf{}", id="bom"),
        pytest.param(b"\x00" * 100, id="nul-bytes"),
    ],
)
def test_bodies_that_are_not_strict_json_are_a_400_stored_as_invalid(client, staff, url, body):
    response = post_signed(client, url, body, APP_KEY)

    delivery = stored_invalid(response, body)
    assert "\x00" not in delivery.error
    assert_pages_render(staff, delivery)


# Stored rows that no receiver of today would store (older rows, edited ones): processing ends
# with a reason, and every page still renders.


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(raw("[" * 50_000 + "]" * 50_000), id="deep"),
        pytest.param(raw('{"event": "invitee.created", "payload": {"n": NaN}}'), id="nan"),
        pytest.param(raw('{"event": "invitee.created", "payload": {"n": 1e999}}'), id="1e999"),
        pytest.param(raw('["event", "payload"]'), id="list"),
        pytest.param(raw('{"event": "invitee.created", "payload": 3}'), id="payload-not-object"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"", id="empty"),
    ],
)
def test_an_odd_stored_delivery_ends_invalid_with_a_reason_and_renders(staff, subscription, body):
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="invitee.created", body=body
    )

    assert process_delivery(delivery.pk) == "invalid"
    delivery.refresh_from_db()
    assert "stored body" in delivery.error
    assert process_delivery(delivery.pk) == "invalid"  # final: not taken again
    assert_pages_render(staff, delivery)


# Ids in Unicode digits are not ids.


def test_unicode_digits_do_not_name_deliveries(staff, subscription):
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="invitee.created")
    arabic = str(delivery.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    change = f"/admin/calendly_integration/webhookdelivery/{arabic}/change/"
    assert staff.get(change).status_code == 302  # the admin's "does not exist"
    for after in (arabic, "²", "\x00", "1,²"):
        assert staff.get("/dashboard/activity/feed/", {"after": after}).status_code == 400
        assert staff.get("/dashboard/activity/feed/", {"pending": after}).status_code == 400


# A sample over real HTTP, to a live server.


def _send(live_server, method: str, path: bytes, headers: list[tuple[bytes, bytes]], body: bytes):
    """One request written byte for byte (http.client would refuse some of these)."""
    parts = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, path.decode("latin-1"), skip_accept_encoding=True)
        for name, value in [(b"Content-Length", str(len(body)).encode()), *headers]:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_sample_over_real_http_to_a_live_server(live_server, client, admin_user, subscription):
    path = reverse("calendly_integration:webhook", kwargs={"token": subscription.token})
    now = int(time.time())

    def signed(body: bytes, **extra: bytes) -> list[tuple[bytes, bytes]]:
        header = signature_header(body, APP_KEY, now).encode()
        return [
            (b"Content-Type", b"application/json"),
            (b"Calendly-Webhook-Signature", header),
            *extra.items(),
        ]

    odd_name = raw(json.dumps(envelope()).replace('"Ada Lovelace"', '"Ada\\u0000\\ud800"'))
    deep = raw('{"event": "x", "payload": ' + "[" * 100_000)
    nan = raw('{"event": "invitee.created", "payload": {"uri": "u", "n": NaN}}')
    second = body_of(envelope(uri=f"{EVENT_URI}/invitees/IN2"))
    third = body_of(envelope(uri=f"{EVENT_URI}/invitees/IN3"))
    cases = [
        (path.encode(), signed(odd_name), odd_name, 200),
        (path.encode() + b"?q=%00%ED%A0%80", signed(second), second, 200),
        (path.encode(), signed(deep), deep, 400),
        (path.encode(), signed(nan), nan, 400),
        (
            path.encode(),
            [(b"Calendly-Webhook-Signature", b"t=" + b"9" * 400 + b",v1=\xe9\xff")],
            BODY,
            400,
        ),
        (path.encode(), [(b"Calendly-Webhook-Signature", f"t={now},t={now}".encode())], BODY, 400),
        (path.encode(), [*signed(third), (b"X-Request-Id", b"\xe9" * 2000)], third, 200),
        (path.encode()[:-1] + b"%00/", signed(BODY), BODY, 404),
        (path.encode()[:-1] + b"%ED%A0%80/", signed(BODY), BODY, 404),
        (b"/calendly/webhooks/%00/", signed(BODY), BODY, 404),
    ]
    for target, headers, body, expected in cases:
        status, answer = _send(live_server, "POST", target, headers, body)
        assert status == expected, (target, headers[:2], status, answer[:200])

    stored = WebhookDelivery.objects.order_by("pk")
    assert [d.status for d in stored] == ["received", "received", *["invalid"] * 4, "received"]
    assert stored[0].body_bytes == odd_name
    assert stored[6].headers["X-Request-Id"] == "\xe9" * 1024
    client.force_login(admin_user)
    for delivery in stored:
        assert_pages_render(client, delivery)


# Query strings of the pages that list deliveries.


@pytest.mark.parametrize("value", ["%00", "a%00b", "%ED%A0%80", "%D9%A3", "%FF"])
def test_odd_searches_and_filters_on_the_delivery_lists_are_never_a_500(staff, subscription, value):
    WebhookDelivery.objects.create(subscription=subscription, event="invitee.created")
    changelist = reverse("admin:calendly_integration_webhookdelivery_changelist")
    api = reverse("calendly_api:webhook-delivery-list")
    answers = {
        query: staff.get(f"{page}?{query}={value}").status_code
        for page, query in [
            (changelist, "q"),
            (changelist, "event"),
            (changelist, "event__exact"),
            (changelist, "status__exact"),
            (api, "event"),
            (api, "status"),
            (api, "search"),
        ]
    }
    assert all(status < 500 for status in answers.values()), answers
