"""The signature check passes every published vector."""

import json
from pathlib import Path

import pytest

from calendly_integration.webhooks.signature import signature_header, verify_signature

VECTORS = json.loads((Path(__file__).parent / "webhook-signature-vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_published_vectors(case):
    verdict = verify_signature(
        VECTORS["raw_body"].encode(), case["header"], VECTORS["signing_key"], now=case["now"]
    )
    assert verdict is (case["expect"] == "valid")


def test_signature_header_round_trips():
    body = b'{"event":"invitee.created"}'
    header = signature_header(body, "k3y", timestamp=1_700_000_000)
    assert verify_signature(body, header, "k3y", now=1_700_000_010)
    assert not verify_signature(body, header, "other", now=1_700_000_010)


def test_any_of_several_v1_digests_may_match():
    body = b"{}"
    good = signature_header(body, "k3y", timestamp=1_700_000_000).split(",")[1]
    header = f"t=1700000000,v1={'0' * 64},{good}"
    assert verify_signature(body, header, "k3y", now=1_700_000_000)


def test_tolerance_is_a_parameter():
    body = b"{}"
    header = signature_header(body, "k3y", timestamp=1_700_000_000)
    assert not verify_signature(body, header, "k3y", tolerance=10, now=1_700_000_011)
    assert verify_signature(body, header, "k3y", tolerance=20, now=1_700_000_011)


def test_no_signing_key_never_verifies():
    body = b"{}"
    assert not verify_signature(body, signature_header(body, ""), "")
