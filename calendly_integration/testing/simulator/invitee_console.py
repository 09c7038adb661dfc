"""The "act as an invitee" console (``<sim.url>/console/``): book, cancel, reschedule, no-shows.

The offline demo needs someone on Calendly's side of the table: this page lists an organization's
event types with a booking form (open slots only, as Calendly's own booking page offers) and the
upcoming invitees with Cancel, Reschedule and no-show buttons. Every button goes through
``invitees`` (``book``, ``cancel``, ``reschedule``, ``mark_no_show``, ``unmark_no_show``), as the
simulator's public methods do, so the webhooks go out signed exactly as they do in tests.

Plain server-rendered HTML that works without JavaScript; every value shown is escaped. Bad input
answers 400 with a sentence saying what to fix; an unknown event type or invitee is a 404. A POST
whose ``Origin`` is another site is refused, so a page elsewhere cannot act through a browser.

With several seeded organizations the overview shows one at a time, picked with a select
(``?organization=<uuid>``, the first by default); booking and invitee pages work for any of them.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import invitees
from .availability import open_slots
from .messages import Request, Response
from .state import Roster
from .timeutil import parse_iso, readable

if TYPE_CHECKING:
    from .context import SimContext

PREFIX = "/console"
SLOT_DAYS = 7
MAX_SLOTS = 40
DEFAULT_LIMIT = 25

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;"
    "color:#1a1a1a;line-height:1.4}table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}"
    "form.inline{display:inline-flex;gap:.3rem;margin:.1rem 0}input,select,button{font-size:.95rem}"
    "button{padding:.25rem .7rem}.notice{background:#eef6ee;border:1px solid #8c8;padding:.6rem}"
    ".problem{background:#fdeeee;border:1px solid #d88;padding:.6rem}"
    "fieldset{border:1px solid #ccc;max-height:18rem;overflow:auto}"
)


class ConsoleError(Exception):
    """Input the console cannot act on; ``status`` is the answer's HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def is_console_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def handle(sim: SimContext, request: Request) -> Response:
    """Route one console request; every outcome is an HTML page."""
    parts = [part for part in request.path[len(PREFIX) :].split("/") if part]
    try:
        if request.method == "POST":
            _check_origin(request)
            return _post(sim, request, parts)
        if request.method not in ("GET", "HEAD"):
            raise ConsoleError("Use GET to read the console and POST to act.", 405)
        if not parts:
            return Response.html(200, _page("Act as an invitee", _overview(sim, request)))
        if len(parts) == 2 and parts[0] == "book":
            return Response.html(200, _page("Book a time", _booking_form(sim, parts[1])))
        if len(parts) == 4 and parts[0] == "invitees" and parts[3] == "reschedule":
            return Response.html(200, _page("Reschedule", _reschedule_form(sim, parts[1:3])))
        raise ConsoleError("There is no such console page.", 404)
    except ConsoleError as error:
        body = f'<p class="problem" role="alert">{_e(str(error))}</p>' + _back()
        return Response.html(error.status, _page("Cannot do that", body))


def _post(sim: SimContext, request: Request, parts: list[str]) -> Response:
    form = request.form()
    if len(parts) == 2 and parts[0] == "book":
        event_type = _event_type(sim, parts[1])
        name, email = form.get("name", "").strip(), form.get("email", "").strip()
        if not name:
            raise ConsoleError("Enter the invitee's name.")
        if "@" not in email or any(ch.isspace() for ch in email):
            raise ConsoleError("Enter a valid email address for the invitee.")
        start = _open_start(sim, event_type, form.get("start_time", ""))
        uri = _act(lambda: invitees.book(sim, event_type["uri"], start, name=name, email=email))
        when = _when(start, _zone_of(sim, event_type))
        return _done(f"Booked {event_type['name']} for {name}: {when}.", uri)
    if len(parts) == 4 and parts[0] == "invitees":
        invitee, event = _invitee(sim, parts[1:3])
        action = parts[3]
        if action == "cancel":
            reason = form.get("reason", "").strip()[:500]
            _act(lambda: invitees.cancel(sim, invitee["uri"], reason=reason))
            return _done(f"Canceled {invitee['name']}'s {event['name']}.", invitee["uri"])
        if action == "reschedule":
            event_type = _event_type(sim, event["event_type"].rsplit("/", 1)[1])
            start = _open_start(sim, event_type, form.get("start_time", ""))
            uri = _act(lambda: invitees.reschedule(sim, invitee["uri"], start))
            return _done(
                f"Moved {invitee['name']} to {_when(start, _zone_of(sim, event_type))}.", uri
            )
        if action == "no-show":
            _act(lambda: invitees.mark_no_show(sim, invitee["uri"]))
            return _done(f"Marked {invitee['name']} as a no-show.", invitee["uri"])
        if action == "unmark-no-show":
            _act(lambda: invitees.unmark_no_show(sim, invitee["uri"]))
            return _done(f"{invitee['name']} is no longer a no-show.", invitee["uri"])
    raise ConsoleError("There is no such console action.", 404)


