"""The doctor's report as text for people (one line per finding) or JSON for scripts."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from calendly_integration.doctor.diagnose import ConnectionReport, DoctorReport
from calendly_integration.doctor.result import CheckResult

MARKS = {"ok": "OK", "info": "--", "warning": "WARN", "error": "FAIL"}


def render_json(report: DoctorReport) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=True, default=str)


def render_text(report: DoctorReport) -> str:
    lines = [_("Installation")]
    lines += [_line(result) for result in report.installation]
    for item in report.connections:
        lines.append("")
        lines.append(item.subject)
        lines += [_line(result) for result in item.checks]
        lines += _verification(item) if report.verified else []
    lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines)


def _line(result: CheckResult) -> str:
    return f"  [{MARKS.get(result.level, result.level)}] {result.check}: {result.message}"


def _verification(item: ConnectionReport) -> list[str]:
    if item.verify_error:
        return [f"  [FAIL] verify: {item.verify_error}"]
    if item.differences is None:
        return [f"  [--] verify: {_('not compared (the token does not work)')}"]
    if not item.differences:
        return [f"  [OK] verify: {_('the mirror equals Calendly')}"]
    lines = [
        "  [FAIL] verify: "
        + _("%(count)s differences (kind, URI, field: mirror / Calendly)")
        % {"count": len(item.differences)}
    ]
    lines += [
        f"    {d.kind} {d.uri} {d.field}: {_show(d.mirror)} / {_show(d.calendly)}"
        for d in item.differences
    ]
    return lines


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


def _summary(report: DoctorReport) -> str:
    if report.ok:
        return _("Healthy.") if not report.verified else _("Healthy; the mirror equals Calendly.")
    failed = sum(r.failed for r in report.installation) + sum(
        sum(r.failed for r in item.checks) + bool(item.verify_error) for item in report.connections
    )
    return _("Problems found: %(failed)s failed checks, %(differences)s differences.") % {
        "failed": failed,
        "differences": report.difference_count,
    }
