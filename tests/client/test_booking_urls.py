"""Prefilled booking URLs: what Calendly reads from the query string, encoded so it reads it right."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from calendly_integration.client import prefilled_booking_url

BOOKING = "https://calendly.com/acme/intro"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_plus_in_email_is_percent_encoded_so_it_is_not_read_as_a_space():
    url = prefilled_booking_url(BOOKING, email="ann+calendly@example.com")

    assert "email=ann%2Bcalendly%40example.com" in url
    assert query_of(url)["email"] == ["ann+calendly@example.com"]


def test_non_ascii_names_are_utf8_percent_encoded_and_spaces_are_percent_20():
    url = prefilled_booking_url(
        BOOKING, name="Zoë Ångström", first_name="Zoë", last_name="Ångström"
    )

    assert "name=Zo%C3%AB%20%C3%85ngstr%C3%B6m" in url
    assert "+" not in urlsplit(url).query
    assert query_of(url)["name"] == ["Zoë Ångström"]
    assert query_of(url)["last_name"] == ["Ångström"]


def test_every_prefill_field_calendly_knows():
    url = prefilled_booking_url(
        BOOKING,
        name="Ann Lee",
        email="ann@example.com",
        first_name="Ann",
        last_name="Lee",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="spring",
        utm_content="cta",
        utm_term="demo",
        salesforce_uuid="sf-123",
        answers=["Acme & Co", "50/50"],
        month="2026-11",
        date="2026-11-24",
    )

    assert query_of(url) == {
        "name": ["Ann Lee"],
        "email": ["ann@example.com"],
        "first_name": ["Ann"],
        "last_name": ["Lee"],
        "utm_source": ["newsletter"],
        "utm_medium": ["email"],
        "utm_campaign": ["spring"],
        "utm_content": ["cta"],
        "utm_term": ["demo"],
        "salesforce_uuid": ["sf-123"],
        "a1": ["Acme & Co"],
        "a2": ["50/50"],
        "month": ["2026-11"],
        "date": ["2026-11-24"],
    }
    assert "a1=Acme%20%26%20Co" in url


def test_answers_by_question_number_and_dates_from_date_objects():
    url = prefilled_booking_url(
        BOOKING, answers={3: "third", 10: "tenth"}, month=date(2026, 11, 1), date=date(2026, 11, 24)
    )

    assert query_of(url) == {
        "a3": ["third"],
        "a10": ["tenth"],
        "month": ["2026-11"],
        "date": ["2026-11-24"],
    }


def test_the_booking_urls_own_query_and_fragment_are_kept():
    url = prefilled_booking_url(
        "https://calendly.com/d/abc-123/intro?hide_gdpr_banner=1&email=old%40example.com#top",
        email="new@example.com",
    )

    parts = urlsplit(url)
    assert parts.path == "/d/abc-123/intro"
    assert parts.fragment == "top"
    assert query_of(url) == {"hide_gdpr_banner": ["1"], "email": ["new@example.com"]}


def test_nothing_to_prefill_leaves_the_url_as_it_was():
    assert prefilled_booking_url(BOOKING) == BOOKING


def test_more_than_ten_answers_is_refused():
    with pytest.raises(ValueError, match="at most 10 answers"):
        prefilled_booking_url(BOOKING, answers=[str(i) for i in range(11)])


@pytest.mark.parametrize("answers", [{0: "x"}, {11: "x"}, "just a string"])
def test_answer_numbers_outside_1_to_10_are_refused(answers):
    with pytest.raises(ValueError):
        prefilled_booking_url(BOOKING, answers=answers)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": "November"}, "month"),
        ({"date": "24/11/2026"}, "date"),
    ],
)
def test_badly_formed_month_or_date_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        prefilled_booking_url(BOOKING, **kwargs)


@pytest.mark.parametrize("url", ["", "calendly.com/acme", "ftp://calendly.com/acme"])
def test_the_booking_url_must_be_absolute_http(url):
    with pytest.raises(ValueError, match="booking_url"):
        prefilled_booking_url(url, name="Ann")