def _check_origin(request: Request) -> None:
    origin = request.header("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != (request.header("Host") or ""):
        raise ConsoleError("This form can only be sent from the simulator's own pages.", 403)


def _act(action: Any) -> Any:
    """Run a simulator method; the refusals it raises (ValueError) become a 400."""
    try:
        return action()
    except ValueError as error:
        raise ConsoleError(f"The simulator refused: {error}.") from None


# Lookups.


def _event_type(sim: SimContext, uuid: str) -> dict[str, Any]:
    with sim.store.lock:
        event_type = sim.store.event_types.get(uuid)
        if event_type is None:
            raise ConsoleError("There is no such event type.", 404)
        return sim.store.copy(event_type)


def _invitee(sim: SimContext, ids: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    store = sim.store
    with store.lock:
        invitee = store.invitee_by_uri(f"{store.base}/scheduled_events/{ids[0]}/invitees/{ids[1]}")
        if invitee is None:
            raise ConsoleError("There is no such invitee.", 404)
        return store.copy(invitee), store.copy(store.events[ids[0]])


def _slots(sim: SimContext, event_type: dict[str, Any]) -> list[str]:
    now = sim.now()
    with sim.store.lock:
        slots = open_slots(sim.store, event_type, now, now + timedelta(days=SLOT_DAYS))
    return [slot["start_time"] for slot in slots[:MAX_SLOTS]]


def _open_start(sim: SimContext, event_type: dict[str, Any], value: str) -> datetime:
    """The chosen start time, which must still be open (someone may have taken it meanwhile)."""
    if not value:
        raise ConsoleError("Pick a start time.")
    try:
        start = parse_iso(value)
    except ValueError:
        raise ConsoleError("The start time is not a valid ISO 8601 time.") from None
    if start.tzinfo is None:
        raise ConsoleError("The start time needs a time zone (UTC times end in Z).")
    if start not in {parse_iso(slot) for slot in _slots(sim, event_type)}:
        raise ConsoleError("That time is not open any more; pick another one.")
    return start


# Pages.


def _overview(sim: SimContext, request: Request) -> str:
    try:
        limit = max(1, min(500, int(request.param("limit") or DEFAULT_LIMIT)))
    except ValueError:
        raise ConsoleError("limit must be a whole number.") from None
    store = sim.store
    now = sim.now()
    roster = _organization(sim, request)
    with store.lock:
        owner_uri = store.users[roster.owner_uuid]["uri"]

        def in_org(user_uri: str) -> bool:
            return store.organization_uuid_of(user_uri.rsplit("/", 1)[1]) == roster.uuid

        event_types = sorted(
            (
                et
                for et in store.event_types.values()
                if et["active"] and in_org(et["profile"]["owner"])
            ),
            key=lambda et: (et["profile"]["owner"] != owner_uri, et["profile"]["name"], et["name"]),
        )
        upcoming = sorted(
            (
                (event, invitee)
                for event in store.events.values()
                if event["status"] == "active"
                and parse_iso(event["start_time"]) >= now
                and in_org(store.host_uri(event))
                for invitee in (
                    store.invitees[i] for i in store.event_invitees.get(_uuid(event), [])
                )
                if invitee["status"] == "active"
            ),
            key=lambda pair: (pair[0]["start_time"], pair[1]["uri"]),
        )
        type_rows = "".join(
            f"<tr><td>{_e(et['name'])}</td><td>{_e(et['profile']['name'])}</td>"
            f"<td>{_e(et['duration'])} min</td><td>{_e(et['kind'])}</td>"
            f'<td><a href="{PREFIX}/book/{_e(_uuid(et))}/">Book</a></td></tr>'
            for et in event_types
        )
        invitee_rows = "".join(_invitee_row(event, inv) for event, inv in upcoming[:limit])
        deliveries = list(sim.webhooks.deliveries)[-10:]
    several = len(store.organizations) > 1
    org_query = f"&amp;organization={_e(roster.uuid)}" if several else ""
    more = (
        f'<p><a href="{PREFIX}/?limit={limit + 50}{org_query}">Show more</a></p>'
        if len(upcoming) > limit
        else ""
    )
    delivery_rows = "".join(
        f"<tr><td>{_e(d.event)}</td><td>{_e(d.url)}</td>"
        f"<td>{_e(d.status_code if d.status_code is not None else d.error)}</td></tr>"
        for d in reversed(deliveries)
    )
    return (
        "<p>Everything here happens on Calendly's side, as an invitee would do it; the "
        "connected site hears about it through signed webhooks.</p>"
        + (_organization_picker(sim, roster.uuid) if several else "")
        + '<nav aria-label="On this page"><p><a href="#upcoming">Upcoming invitees</a> · '
        '<a href="#event-types">Book an event type</a> · '
        '<a href="#deliveries">Latest webhook deliveries</a></p></nav>'
        '<h2 id="upcoming">Upcoming invitees</h2>'
        f"<p>{len(upcoming)} upcoming, the {min(limit, len(upcoming))} soonest shown.</p>"
        "<table><thead><tr><th scope='col'>When (UTC)</th><th scope='col'>Event</th>"
        "<th scope='col'>Invitee</th><th scope='col'>Actions</th></tr></thead>"
        f"<tbody>{invitee_rows}</tbody></table>{more}"
        '<h2 id="event-types">Event types</h2>'
        "<table><thead><tr><th scope='col'>Event type</th><th scope='col'>Host</th>"
        "<th scope='col'>Length</th><th scope='col'>Kind</th><th scope='col'></th></tr></thead>"
        f"<tbody>{type_rows}</tbody></table>"
        '<h2 id="deliveries">Latest webhook deliveries</h2>'
        + (
            "<table><thead><tr><th scope='col'>Event</th><th scope='col'>To</th>"
            f"<th scope='col'>Answer</th></tr></thead><tbody>{delivery_rows}</tbody></table>"
            if delivery_rows
            else "<p>None yet: the site subscribes when someone connects Calendly.</p>"
        )
    )


def _organization(sim: SimContext, request: Request) -> Roster:
    """The organization the overview shows: ``?organization=<uuid>``, else the first."""
    store = sim.store
    wanted = request.param("organization") or store.organization_uuid
    roster = store.organizations.get(wanted)
    if roster is None:
        raise ConsoleError("There is no such organization.", 404)
    return roster


def _organization_picker(sim: SimContext, selected: str) -> str:
    options = "".join(
        f'<option value="{_e(uuid)}"{" selected" if uuid == selected else ""}>'
        f"{_e(roster.resource['name'])}</option>"
        for uuid, roster in sim.store.organizations.items()
    )
    return (
        f'<form method="get" action="{PREFIX}/"><label>Organization '
        f'<select name="organization">{options}</select></label> '
        "<button>Show</button></form>"
    )


def _invitee_row(event: dict[str, Any], invitee: dict[str, Any]) -> str:
    base = f"{PREFIX}/invitees/{_e(_uuid(event))}/{_e(_uuid(invitee))}"
    label = _e(invitee["name"])
    no_show = (
        f'<form class="inline" method="post" action="{base}/unmark-no-show/">'
        f'<button aria-label="Unmark {label} as a no-show">Unmark no-show</button></form>'
        if invitee["no_show"]
        else f'<form class="inline" method="post" action="{base}/no-show/">'
        f'<button aria-label="Mark {label} as a no-show">Mark no-show</button></form>'
    )
    return (
        f"<tr><td>{_e(_when(parse_iso(event['start_time'])))}</td><td>{_e(event['name'])}<br>"
        f"<small>with {_e(event['event_memberships'][0].get('user_name', ''))}</small></td>"
        f"<td>{label}<br><small>{_e(invitee['email'])}</small>"
        f"{' <strong>no-show</strong>' if invitee['no_show'] else ''}</td><td>"
        f'<form class="inline" method="post" action="{base}/cancel/">'
        f'<label>Reason <input name="reason" size="14"></label>'
        f'<button aria-label="Cancel {label}">Cancel</button></form> '
        f'<a href="{base}/reschedule/">Reschedule</a> {no_show}</td></tr>'
    )


def _slot_fieldset(slots: list[str], zone: str) -> str:
    if not slots:
        return f"<p>No open times in the next {SLOT_DAYS} days.</p>"
    options = "".join(
        f'<label><input type="radio" name="start_time" value="{_e(slot)}"'
        f"{' checked' if index == 0 else ''}> {_e(_when(parse_iso(slot), zone))}</label><br>"
        for index, slot in enumerate(slots)
    )
    return f"<fieldset><legend>Start time (in {_e(zone)})</legend>{options}</fieldset>"


def _booking_form(sim: SimContext, uuid: str) -> str:
    event_type = _event_type(sim, uuid)
    if not event_type["active"]:
        raise ConsoleError("This event type is not active.")
    return (
        f"<p>{_e(event_type['name'])} ({_e(event_type['duration'])} min) with "
        f"{_e(event_type['profile']['name'])}</p>"
        f'<form method="post" action="{PREFIX}/book/{_e(uuid)}/">'
        f"{_slot_fieldset(_slots(sim, event_type), _zone_of(sim, event_type))}"
        '<p><label>Name <input name="name" required autocomplete="name"></label></p>'
        '<p><label>Email <input name="email" type="email" required autocomplete="email">'
        "</label></p><p><button>Book</button></p></form>" + _back()
    )


def _reschedule_form(sim: SimContext, ids: list[str]) -> str:
    invitee, event = _invitee(sim, ids)
    if invitee["status"] != "active":
        raise ConsoleError("This invitee is canceled; there is nothing to reschedule.")
    event_type = _event_type(sim, event["event_type"].rsplit("/", 1)[1])
    return (
        f"<p>{_e(invitee['name'])}: {_e(event['name'])} at "
        f"{_e(_when(parse_iso(event['start_time'])))}</p>"
        f'<form method="post" action="{PREFIX}/invitees/{_e(ids[0])}/{_e(ids[1])}/reschedule/">'
        f"{_slot_fieldset(_slots(sim, event_type), _zone_of(sim, event_type))}"
        "<p><button>Reschedule</button></p></form>" + _back()
    )


def _done(message: str, invitee_uri: str) -> Response:
    body = (
        f'<p class="notice" role="status" data-invitee-uri="{_e(invitee_uri)}">{_e(message)}</p>'
        "<p>The webhook is on its way to every subscribed site.</p>" + _back()
    )
    return Response.html(200, _page("Done", body))


def _back() -> str:
    return f'<p><a href="{PREFIX}/">Back to the console</a></p>'


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)} - Calendly simulator</title><style>{STYLE}</style></head><body>"
        f"<header><p><strong>Calendly simulator</strong> · acting as an invitee</p></header>"
        f"<main><h1>{_e(title)}</h1>{body}</main></body></html>"
    )


def _uuid(resource: dict[str, Any]) -> str:
    return str(resource["uri"]).rsplit("/", 1)[1]


def _when(moment: datetime, zone: str | None = None) -> str:
    """Readable, in the host's zone on booking forms (as Calendly shows them), else UTC."""
    return readable(moment, zone)


def _zone_of(sim: SimContext, event_type: dict[str, Any]) -> str:
    with sim.store.lock:
        host = sim.store.user_by_uri(event_type["profile"]["owner"])
        return host["timezone"] if host else "UTC"


def _e(value: Any) -> str:
    return html.escape(str(value))
