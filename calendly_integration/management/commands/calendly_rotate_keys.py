"""``manage.py calendly_rotate_keys``: re-encrypt every stored secret with the primary key.

The secrets are the connections' tokens and the signing keys of webhook subscriptions made with
personal access tokens (their deliveries could not be verified once the old key is removed).

To rotate: put a new key first in ``CALENDLY["TOKEN_ENCRYPTION_KEYS"]`` (keep the old ones after
it), deploy, run this command, then remove the old keys. Each row is locked while it is rewritten,
so a token refresh running at the same time cannot be overwritten with the older pair.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext

from calendly_integration import crypto
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.oauth.errors import TokenDecryptionError

TOKEN_COLUMNS = ("encrypted_access_token", "encrypted_refresh_token")


class Command(BaseCommand):
    help = "Re-encrypt every stored Calendly token with the first key of TOKEN_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Connection.objects.order_by("pk").values_list("pk", flat=True))
        rotated, failed = 0, []
        for connection_id in ids:
            try:
                rotated += rotate_connection(connection_id)
            except TokenDecryptionError:
                failed.append(connection_id)
        self.stdout.write(
            gettext("Re-encrypted %(tokens)d tokens of %(connections)d connections.")
            % {"tokens": rotated, "connections": len(ids)}
        )
        signing_keys, failed_subscriptions = 0, []
        subscription_ids = (
            WebhookSubscription.objects.exclude(encrypted_signing_key="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for subscription_id in list(subscription_ids):
            try:
                signing_keys += rotate_signing_key(subscription_id)
            except TokenDecryptionError:
                failed_subscriptions.append(subscription_id)
        self.stdout.write(
            gettext("Re-encrypted %(keys)d webhook signing keys.") % {"keys": signing_keys}
        )
        if failed_subscriptions:
            self.stderr.write(
                gettext(
                    "No configured key decrypts the signing keys of webhook subscriptions "
                    "%(ids)s; they were left as they are."
                )
                % {"ids": ", ".join(map(str, failed_subscriptions))}
            )
        if failed:
            raise CommandError(
                gettext(
                    "No configured key decrypts the tokens of connections %(ids)s; they were left "
                    "as they are."
                )
                % {"ids": ", ".join(map(str, failed))}
            )
        if failed_subscriptions:
            raise CommandError(gettext("Some webhook signing keys could not be re-encrypted."))


def rotate_connection(connection_id: int) -> int:
    """Re-encrypt one connection's tokens under its row lock; returns how many were rewritten."""
    with transaction.atomic():
        connection = Connection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            return 0
        changed = []
        for column in TOKEN_COLUMNS:
            ciphertext = getattr(connection, column)
            if ciphertext:
                setattr(connection, column, crypto.rotate(ciphertext))
                changed.append(column)
        if changed:
            connection.save(update_fields=changed)
        return len(changed)


def rotate_signing_key(subscription_id: int) -> int:
    """Re-encrypt one webhook subscription's signing key under its row lock; returns 0 or 1."""
    with transaction.atomic():
        subscription = (
            WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
        )
        if subscription is None or not subscription.encrypted_signing_key:
            return 0
        subscription.encrypted_signing_key = crypto.rotate(subscription.encrypted_signing_key)
        subscription.save(update_fields=["encrypted_signing_key"])
        return 1
