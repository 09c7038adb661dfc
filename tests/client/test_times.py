"""Calendly's time format: UTC with microseconds and a Z."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from calendly_integration.client import format_time, parse_time


def test_format_time_writes_utc_with_microseconds_and_z():
    assert format_time(datetime(2026, 11, 24, 15, 0, tzinfo=UTC)) == "2026-11-24T15:00:00.000000Z"


def test_format_time_converts_other_time_zones_to_utc():
    paris = timezone(timedelta(hours=1))
    value = datetime(2026, 11, 24, 16, 0, 0, 123456, tzinfo=paris)

    assert format_time(value) == "2026-11-24T15:00:00.123456Z"


def test_format_time_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        format_time(datetime(2026, 11, 24, 15, 0))


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24T15:00:00.000000Z",
        "2026-11-24T15:00:00Z",
        "2026-11-24T15:00:00.000Z",
        "2026-11-24T16:00:00+01:00",
    ],
)
def test_parse_time_reads_calendly_and_other_iso_forms_as_aware_utc(text):
    parsed = parse_time(text)

    assert parsed == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)


def test_parse_and_format_round_trip():
    text = "2026-01-02T03:04:05.678123Z"

    assert format_time(parse_time(text)) == text


@pytest.mark.parametrize("text", ["", "yesterday", "2026-11-24T15:00:00"])
def test_parse_time_refuses_garbage_and_times_without_offset(text):
    with pytest.raises(ValueError):
        parse_time(text)
