"""The request pipeline: record, inject faults, authenticate, rate-limit, check scopes, handle.

Everything the HTTP server receives goes through ``Application.handle``, which returns a plain
``Response``; the server only moves bytes. The order mirrors Calendly's: an unknown path is a
404 with or without a token, a bad token a 401 charged to an anonymous budget rather than a user's,
and the scope check comes before the handler can reveal whether a resource exists.
"""

from __future__ import annotations

import html
import logging
import time
from typing import TYPE_CHECKING

from . import booking, errors, inputs, invitee_console, routing
from .call import Call
from .messages import RecordedRequest, Request, Response
from .oauth import OAuthServer, render_page
from .ratelimit import Budget
from .scopes import missing_scopes
from .tokens import AccessToken

if TYPE_CHECKING:
    from .context import SimContext
    from .faults import Fault

logger = logging.getLogger("calendly_integration.testing.simulator")


class Application:
    def __init__(self, sim: SimContext) -> None:
        self.sim = sim
        self.oauth = OAuthServer(sim)

    def handle(self, request: Request) -> Response:
        recorded = self._record(request)
        try:
            response = self._respond(request)
        except Exception:
            # A bug, not the client's fault: say so in Calendly's words rather than hang up.
            logger.exception("Simulator failed for %s %s", request.method, request.path)
            response = Response.json(500, errors.server_error().body())
        recorded.status = response.status
        return response

    def _respond(self, request: Request) -> Response:
        is_oauth = request.path.startswith("/oauth/")
        is_console = invitee_console.is_console_path(request.path)
        is_page = is_console or booking.is_booking_path(self.sim, request.path)
        fault = None if is_page else self.sim.faults.take(is_oauth)
        if fault is not None:
            injected = self._apply_fault(fault)
            if injected is not None:
                return injected
        refused = self._refuse_malformed(request, is_oauth, is_page)
        if refused is not None:
            return refused
        if is_oauth:
            return self.oauth.handle(request)
        if is_console:
            return invitee_console.handle(self.sim, request)
        if is_page:
            return booking.handle(self.sim, request)
        return self._api(request)

    @staticmethod
    def _fields(request: Request) -> list[tuple[str, str]]:
        fields = [("path", request.path)]
        fields += [(key, value) for key, values in request.query.items() for value in values]
        if request.content_type == "application/x-www-form-urlencoded":
            fields += list(request.form().items())
        return fields

    def _refuse_malformed(self, request: Request, is_oauth: bool, is_page: bool) -> Response | None:
        """A 400 for text no Calendly endpoint takes (NUL, lone surrogates, absurd lengths).

        API requests are checked later, after authentication, so a bad token is still a 401.
        """
        if not (is_oauth or is_page):
            return None
        bad = inputs.bad_field(self._fields(request))
        if bad is None:
            return None
        if is_oauth:
            return Response.json(
                400, {"error": "invalid_request", "error_description": f"{bad[0]} {bad[1]}."}
            )
        return Response.html(
            400, render_page("Bad request", f"<p>{html.escape(bad[0])} {html.escape(bad[1])}.</p>")
        )

    def _record(self, request: Request) -> RecordedRequest:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        form = (
            request.form() if request.content_type == "application/x-www-form-urlencoded" else None
        )
        recorded = RecordedRequest(
            request.method,
            request.path,
            {k: list(v) for k, v in request.query.items()},
            request.try_json(),
            headers,
            {k: [v] for k, v in form.items()} if form is not None else None,
        )
        with self.sim.requests_lock:
            self.sim.requests.append(recorded)
        return recorded

    def _apply_fault(self, fault: Fault) -> Response | None:
        if fault.kind == "slow":
            time.sleep(float(fault.params["seconds"]))
            return None
        if fault.kind == "drop":
            return Response(0, drop_connection=True, injected=True)
        if fault.kind == "malformed":
            return Response(
                200,
                b"<html><body>502 Bad Gateway (injected: not JSON)</body>",
                content_type="text/html",
                injected=True,
            )
        if fault.kind == "rate_limit":
            retry_after = fault.params["retry_after"]
            seconds = str(max(0, round(float(retry_after))))
            error = errors.rate_limited(int(seconds), self.sim.limiter.limit)
            response = Response.json(429, error.body())
            response.headers.update(
                {
                    "Retry-After": seconds,
                    "X-RateLimit-Limit": str(self.sim.limiter.limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": seconds,
                }
            )
            response.injected = True
            return response
        status = int(fault.params.get("status", 500))
        if status >= 500:
            body = errors.server_error().body()
        else:
            body = {"title": "Injected Error", "message": f"Injected failure ({status})."}
        response = Response.json(status, body)
        response.injected = True
        return response

    def _authenticate(self, request: Request) -> AccessToken:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.unauthenticated()
        now = self.sim.now().timestamp()
        with self.sim.tokens.lock:
            record = self.sim.tokens.access.get(token.strip())
        if record is None or record.revoked:
            raise errors.unauthenticated()
        if record.expires_at is not None and now >= record.expires_at:
            raise errors.unauthenticated("The access token expired")
        if record.user_uuid not in self.sim.store.users:
            raise errors.unauthenticated()
        return record

    def _api(self, request: Request) -> Response:
        found = routing.match(request.method, request.path)
        budget: Budget | None = None
        try:
            try:
                token = self._authenticate(request)
            except errors.ApiError:
                budget = self.sim.limiter.hit("anonymous")
                if found is None:
                    raise errors.not_found() from None
                raise
            budget = self.sim.limiter.hit(f"user:{token.user_uuid}")
            if not budget.allowed:
                raise errors.rate_limited(budget.reset, budget.limit)
            if found is None:
                raise errors.not_found()
            route, params = found
            missing = missing_scopes(token.scopes, route.scopes)
            if missing:
                raise errors.insufficient_scope(missing)
            bad = inputs.bad_field(self._fields(request))
            if bad is not None:
                raise errors.invalid_argument(bad)
            call = Call(self.sim, request, token, params)
            with self.sim.store.lock:
                response = route.handler(call)
        except errors.ApiError as error:
            response = Response.json(error.status, error.body(), error.headers)
        except Exception:
            logger.exception("Simulator handler failed for %s %s", request.method, request.path)
            response = Response.json(500, errors.server_error().body())
        if budget is not None:
            response.headers.update(budget.headers())
        if self.sim.validator is not None:
            self.sim.validator.check(request, response, found[0].template if found else None)
        return response
