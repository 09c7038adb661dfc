"""allauth signal receivers: a Calendly login stores its tokens in a ``Connection``; removing the
social account disconnects it.

Signals rather than adapter methods, so this works whatever adapter the host site uses. Each allauth
path that ends with a known site user has its signal: ``user_signed_up`` (new user),
``social_account_added`` (connected to a signed-in user) and ``social_account_updated`` (an existing
account logged in again, or was reconnected).
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from allauth.socialaccount.signals import (
    social_account_added,
    social_account_removed,
    social_account_updated,
)
from django.contrib import messages
from django.dispatch import receiver

from calendly_integration.oauth.connect import also_connected_notice, connect_social_login
from calendly_integration.oauth.disconnect import disconnect_social_account
from calendly_integration.providers.calendly.adapter import PROVIDER_ID


def _is_calendly(sociallogin: Any) -> bool:
    return sociallogin is not None and sociallogin.account.provider == PROVIDER_ID


@receiver(user_signed_up, dispatch_uid="calendly_integration.signed_up")
@receiver(social_account_added, dispatch_uid="calendly_integration.account_added")
def store_login_tokens(
    sender: Any, request: Any = None, sociallogin: Any = None, **kwargs: Any
) -> None:
    if _is_calendly(sociallogin):
        _tell_if_shared(request, connect_social_login(sociallogin))


@receiver(social_account_updated, dispatch_uid="calendly_integration.account_updated")
def store_refreshed_login_tokens(
    sender: Any, request: Any = None, sociallogin: Any = None, **kwargs: Any
) -> None:
    if not _is_calendly(sociallogin):
        return
    # While connecting, an account that belongs to someone else is refused by allauth after this
    # signal; the signed-in user must not touch that owner's connection meanwhile.
    signed_in = getattr(request, "user", None)
    if (
        sociallogin.state.get("process") == "connect"
        and signed_in is not None
        and signed_in.pk != sociallogin.user.pk
    ):
        return
    _tell_if_shared(request, connect_social_login(sociallogin))


def _tell_if_shared(request: Any, connection: Any) -> None:
    """Say so when the Calendly account just connected is connected by another site user too."""
    if request is None or connection is None:
        return
    notice = also_connected_notice(connection, getattr(request, "user", None))
    if notice:
        messages.info(request, notice, fail_silently=True)


@receiver(social_account_removed, dispatch_uid="calendly_integration.account_removed")
def disconnect_removed_account(
    sender: Any, request: Any = None, socialaccount: Any = None, **kwargs: Any
) -> None:
    if socialaccount is not None and socialaccount.provider == PROVIDER_ID:
        disconnect_social_account(socialaccount)
