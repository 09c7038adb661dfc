"""Users: ``/users/me`` and ``/users/{uuid}`` (members of the caller's organization)."""

from __future__ import annotations

from . import errors
from .call import Call
from .messages import Response


def me(call: Call) -> Response:
    return call.resource(call.caller)


def get_user(call: Call) -> Response:
    uuid = call.params["uuid"]
    if uuid == "me":
        return me(call)
    user = call.store.users.get(uuid)
    if user is None:
        raise errors.not_found()
    if uuid != call.caller_uuid and not call.in_organization(user):
        raise errors.permission_denied()
    return call.resource(user)
