"""The receiver's two parsers against arbitrary input: a verdict or a clean refusal, nothing else.

- the signature header parser (``webhooks.signature``) never raises: any text gives a timestamp
  (plain ASCII digits, or None) and a list of well-formed digests, and ``verify_signature`` a bool;
- the envelope parsers (the receiver's ``check_envelope`` and processing's ``read_envelope``)
  either give an envelope or refuse with their documented exception (``Rejected`` /
  ``UntrustedJSONError``), whatever the bytes; what the receiver would store from an accepted
  envelope is safe for every database.

Derandomized, so CI sees the same examples on every run.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from calendly_integration.models import WebhookDelivery
from calendly_integration.untrusted import UntrustedJSONError, is_safe_text
from calendly_integration.webhooks.dedupe import dedupe_key, payload_uri
from calendly_integration.webhooks.processing import read_envelope
from calendly_integration.webhooks.signature import (
    compute_signature,
    parse_signature_header,
    verify_signature,
)
from calendly_integration.webhooks.views import (
    Inbound,
    Rejected,
    WebhookReceiverView,
    check_envelope,
)

PROPERTY = settings(derandomize=True, deadline=None, max_examples=300)

#: Surrogates included (hypothesis leaves them out by default), NUL and odd digits made likely.
ANY_CHARACTER = st.characters(exclude_categories=()) | st.sampled_from(
    "\x00\ud800\udfff٣\uff11é,=tv1 -+._e"
)
ANY_TEXT = st.text(ANY_CHARACTER)
HEX = "0123456789abcdef"

#: Header parts shaped like the real thing, so the parser's interesting paths are reached.
PART = st.one_of(
    st.builds(lambda v: f"t={v}", ANY_TEXT | st.integers().map(str) | st.just("9" * 400)),
    st.builds(lambda v: f"v1={v}", ANY_TEXT | st.text(HEX, min_size=64, max_size=64)),
    ANY_TEXT,
)
HEADERS = ANY_TEXT | st.lists(PART, max_size=8).map(",".join)

KEY = "k3y"
NOW = 1_700_000_000


@PROPERTY
@given(HEADERS)
@example("t=" + "9" * 5000)
@example("t=-1,v1=" + "é" * 64)
@example("t=1,t=1")
@example("x" * 100_000)
def test_the_header_parser_gives_a_verdict_for_any_text(header):
    timestamp, digests = parse_signature_header(header)

    assert timestamp is None or (type(timestamp) is int and 0 <= timestamp < 10**18)
    assert all(len(d) == 64 and set(d) <= set(HEX) for d in digests)


@PROPERTY
@given(st.binary(), HEADERS, st.floats(allow_nan=True, allow_infinity=True))
def test_verify_signature_is_a_bool_for_any_body_header_and_clock(body, header, now):
    assert verify_signature(body, header, KEY, now=now) in (True, False)


@PROPERTY
@given(st.binary(), st.integers(0, 10**12), st.lists(PART, max_size=4))
def test_a_good_digest_still_verifies_among_arbitrary_parts(body, timestamp, noise):
    digest = compute_signature(body, KEY, timestamp)
    parts = [p for p in noise if not p.strip().startswith("t=")]
    header = ",".join([f"t={timestamp}", *parts, f"v1={digest}"])

    assert verify_signature(body, header, KEY, now=timestamp)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
ENVELOPES = st.fixed_dictionaries(
    {"event": ANY_TEXT | st.sampled_from(["invitee.created", "event_type.updated"])},
    optional={"payload": st.dictionaries(ANY_TEXT, JSON_VALUES), "created_at": JSON_VALUES},
)


def _encoded(value) -> bytes:
    return json.dumps(value).encode()


BODIES = st.one_of(
    st.binary(),
    ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    JSON_VALUES.map(_encoded),
    ENVELOPES.map(_encoded),
    st.builds(lambda n: b"[" * n + b"]" * n, st.integers(0, 20_000)),
    st.sampled_from([b"NaN", b'{"event": "x", "payload": {"n": Infinity}}', b"1e999"]),
    st.builds(bytes.__add__, ENVELOPES.map(_encoded), st.binary(max_size=8)),
)


class _Parsed:
    """The parts of an ``Inbound`` that ``delivery_fields`` reads, with no request behind it."""

    def __init__(self, envelope: dict) -> None:
        self.envelope = envelope
        self.body = b""
        self.signature = WebhookDelivery.Signature.VALID
        self.subscription = SimpleNamespace(pk=1)
        self.request = SimpleNamespace(META={})


def _text_columns(envelope: dict) -> list[str]:
    """What the receiver writes to text columns from an accepted envelope."""
    fields = WebhookReceiverView.delivery_fields(_Parsed(envelope))
    return [fields["event"], fields["payload_uri"], fields["event_created_at"]]


@PROPERTY
@given(BODIES)
@example(b"[" * 100_000)
@example(b'{"event": "x\\u0000", "payload": {"uri": "\\ud800"}, "created_at": "\\udfff"}')
def test_the_receivers_envelope_parser_accepts_or_rejects_cleanly(body):
    inbound = Inbound("token", None, None, body=body)  # type: ignore[arg-type]
    try:
        check_envelope(inbound)
    except Rejected as rejected:
        assert rejected.status_code == 400
        return
    envelope = inbound.envelope
    assert isinstance(envelope["event"], str) and isinstance(envelope["payload"], dict)
    assert len(dedupe_key(envelope)) == 64
    assert isinstance(payload_uri(envelope["payload"]), str)
    assert all(is_safe_text(text) for text in _text_columns(envelope))


@PROPERTY
@given(BODIES)
def test_processings_envelope_parser_accepts_or_rejects_cleanly(body):
    try:
        envelope = read_envelope(body)
    except UntrustedJSONError as error:
        assert error.reason
        return
    assert isinstance(envelope, dict) and isinstance(envelope["payload"], dict)


def test_the_strategies_reach_both_verdicts():
    """Guard against a property that only ever sees refusals."""
    good = _encoded({"event": "invitee.created", "payload": {"uri": "u"}})
    inbound = Inbound("token", None, None, body=good)  # type: ignore[arg-type]
    check_envelope(inbound)
    assert inbound.envelope["payload"] == {"uri": "u"}
    assert parse_signature_header("t=12,v1=" + "a" * 64) == (12, ["a" * 64])
