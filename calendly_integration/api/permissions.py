"""Permissions beyond "signed in": visibility itself comes from ``visible_to(user)`` querysets.

Write actions are checked by the services (the actor must act through the host's own connection
or an organization owner's or admin's, with the needed scope); what is left here is the staff-only
part of the API.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsStaff(BasePermission):
    """Active staff of the site (webhook deliveries hold raw payloads of every tenant)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.is_active)
