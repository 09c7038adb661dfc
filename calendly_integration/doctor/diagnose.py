"""``diagnose``: run every check (and, if asked, the mirror comparison) into one report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from calendly_integration.client import CalendlyError
from calendly_integration.doctor.connections import check_connection, describe, token_works
from calendly_integration.doctor.installation import check_installation
from calendly_integration.doctor.result import CheckResult
from calendly_integration.doctor.verify import Difference, verify_connection
from calendly_integration.models import Connection
from calendly_integration.oauth.errors import ConnectionUnusable


@dataclass
class ConnectionReport:
    """One connection's checks and, when verified, its differences (``None``: not compared)."""

    connection_id: int
    subject: str
    status: str
    checks: list[CheckResult]
    differences: list[Difference] | None = None
    verify_error: str = ""

    @property
    def ok(self) -> bool:
        return (
            not any(result.failed for result in self.checks)
            and not self.differences
            and not self.verify_error
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "connection": self.connection_id,
            "subject": self.subject,
            "status": self.status,
            "ok": self.ok,
            "checks": [result.as_dict() for result in self.checks],
            "differences": (
                None if self.differences is None else [d.as_dict() for d in self.differences]
            ),
            "verify_error": self.verify_error,
        }


@dataclass
class DoctorReport:
    installation: list[CheckResult]
    connections: list[ConnectionReport] = field(default_factory=list)
    verified: bool = False

    @property
    def ok(self) -> bool:
        """Healthy: no check failed and (when verified) the mirror equals Calendly."""
        return not any(result.failed for result in self.installation) and all(
            report.ok for report in self.connections
        )

    @property
    def difference_count(self) -> int:
        return sum(len(report.differences or ()) for report in self.connections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "verified": self.verified,
            "differences": self.difference_count,
            "installation": [result.as_dict() for result in self.installation],
            "connections": [report.as_dict() for report in self.connections],
        }


def diagnose(connections: Iterable[Connection], *, verify: bool = False) -> DoctorReport:
    """Check the installation and each connection; with ``verify``, compare their mirrors too.

    A connection whose token does not work is reported and not compared (its failure already
    fails the report). Disconnected connections are listed but neither checked nor compared.
    """
    report = DoctorReport(installation=check_installation(), verified=verify)
    for connection in connections:
        checks = check_connection(connection)
        connection.refresh_from_db(fields=["status"])
        item = ConnectionReport(connection.pk, describe(connection), connection.status, checks)
        if verify and token_works(checks):
            _verify(connection, item)
        report.connections.append(item)
    return report


def _verify(connection: Connection, item: ConnectionReport) -> None:
    try:
        item.differences = verify_connection(connection)
    except (CalendlyError, ConnectionUnusable) as exc:
        item.verify_error = _("The comparison stopped: %(error)s") % {
            "error": f"{type(exc).__name__}: {exc}"
        }
