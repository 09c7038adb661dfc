"""PKCE helpers (RFC 7636)."""

import re

import pytest

from calendly_integration.client import code_challenge_s256, generate_code_verifier


def test_verifier_is_long_random_and_unreserved():
    first, second = generate_code_verifier(), generate_code_verifier()

    assert first != second
    assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", first)


@pytest.mark.parametrize("length", [43, 128])
def test_verifier_length_can_be_chosen_within_the_rfc_bounds(length):
    assert len(generate_code_verifier(length)) == length


@pytest.mark.parametrize("length", [42, 129])
def test_verifier_length_outside_the_rfc_bounds_is_refused(length):
    with pytest.raises(ValueError):
        generate_code_verifier(length)


def test_s256_challenge_matches_the_rfc_7636_example():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    assert code_challenge_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_s256_challenge_refuses_an_invalid_verifier():
    with pytest.raises(ValueError):
        code_challenge_s256("too short")
