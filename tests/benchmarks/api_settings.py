"""Settings of the API benchmark's server: the webhook benchmark's (the demo site's as a
production site would run it: DEBUG off, persistent connections), with the API's URLconf and a
DRF baseline view (``api_urls``)."""

from tests.benchmarks.webhook_settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.api_urls"
