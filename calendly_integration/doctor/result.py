"""What one doctor check found: a name, a verdict and one sentence a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK = "ok"
INFO = "info"
WARNING = "warning"
ERROR = "error"
#: Verdicts from best to worst; only ``error`` makes the doctor fail.
LEVELS = (OK, INFO, WARNING, ERROR)


@dataclass(frozen=True)
class CheckResult:
    """One finding. ``subject`` names what it is about (``connection 3``) when not the site.

    Messages never hold a token or a key: they are printed and may be pasted into tickets.
    """

    check: str
    level: str
    message: str
    subject: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.level == ERROR

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "level": self.level,
            "subject": self.subject,
            "message": self.message,
            "details": self.details,
        }
