"""A connection made by a real OAuth grant at the simulator, with the scopes asked for."""

from __future__ import annotations

from typing import Any

from calendly_integration.models import Connection
from tests.calendly_helpers import make_oauth_connection


def scoped_connection(sim: Any, site_user: Any, calendly_user: Any, scopes: str) -> Connection:
    return make_oauth_connection(sim, site_user, user_uri=calendly_user.uri, scopes=scopes)
