"""Checks of the installation as a whole: settings, encryption keys, the broker, the schedules.

None of these calls Calendly. The settings check runs the app's own system checks (the same ones
``manage.py check`` runs), so the doctor and ``check`` never disagree about a setting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core import checks as system_checks
from django.utils.translation import gettext as _

from calendly_integration import crypto
from calendly_integration.doctor.result import ERROR, OK, WARNING, CheckResult
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.tasks import (
    CHECK_WEBHOOKS_SCHEDULE,
    PRUNE_SCHEDULE,
    PRUNE_WEBHOOKS_SCHEDULE,
    RETRY_WEBHOOKS_SCHEDULE,
    SYNC_ALL_SCHEDULE,
    TOKEN_CHECK_SCHEDULE,
)

CHECK_ID_PREFIX = "calendly_integration."
SCHEDULES = (
    SYNC_ALL_SCHEDULE,
    TOKEN_CHECK_SCHEDULE,
    PRUNE_SCHEDULE,
    RETRY_WEBHOOKS_SCHEDULE,
    CHECK_WEBHOOKS_SCHEDULE,
    PRUNE_WEBHOOKS_SCHEDULE,
)
UNREADABLE = "unreadable"


def check_installation() -> list[CheckResult]:
    """Every installation check, in the order a person would fix them."""
    return [
        *check_settings(),
        check_encryption_keys(),
        check_broker(),
        check_schedules(),
    ]


def check_settings() -> list[CheckResult]:
    """The app's system checks (``calendly_integration.E00x``/``W00x``), one result each."""
    found = [
        message
        for message in system_checks.run_checks(include_deployment_checks=False)
        if (message.id or "").startswith(CHECK_ID_PREFIX)
    ]
    if not found:
        return [CheckResult("settings", OK, _("The CALENDLY settings pass every system check."))]
    return [
        CheckResult(
            "settings",
            ERROR if message.is_serious() else WARNING,
            f"{message.msg} ({message.id})" + (f" {message.hint}" if message.hint else ""),
        )
        for message in found
    ]


def _key_labels() -> list[tuple[str, Fernet]]:
    """Each key that decrypts, named by where it comes from (never by its value)."""
    labels = [
        (f"TOKEN_ENCRYPTION_KEYS[{index}]", Fernet(key))
        for index, key in enumerate(crypto.configured_keys())
    ]
    labels.append(("SECRET_KEY", Fernet(crypto.derive_key(settings.SECRET_KEY))))
    labels += [
        (f"SECRET_KEY_FALLBACKS[{index}]", Fernet(crypto.derive_key(secret)))
        for index, secret in enumerate(getattr(settings, "SECRET_KEY_FALLBACKS", ()))
        if secret
    ]
    return labels


def _stored_ciphertexts() -> Iterator[str]:
    rows = Connection.objects.values_list("encrypted_access_token", "encrypted_refresh_token")
    for access, refresh in rows.iterator():
        yield from (value for value in (access, refresh) if value)
    yield from (
        WebhookSubscription.objects.exclude(encrypted_signing_key="")
        .values_list("encrypted_signing_key", flat=True)
        .iterator()
    )


def _which_key(ciphertext: str, keys: list[tuple[str, Fernet]]) -> str:
    for label, fernet in keys:
        try:
            fernet.decrypt(ciphertext.encode("ascii"))
        except (InvalidToken, UnicodeError):
            continue
        return label
    return UNREADABLE


def check_encryption_keys() -> CheckResult:
    """Every stored token and signing key decrypts; counts per key say whether a rotation is due."""
    try:
        keys = _key_labels()
    except (ValueError, TypeError):
        return CheckResult(
            "encryption_keys",
            ERROR,
            _("CALENDLY['TOKEN_ENCRYPTION_KEYS'] holds a key that is not a valid Fernet key."),
        )
    counts = Counter(_which_key(value, keys) for value in _stored_ciphertexts())
    details = {label: counts[label] for label, _fernet in keys if counts[label]}
    if counts[UNREADABLE]:
        details[UNREADABLE] = counts[UNREADABLE]
        return CheckResult(
            "encryption_keys",
            ERROR,
            _(
                "%(count)s stored secrets cannot be decrypted with any key: was a key removed "
                "before calendly_rotate_keys re-encrypted everything?"
            )
            % {"count": counts[UNREADABLE]},
            details=details,
        )
    total = sum(counts.values())
    primary = keys[0][0]
    older = total - counts[primary]
    if older:
        return CheckResult(
            "encryption_keys",
            WARNING,
            _(
                "%(older)s of %(total)s stored secrets use an older key than %(primary)s: "
                "run calendly_rotate_keys."
            )
            % {"older": older, "total": total, "primary": primary},
            details=details,
        )
    return CheckResult(
        "encryption_keys",
        OK,
        _("All %(total)s stored secrets decrypt with %(primary)s.")
        % {"total": total, "primary": primary},
        details=details,
    )


def check_broker() -> CheckResult:
    """django-q2's broker answers (the ORM broker: its table can be read)."""
    from django_q.brokers import get_broker

    try:
        broker = get_broker()
        reachable = broker.ping()
        queued = broker.queue_size()
        info = broker.info()
    except Exception as exc:  # every broker raises its own client's errors
        return CheckResult(
            "broker",
            ERROR,
            _("The django-q2 broker cannot be reached: %(error)s") % {"error": type(exc).__name__},
        )
    if not reachable:
        return CheckResult("broker", ERROR, _("The django-q2 broker did not answer its ping."))
    return CheckResult(
        "broker",
        OK,
        _("The django-q2 broker (%(info)s) answers; %(queued)s tasks queued.")
        % {"info": info, "queued": queued},
        details={"queued": queued},
    )


def check_schedules() -> CheckResult:
    """The periodic schedules ``calendly_setup_schedules`` creates all exist."""
    from django_q.models import Schedule

    present = set(Schedule.objects.filter(name__in=SCHEDULES).values_list("name", flat=True))
    missing = [name for name in SCHEDULES if name not in present]
    if missing:
        return CheckResult(
            "schedules",
            ERROR,
            _("Missing django-q2 schedules: %(names)s. Run calendly_setup_schedules.")
            % {"names": ", ".join(missing)},
            details={"missing": missing},
        )
    return CheckResult(
        "schedules", OK, _("All %(count)s periodic schedules exist.") % {"count": len(SCHEDULES)}
    )
