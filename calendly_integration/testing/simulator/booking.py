"""A tiny booking page behind single-use scheduling links (``<sim.url>/d/<code>/<slug>``).

It lets the offline demo (and a test) follow a ``booking_url`` end to end: the page lists the
next open slots, a POST books one (sending ``invitee.created``), and the link is then spent,
as Calendly's single-use links are.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import TYPE_CHECKING

from . import actions
from .availability import open_slots
from .messages import Request, Response
from .oauth import render_page
from .timeutil import parse_iso

if TYPE_CHECKING:
    from .context import SimContext


def is_booking_path(path: str) -> bool:
    return path.startswith("/d/")


def handle(sim: SimContext, request: Request) -> Response:
    parts = [part for part in request.path.split("/") if part]
    store = sim.store
    with store.lock:
        link = store.scheduling_links.get(parts[1]) if len(parts) >= 2 else None
        if link is None:
            return Response.html(404, render_page("Page not found", "<p>No such booking link.</p>"))
        if link["used"]:
            return Response.html(
                410, render_page("Link expired", "<p>This single-use link was already used.</p>")
            )
        event_type = store.event_types[link["event_type_uuid"]]
        if request.method == "POST":
            form = request.form()
            try:
                start = parse_iso(form.get("start_time", ""))
                name, email = form.get("name", "").strip(), form.get("email", "").strip()
                if not name or "@" not in email:
                    raise actions.ActionError("name and email are required")
                invitee = actions.book(sim, link["event_type_uuid"], start, name=name, email=email)
            except (ValueError, actions.ActionError) as error:
                return Response.html(
                    400, render_page("Cannot book", f"<p>{html.escape(str(error))}</p>")
                )
            link["used"] = True
            return Response.html(
                200,
                render_page(
                    "You are scheduled",
                    f"<p>{html.escape(event_type['name'])} at {html.escape(invitee['created_at'])}"
                    f" is booked for {html.escape(name)}.</p>"
                    f'<p data-invitee-uri="{html.escape(invitee["uri"])}">Confirmation sent.</p>',
                ),
            )
        now = sim.now()
        slots = open_slots(store, event_type, now + timedelta(hours=1), now + timedelta(days=7))
    options = "".join(
        f'<label><input type="radio" name="start_time" value="{slot["start_time"]}"'
        f"{' checked' if index == 0 else ''}> {slot['start_time']}</label><br>"
        for index, slot in enumerate(slots[:24])
    )
    name = html.escape(request.param("name") or "")
    email = html.escape(request.param("email") or "")
    body = (
        f"<p>{html.escape(event_type['name'])} ({event_type['duration']} min) with "
        f"{html.escape(event_type['profile']['name'])}</p>"
        f'<form method="post">{options or "<p>No open times this week.</p>"}'
        f'<p><label>Name <input name="name" value="{name}"></label></p>'
        f'<p><label>Email <input name="email" value="{email}"></label></p>'
        '<p><button type="submit">Schedule event</button></p></form>'
    )
    return Response.html(200, render_page("Select a time", body))
