"""The tracking keys are defined once, and they are the ones Calendly (the simulator) sends."""

import pytest

from calendly_integration.client import prefilled_booking_url
from calendly_integration.client.tracking import TRACKING_KEYS, UTM_KEYS
from calendly_integration.testing.simulator import objects

BOOKING = "https://calendly.com/acme/intro"


def test_the_simulator_sends_exactly_the_keys_the_client_knows():
    assert set(objects.tracking()) == set(TRACKING_KEYS)
    assert set(UTM_KEYS) < set(TRACKING_KEYS)


def test_a_booking_url_takes_every_tracking_key_and_no_other():
    url = prefilled_booking_url(BOOKING, **{key: key.upper() for key in TRACKING_KEYS})

    assert url.endswith("&".join(f"{key}={key.upper()}" for key in TRACKING_KEYS))
    with pytest.raises(TypeError, match="utm_id"):
        prefilled_booking_url(BOOKING, utm_id="x")
