"""A stateful fake Calendly (API v2 + OAuth) served over real HTTP, for tests and demos.

Usage::

    with CalendlySimulator(seed=1) as sim:
        token = sim.create_token()
        requests.get(f"{sim.url}/users/me", headers={"Authorization": f"Bearer {token}"})
"""

from .messages import RecordedRequest
from .simulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CalendlySimulator,
    SimOrganization,
    SimUser,
)
from .webhook_delivery import DeliveryAttempt, sign

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "CalendlySimulator",
    "DeliveryAttempt",
    "RecordedRequest",
    "SimOrganization",
    "SimUser",
    "sign",
]
