"""Webhook subscriptions we made at Calendly, and the log of every request our receiver got.

A subscription row is written *before* Calendly is asked to create it: its unguessable callback
token is part of the URL we register, so the row must exist for the first delivery to find it, and a
create that timed out after Calendly did it can be adopted later (same URL) instead of leaking an
orphan. Deliveries are logged before anything else happens to them (dj-stripe's rule), valid or
not, so nothing Calendly sent is ever lost and every verdict can be audited and replayed.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendly_integration import crypto
from calendly_integration.models.connection import Connection
from calendly_integration.models.organizations import Organization
from calendly_integration.models.tenancy import viewer_for
from calendly_integration.untrusted import UntrustedJSONError, loads, safe_text, scrub


def new_callback_token() -> str:
    """256 random bits, URL-safe: the only thing that names a subscription in its callback URL."""
    return secrets.token_urlsafe(32)


def hand_over_or_cascade(collector: Any, field: Any, sub_objs: Any, using: str) -> None:
    """``on_delete`` of a subscription's managing connection: another connection sharing the
    subscription takes it over; a subscription nobody else shares is deleted with it.

    A subscription belongs to a Calendly scope, not to one connection: deleting the connection
    that happened to create it must not take it away from the others.
    """
    leaving = {obj.pk for obj in collector.data.get(Connection, ())}
    orphans = []
    for subscription in sub_objs:
        heir = (
            subscription.connections.exclude(pk__in=leaving)
            .exclude(status=Connection.Status.REVOKED)
            .order_by("pk")
            .first()
        )
        if heir is None:
            orphans.append(subscription)
        else:
            collector.add_field_update(field, heir, [subscription])
    if orphans:
        models.CASCADE(collector, field, orphans, using)


class WebhookSubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> WebhookSubscriptionQuerySet:
        """The subscriptions shared by a live connection ``user`` reaches (``models.tenancy``:
        their own, and for staff limited to their organizations those organizations'), and
        for those staff the organizations' own subscriptions."""
        viewer = viewer_for(user)
        if viewer.sees_everything:
            return self.all()
        reached = Connection.objects.filter(viewer.connections()).exclude(
            status=Connection.Status.REVOKED
        )
        through = WebhookSubscription.connections.through
        shared = through.objects.filter(connection__in=reached).values("webhooksubscription_id")
        return self.filter(
            models.Q(pk__in=shared) | models.Q(organization_id__in=viewer.staff_organization_ids)
        )

    def for_scope(
        self, scope: str, organization_uri: str, user_uri: str
    ) -> WebhookSubscriptionQuerySet:
        """The subscription of one Calendly scope (there is at most one)."""
        return self.filter(
            scope=scope,
            organization_uri=organization_uri,
            user_uri=user_uri if scope == WebhookSubscription.Scope.USER else "",
        )

    def active(self) -> WebhookSubscriptionQuerySet:
        return self.filter(state=WebhookSubscription.State.ACTIVE)


def shared_with(user: Any) -> models.QuerySet:
    """Ids of the subscriptions the user's live (not disconnected) connections share."""
    through = WebhookSubscription.connections.through
    return (
        through.objects.filter(connection__owner=user)
        .exclude(connection__status=Connection.Status.REVOKED)
        .values("webhooksubscription_id")
    )


class WebhookSubscription(models.Model):
    """One of Calendly's webhook subscriptions: one per Calendly scope, shared by every connection
    that sees that scope.

    Several site users may connect the same Calendly user (or admins of the same organization):
    Calendly would deliver every event once per subscription, so there is one row per scope
    (organization, or organization + user) and ``connections`` says who shares it. That set is the
    reference count: the subscription is deleted at Calendly when the last connection leaves it.
    ``connection`` is the one whose token manages it (creates, heals, deletes it and reads Calendly
    while processing its deliveries); it is always one of ``connections``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Being created at Calendly")
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled by Calendly")

    class Scope(models.TextChoices):
        USER = "user", _("User")
        ORGANIZATION = "organization", _("Organization")

    uri = models.CharField(
        _("Calendly URI"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Empty until Calendly has confirmed the subscription."),
    )
    connection = models.ForeignKey(
        Connection,
        on_delete=hand_over_or_cascade,
        related_name="managed_webhook_subscriptions",
        verbose_name=_("managing connection"),
        help_text=_("The connection whose token creates, heals and deletes it."),
    )
    connections = models.ManyToManyField(
        Connection,
        related_name="webhook_subscriptions",
        blank=True,
        verbose_name=_("connections"),
        help_text=_("Every connection that shares this subscription (its reference count)."),
    )
    token = models.CharField(
        _("callback token"),
        max_length=64,
        unique=True,
        default=new_callback_token,
        editable=False,
    )
    callback_url = models.URLField(_("callback URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.USER)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    organization_uri = models.CharField(_("organization URI"), max_length=255, blank=True)
    user_uri = models.CharField(_("user URI"), max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("organization"),
    )
    encrypted_signing_key = models.TextField(
        _("signing key (encrypted)"),
        blank=True,
        editable=False,
        help_text=_(
            "Set for personal-access-token subscriptions, whose key we chose; OAuth ones use "
            "the app's signing key."
        ),
    )
    raw = models.JSONField(_("raw data"), default=dict, blank=True, editable=False)
    calendly_created_at = models.DateTimeField(_("created at Calendly"), null=True, blank=True)
    calendly_updated_at = models.DateTimeField(_("updated at Calendly"), null=True, blank=True)
    retry_started_at = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        help_text=_("When Calendly started retrying failed deliveries (from Calendly)."),
    )
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    recreated_count = models.PositiveIntegerField(
        _("times recreated"),
        default=0,
        help_text=_("How often a disabled or vanished subscription was created again."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ("-created_at", "-pk")
        # Rows without an organization URI were never made by ``ensure_subscriptions`` (which
        # knows the scope before it saves) and name no scope to be unique in.
        constraints = (
            models.UniqueConstraint(
                fields=("scope", "organization_uri", "user_uri"),
                condition=~Q(organization_uri=""),
                name="calendly_webhook_sub_one_per_calendly_scope",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.user_uri or self.organization_uri} ({self.state})"

    def __repr__(self) -> str:
        # Never the token: it is what authenticates a delivery's URL.
        return (
            f"<WebhookSubscription pk={self.pk} connection_id={self.connection_id} "
            f"scope={self.scope} state={self.state} uri={self.uri!r}>"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if self.connection_id is not None:
            self.connections.add(self.connection_id)

    @property
    def signing_key(self) -> str:
        """The key we chose for this subscription ("" when it uses the app's key)."""
        if not self.encrypted_signing_key:
            return ""
        return crypto.decrypt(self.encrypted_signing_key)

    @signing_key.setter
    def signing_key(self, value: str) -> None:
        self.encrypted_signing_key = crypto.encrypt(value) if value else ""

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class WebhookDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> WebhookDeliveryQuerySet:
        """Deliveries to the subscriptions ``user`` may see; unlimited staff see every one,
        unmatched ones included."""
        if viewer_for(user).sees_everything:
            return self.all()
        return self.filter(subscription__in=WebhookSubscription.objects.visible_to(user))

    def failed(self) -> WebhookDeliveryQuerySet:
        return self.filter(status=WebhookDelivery.Status.FAILED)


class WebhookDelivery(models.Model):
    """One request that reached the receiver, as it arrived, and what became of it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")
        DUPLICATE = "duplicate", _("Duplicate of an earlier delivery")
        INVALID = "invalid", _("Invalid (rejected)")
        FAILED = "failed", _("Processing failed")
        IGNORED = "ignored", _("Ignored (event not handled)")
        MISROUTED = "misrouted", _("Misrouted (names another organization's objects)")

    class Signature(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALID = "invalid", _("Does not match")
        STALE = "stale", _("Timestamp outside the tolerance")
        MISSING = "missing", _("No signature header")
        NO_KEY = "no_key", _("No signing key configured")
        UNCHECKED = "unchecked", _("Not checked")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    body = models.BinaryField(_("raw body"), default=b"", blank=True)
    signature = models.CharField(
        _("signature"), max_length=16, choices=Signature.choices, default=Signature.UNCHECKED
    )
    # Not indexed: every index costs the receiver's one INSERT, and deliveries are filtered by
    # event or searched by URI only in the admin, over a table pruned to DELIVERY_RETENTION_DAYS.
    event = models.CharField(_("event"), max_length=64, blank=True)
    payload_uri = models.CharField(_("payload URI"), max_length=255, blank=True)
    event_created_at = models.CharField(
        _("event created at"),
        max_length=64,
        blank=True,
        help_text=_("The envelope's created_at, exactly as Calendly sent it."),
    )
    # NULL, not "", on duplicates: the unique constraint lets many NULLs through.
    dedupe_key = models.CharField(  # noqa: DJ001
        _("dedupe key"),
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Hash of event, payload URI and created_at; set on the first delivery only."),
    )
    duplicate_key = models.CharField(
        _("duplicate of key"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("The dedupe key this duplicate shares with the first delivery."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    attempts = models.PositiveIntegerField(_("processing attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ("-received_at", "-pk")
        indexes = (models.Index(fields=("status", "received_at"), name="calendly_delivery_status"),)
        # A constraint rather than unique=True: on PostgreSQL, unique=True on a CharField adds a
        # second (LIKE) index the dedupe lookup never uses, and the receiver pays for each index.
        constraints = (
            models.UniqueConstraint(fields=("dedupe_key",), name="calendly_delivery_dedupe_key"),
        )

    def __str__(self) -> str:
        return f"{self.event or '?'} {self.received_at:%Y-%m-%d %H:%M:%S} ({self.status})"

    @property
    def body_bytes(self) -> bytes:
        """The body as bytes (some backends hand a ``memoryview`` back)."""
        return bytes(self.body or b"")

    @property
    def body_text(self) -> str:
        """The body as text for a page: invalid UTF-8 and NUL shown as U+FFFD."""
        return safe_text(self.body_bytes.decode("utf-8", errors="replace"))

    def decoded_body(self) -> Any:
        """The body as JSON any page or API answer can show, or ``None`` when it is not strict
        JSON (too deep, NaN, not UTF-8: the receiver stored it as invalid); strings made safe.

        Every view of a stored delivery reads it through here, so no stored body, however odd,
        can break a list of deliveries.
        """
        try:
            return scrub(loads(self.body_bytes))
        except UntrustedJSONError:
            return None
