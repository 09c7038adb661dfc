"""``manage.py calendly_rotate_keys``: re-encrypt every stored token with the primary key.

To rotate: put a new key first in ``CALENDLY["TOKEN_ENCRYPTION_KEYS"]`` (keep the old ones after
it), deploy, run this command, then remove the old keys. Each row is locked while it is rewritten,
so a token refresh running at the same time cannot be overwritten with the older pair.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext

from calendly_integration.models import Connection
from calendly_integration.oauth import crypto
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
        if failed:
            raise CommandError(
                gettext(
                    "No configured key decrypts the tokens of connections %(ids)s; they were left "
                    "as they are."
                )
                % {"ids": ", ".join(map(str, failed))}
            )


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
