"""A site user's link to one Calendly user, with the tokens that act for them.

Tokens are stored encrypted (see ``calendly_integration.crypto``): the columns hold Fernet ciphertext
only, and the plaintext exists only while a property is read. Everything else about tokens (refreshing under a lock,
revoking) lives in the ``oauth`` package; this model only stores and describes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendly_integration import crypto
from calendly_integration.models.tenancy import viewer_for


class ConnectionQuerySet(models.QuerySet):
    def for_user(self, user: models.Model | None) -> ConnectionQuerySet:
        """The connections ``user`` owns; none for an anonymous user.

        Every view and API endpoint starts from this, so one user never reaches another's
        connection (they get a 404, not a 403 that would confirm it exists).
        """
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)

    def visible_to(self, user: models.Model | None) -> ConnectionQuerySet:
        """The connections ``user`` may see: their own; unlimited staff every one, staff limited to
        their organizations those of their organizations too (``models.tenancy``).

        The admin and the staff views start from this; the pages and API that act as a user
        (connect, disconnect, sync your own) keep ``for_user``.
        """
        viewer = viewer_for(user)
        if viewer.sees_everything:
            return self.all()
        return self.filter(viewer.connections())

    def active(self) -> ConnectionQuerySet:
        return self.filter(status=Connection.Status.ACTIVE)


class Connection(models.Model):
    """One (site user, Calendly user) pair: OAuth or a personal access token."""

    class Kind(models.TextChoices):
        OAUTH = "oauth", _("OAuth")
        PAT = "pat", _("Personal access token")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NEEDS_REAUTH = "needs_reauth", _("Needs reconnecting")
        REVOKED = "revoked", _("Disconnected")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendly_connections",
        verbose_name=_("owner"),
    )
    calendly_user_uri = models.CharField(_("Calendly user URI"), max_length=255)
    organization_uri = models.CharField(_("organization URI"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    email = models.EmailField(_("email"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OAUTH)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    scopes = models.TextField(
        _("granted scopes"),
        blank=True,
        help_text=_("Space-separated, as Calendly granted them; empty means full access."),
    )
    encrypted_access_token = models.TextField(
        _("access token (encrypted)"), blank=True, editable=False
    )
    encrypted_refresh_token = models.TextField(
        _("refresh token (encrypted)"), blank=True, editable=False
    )
    expires_at = models.DateTimeField(_("access token expires at"), null=True, blank=True)
    last_refreshed_at = models.DateTimeField(_("last refreshed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    webhooks_paused_at = models.DateTimeField(
        _("webhooks paused at"),
        null=True,
        blank=True,
        help_text=_(
            "When staff last deleted one of this connection's webhook subscriptions on purpose. "
            "The periodic check leaves the deleted scopes alone until someone ensures them again."
        ),
    )
    webhooks_paused_scopes = models.JSONField(
        _("webhook scopes paused"),
        default=list,
        blank=True,
        help_text=_(
            "The subscription scopes (user, organization) staff deleted on purpose; the periodic "
            "check still heals the others."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Calendly connection")
        verbose_name_plural = _("Calendly connections")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("owner", "calendly_user_uri"),
                name="calendly_connection_unique_owner_user",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name or self.email or self.calendly_user_uri} ({self.get_status_display()})"

    def __repr__(self) -> str:
        return (
            f"<Connection pk={self.pk} owner_id={self.owner_id} kind={self.kind} "
            f"status={self.status} calendly_user_uri={self.calendly_user_uri!r}>"
        )

    @property
    def access_token(self) -> str:
        """The decrypted access token ("" when there is none)."""
        return crypto.decrypt(self.encrypted_access_token) if self.encrypted_access_token else ""

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.encrypted_access_token = crypto.encrypt(value) if value else ""

    @property
    def refresh_token(self) -> str:
        """The decrypted refresh token ("" for personal access tokens and wiped connections)."""
        return crypto.decrypt(self.encrypted_refresh_token) if self.encrypted_refresh_token else ""

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.encrypted_refresh_token = crypto.encrypt(value) if value else ""

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        """The granted scopes, or ``None`` for full access (older apps, personal access tokens)."""
        scopes = frozenset(self.scopes.split())
        return scopes or None

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def needs_reauth(self) -> bool:
        return self.status == self.Status.NEEDS_REAUTH

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED

    def expires_within(self, seconds: float, *, now: datetime | None = None) -> bool:
        """Whether the access token expires within ``seconds`` (never, for tokens without expiry)."""
        if self.kind == self.Kind.PAT or self.expires_at is None:
            return False
        now = now or timezone.now()
        return self.expires_at <= now + timedelta(seconds=seconds)

    def wipe_tokens(self) -> None:
        """Forget both tokens (the caller saves)."""
        self.encrypted_access_token = ""
        self.encrypted_refresh_token = ""
        self.expires_at = None
