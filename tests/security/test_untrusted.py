"""The shared readers of outside input: arbitrary text and bytes in, a value or a clean refusal out."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendly_integration import untrusted


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("٣", None),  # Arabic-Indic three
        ("\uff11\uff10", None),  # fullwidth ten
        ("1" * 19, None),
        ("-1", None),
        (" 1", None),
        ("1\n", None),
        ("", None),
        (None, None),
    ],
)
def test_ascii_int_reads_only_ascii_digits(raw, expected):
    assert untrusted.ascii_int(raw) == expected


def test_ascii_int_applies_bounds():
    assert untrusted.ascii_int("5", minimum=1, maximum=4) is None
    assert untrusted.ascii_int("0", minimum=1) is None
    assert untrusted.ascii_int("4", minimum=1, maximum=4) == 4


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_are_unsafe(text):
    assert not untrusted.is_safe_text(text)
    assert list(untrusted.unsafe_strings({"k": [1, {"deep": text}]})) == [text]
    assert list(untrusted.unsafe_strings({text: 1})) == [text]


def test_ordinary_unicode_is_safe():
    assert untrusted.is_safe_text("Zoë 😀 ٣ 東京")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        b'{"n": NaN}',
        b'{"n": Infinity}',
        b'{"n": -Infinity}',
        b'{"n": 1e999}',
        b'{"n": ' + b"9" * 5_000 + b"}",
        b"\xff\xfe",
        b'{"a": "\x00"}',
        b"",
    ],
)
def test_loads_refuses_cleanly(body):
    with pytest.raises(untrusted.UntrustedJSONError):
        untrusted.loads(body)


def test_loads_keeps_brackets_inside_strings_out_of_the_depth():
    body = json.dumps({"text": "[" * 1_000, "ok": [[1]]})
    assert untrusted.loads(body)["ok"] == [[1]]


def test_loads_decodes_escaped_nul_for_the_caller_to_check():
    value = untrusted.loads(b'{"name": "a\\u0000b"}')
    assert list(untrusted.unsafe_strings(value)) == ["a\x00b"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_loads_never_raises_anything_else(data):
    with contextlib.suppress(untrusted.UntrustedJSONError):
        untrusted.loads(data)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(json_values)
def test_loads_round_trips_ordinary_json(value):
    assert untrusted.loads(json.dumps(value)) == value


def test_safe_text_replaces_only_what_no_column_holds():
    assert untrusted.safe_text("a\x00b\ud800c") == "a\ufffdb\ufffdc"
    plain = "Zoë 😀 ٣"
    assert untrusted.safe_text(plain) is plain


def test_scrub_makes_every_string_safe_keys_included_and_keeps_clean_values():
    value = {"a\x00": ["x\udfff", {"k": "\x00"}, 1, None, 2.5], "ok": "fine"}
    assert untrusted.scrub(value) == {
        "a\ufffd": ["x\ufffd", {"k": "\ufffd"}, 1, None, 2.5],
        "ok": "fine",
    }
    assert not list(untrusted.unsafe_strings(untrusted.scrub(value)))
    clean = {"a": ["b", {"c": 1}]}
    assert untrusted.scrub(clean) is clean


#: Surrogates included (hypothesis leaves them out by default), NUL made likely.
_ANY_CHARACTER = st.characters(exclude_categories=()) | st.sampled_from("\x00\ud800\udfff")


@settings(derandomize=True, deadline=None, max_examples=200)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(_ANY_CHARACTER),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(_ANY_CHARACTER), inner),
        max_leaves=20,
    )
)
def test_scrub_always_leaves_safe_strings(value):
    assert not list(untrusted.unsafe_strings(untrusted.scrub(value)))


def test_the_depth_scan_skips_strings_with_escaped_quotes_and_counts_real_brackets():
    tricky = json.dumps({"t": '\\"[[' * 100, "u": "{" * 100, "ok": [[1]]})
    assert untrusted.loads(tricky)["ok"] == [[1]]
    assert untrusted.json_depth_exceeds("[" * 65 + "]" * 65)
    assert not untrusted.json_depth_exceeds("[" * 64 + "]" * 64 + '"' + "[" * 100 + '"')
    with pytest.raises(untrusted.UntrustedJSONError):
        untrusted.loads(json.dumps({"t": "[" * 100, "deep": [[[[[[[[1]]]]]]]]}), max_depth=4)


@pytest.mark.parametrize(
    ("path", "query", "header"),
    [
        ("/a\x00/", "", "ok"),
        ("/a/", "q=%00", "ok"),
        ("/a/", "%00=1", "ok"),
        ("/a/", "", "x\x00y"),
        ("/a/", "", "x\ud800y"),
    ],
)
def test_a_request_with_nul_or_a_lone_surrogate_outside_its_body_is_unsafe(path, query, header):
    from django.test import RequestFactory

    request = RequestFactory().get(path, HTTP_USER_AGENT=header)
    request.META["QUERY_STRING"] = query
    assert not untrusted.is_safe_request(request)


def test_an_ordinary_request_is_safe():
    from django.test import RequestFactory

    request = RequestFactory().get("/é/", {"q": "naïve ٣"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert untrusted.is_safe_request(request)
