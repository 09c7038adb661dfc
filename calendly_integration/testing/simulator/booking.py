"""Calendly's public booking pages: every URL an invitee can open to book, with prefill.

Three kinds of URL lead to the same page, as on Calendly:

- an event type's ``scheduling_url`` (``<sim.url>/<user slug>/<event type slug>``, or
  ``<sim.url>/d/<slug>/<name>`` for a one-off meeting), bookable any number of times;
- a single-use link's ``booking_url`` (``<sim.url>/d/<code>/<slug>``), spent by one booking;
- either one followed by a start time (the ``scheduling_url`` of an available time), which
  opens the page with that time chosen.

``<sim.url>/<user slug>`` lists the user's active event types. The page honours Calendly's
prefill parameters (``name``, ``email``, ``first_name``, ``last_name``, ``a1``..``a10`` answering
the event type's enabled custom questions in order, the UTM and ``salesforce_uuid`` tracking, and
``month``/``date`` to open the calendar at); others (``hide_gdpr_banner``, ...) are ignored. A POST
books through ``actions.book``, so the invitee carries those values and the same signed
``invitee.created`` webhook goes out as for any other booking. Times are shown in the host's zone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from . import actions
from .availability import open_slots
from .messages import Request, Response
from .oauth import render_page
from .objects import TRACKING_KEYS
from .timeutil import iso, parse_iso, readable

if TYPE_CHECKING:
    from .context import SimContext

SLOT_DAYS = 7
MAX_SLOTS = 40
MAX_ANSWERS = 10
MAX_TEXT = 255


class BookingError(Exception):
    """What the invitee must fix (400), or a page that is not there (404) or spent (410)."""

    def __init__(self, message: str, status: int = 400, title: str = "Cannot book") -> None:
        super().__init__(message)
        self.status = status
        self.title = title


@dataclass(frozen=True)
class Target:
    """What a booking URL points at: an event type, maybe through a single-use link."""

    event_type: dict[str, Any]
    link_code: str | None = None
    chosen: datetime | None = None


def is_booking_path(sim: SimContext, path: str) -> bool:
    """``/d/...`` or a path under a user's scheduling page (never an API collection)."""
    if path.startswith("/d/"):
        return True
    parts = _parts(path)
    if not 1 <= len(parts) <= 3:
        return False
    with sim.store.lock:
        return any(user["slug"] == parts[0] for user in sim.store.users.values())


def handle(sim: SimContext, request: Request) -> Response:
    try:
        if request.method not in ("GET", "HEAD", "POST"):
            raise BookingError("Open this page to book, and send its form to confirm.", 405)
        parts = _parts(request.path)
        if len(parts) == 1 and not request.path.startswith("/d/"):
            return Response.html(200, _user_page(sim, parts[0]))
        target = _target(sim, parts)
        if request.method == "POST":
            return _book(sim, target, _form(request))
        return Response.html(200, _booking_page(sim, target, _prefill(request)))
    except BookingError as error:
        return Response.html(error.status, render_page(error.title, f"<p>{_e(error)}</p>"))


def _parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


# Finding what the URL books.


def _target(sim: SimContext, parts: list[str]) -> Target:
    store = sim.store
    size = 3 if parts[0] == "d" else 2
    base, rest = parts[:size], parts[size:]
    chosen = None
    if len(base) != size or len(rest) > 1:
        raise BookingError("This page does not exist.", 404, "Page not found")
    if rest:
        try:
            chosen = parse_iso(unquote(rest[0]))
        except ValueError:
            raise BookingError("This page does not exist.", 404, "Page not found") from None
    with store.lock:
        link = store.scheduling_links.get(base[1]) if base[0] == "d" else None
        if link is not None:
            if link["used"]:
                raise BookingError("This single-use link was already used.", 410, "Link expired")
            event_type = store.event_types[link["event_type_uuid"]]
            return Target(store.copy(event_type), base[1], chosen)
        path = "/" + "/".join(base)
        for event_type in store.event_types.values():
            if urlsplit(event_type["scheduling_url"]).path.rstrip("/") == path:
                return Target(store.copy(event_type), None, chosen)
    raise BookingError("This page does not exist.", 404, "Page not found")


def _host(sim: SimContext, event_type: dict[str, Any]) -> dict[str, Any]:
    with sim.store.lock:
        host = sim.store.user_by_uri(event_type["profile"]["owner"])
        return sim.store.copy(host) if host else {"timezone": "UTC", "name": ""}


def questions_of(event_type: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions ``a1``..``a10`` answer: the enabled custom questions, by position."""
    enabled = [q for q in event_type.get("custom_questions") or [] if q.get("enabled")]
    return sorted(enabled, key=lambda q: q.get("position", 0))[:MAX_ANSWERS]


# Reading the prefill and the form.


def _prefill(request: Request) -> dict[str, str]:
    """The first value of every parameter (Calendly reads no more than that)."""
    return {key: values[0] for key, values in request.query.items() if values}


def _form(request: Request) -> dict[str, list[str]]:
    if request.content_type != "application/x-www-form-urlencoded":
        raise BookingError("Send the booking form as a web form.", 415)
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise BookingError("The form is not UTF-8.") from None
    return parse_qs(text, keep_blank_values=True)


def _opening_day(sim: SimContext, prefill: dict[str, str], zone: ZoneInfo) -> datetime:
    """Where the calendar opens: ``date``, else the first of ``month``, never before now."""
    now = sim.now()
    wanted: date | None = None
    try:
        if prefill.get("date"):
            wanted = date.fromisoformat(prefill["date"])
        elif prefill.get("month"):
            wanted = date.fromisoformat(prefill["month"] + "-01")
    except ValueError:
        wanted = None  # Calendly ignores a prefill it cannot read.
    if wanted is None or not now.date() <= wanted <= (now + timedelta(days=366)).date():
        return now
    return max(now, datetime.combine(wanted, time(0), zone))


def _slots(sim: SimContext, event_type: dict[str, Any], start: datetime) -> list[datetime]:
    with sim.store.lock:
        slots = open_slots(sim.store, event_type, start, start + timedelta(days=SLOT_DAYS))
    return [parse_iso(slot["start_time"]) for slot in slots[:MAX_SLOTS]]


def _is_open(sim: SimContext, event_type: dict[str, Any], start: datetime | None) -> bool:
    """Whether ``start`` is still bookable: in the future and an open slot."""
    if start is None or start < sim.now():
        return False
    with sim.store.lock:
        slots = open_slots(sim.store, event_type, start, start + timedelta(minutes=1))
    return any(parse_iso(slot["start_time"]) == start for slot in slots)


# Pages.


def _user_page(sim: SimContext, slug: str) -> str:
    with sim.store.lock:
        user = next((u for u in sim.store.users.values() if u["slug"] == slug), None)
        if user is None:
            raise BookingError("This page does not exist.", 404, "Page not found")
        event_types = sorted(
            (
                et
                for et in sim.store.event_types.values()
                if et["profile"]["owner"] == user["uri"] and et["active"] and not et["secret"]
            ),
            key=lambda et: (et.get("position", 0), et["name"]),
        )
        rows = "".join(
            f'<li><a href="{_e(urlsplit(et["scheduling_url"]).path)}">{_e(et["name"])}</a> '
            f"({_e(et['duration'])} min)</li>"
            for et in event_types
        )
        name = user["name"]
    return render_page(name, f"<ul>{rows}</ul>" if rows else "<p>No event types to book.</p>")


def _booking_page(sim: SimContext, target: Target, prefill: dict[str, str]) -> str:
    event_type = target.event_type
    if not event_type["active"]:
        # Calendly still serves a turned-off event type's page, saying so, with no form.
        return render_page(
            event_type["name"],
            f"<p>{_e(event_type['profile']['name'])} is not taking bookings for "
            f"{_e(event_type['name'])} at the moment.</p>",
        )
    host = _host(sim, event_type)
    zone_name = host.get("timezone") or "UTC"
    zone = ZoneInfo(zone_name)
    chosen = target.chosen if _is_open(sim, event_type, target.chosen) else None
    slots = _slots(sim, event_type, chosen or _opening_day(sim, prefill, zone))
    chosen = chosen or (slots[0] if slots else None)
    options = "".join(
        f'<label><input type="radio" name="start_time" value="{_e(iso(slot))}"'
        f"{' checked' if slot == chosen else ''} required> {_e(readable(slot, zone_name))}"
        "</label><br>"
        for slot in slots
    )
    times = (
        f"<fieldset><legend>Pick a time (shown in {_e(zone_name)})</legend>{options}</fieldset>"
        if options
        else f"<p>No open times in the {SLOT_DAYS} days from then.</p>"
    )
    first, last = prefill.get("first_name", ""), prefill.get("last_name", "")
    name = prefill.get("name") or " ".join(part for part in (first, last) if part)
    if not (first or last) and name:
        first, _, last = name.partition(" ")
    people = (
        _input("first_name", "First name", first, required=True)
        + _input("last_name", "Last name", last, required=True)
        if _uses_first_last(sim, event_type)
        else _input("name", "Name", name, required=True)
    )
    questions = "".join(
        _question(number, question, prefill.get(f"a{number}", ""))
        for number, question in enumerate(questions_of(event_type), start=1)
    )
    hidden = "".join(
        f'<input type="hidden" name="{key}" value="{_e(prefill[key])}">'
        for key in TRACKING_KEYS
        if prefill.get(key)
    )
    body = (
        f"<p>{_e(event_type['name'])} ({_e(event_type['duration'])} min) with "
        f"{_e(event_type['profile']['name'])}</p>"
        f'<form method="post">{times}{people}'
        f"{_input('email', 'Email', prefill.get('email', ''), required=True, kind='email')}"
        f"{questions}{hidden}"
        '<p><button type="submit">Schedule event</button></p></form>'
    )
    return render_page("Select a time", body)


def _uses_first_last(sim: SimContext, event_type: dict[str, Any]) -> bool:
    uuid = event_type["uri"].rsplit("/", 1)[1]
    with sim.store.lock:
        return bool(sim.store.event_type_meta.get(uuid, {}).get("first_last"))


def _input(name: str, label: str, value: str, *, required: bool, kind: str = "text") -> str:
    flag = " required" if required else ""
    return (
        f'<p><label>{_e(label)} <input type="{kind}" name="{name}" value="{_e(value)}"{flag}>'
        "</label></p>"
    )


def _question(number: int, question: dict[str, Any], value: str) -> str:
    """One custom question as Calendly shows it, with the prefilled answer filled in."""
    name = f"a{number}"
    label = _e(question["name"])
    required = bool(question.get("required"))
    flag = " required" if required else ""
    kind = question.get("type")
    choices = question.get("answer_choices") or []
    if kind == "text":
        return (
            f'<p><label>{label}<br><textarea name="{name}"{flag}>{_e(value)}</textarea></label></p>'
        )
    if kind in ("single_select", "multi_select") and choices:
        picked = set(value.split("\n")) if value else set()
        box = "radio" if kind == "single_select" else "checkbox"
        boxes = "".join(
            f'<label><input type="{box}" name="{name}" value="{_e(choice)}"'
            f"{' checked' if choice in picked else ''}> {_e(choice)}</label><br>"
            for choice in choices
        )
        if question.get("include_other"):
            other = "; ".join(part for part in value.split("\n") if part and part not in choices)
            boxes += f'<label>Other <input type="text" name="{name}" value="{_e(other)}"></label>'
        return f"<fieldset><legend>{label}</legend>{boxes}</fieldset>"
    field_type = "tel" if kind == "phone_number" else "text"
    return (
        f'<p><label>{label} <input type="{field_type}" name="{name}" value="{_e(value)}"{flag}>'
        "</label></p>"
    )


# Booking.


def _one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[0].strip()


def _book(sim: SimContext, target: Target, form: dict[str, list[str]]) -> Response:
    event_type = target.event_type
    first_name, last_name = _one(form, "first_name"), _one(form, "last_name")
    name = _one(form, "name") or " ".join(part for part in (first_name, last_name) if part)
    email = _one(form, "email")
    if not name or len(name) > MAX_TEXT:
        raise BookingError("Enter your name (at most 255 characters).")
    if "@" not in email or any(ch.isspace() for ch in email) or len(email) > MAX_TEXT:
        raise BookingError("Enter a valid email address.")
    try:
        start = parse_iso(_one(form, "start_time"))
    except ValueError:
        raise BookingError("Pick one of the open times.") from None
    answers = _answers(event_type, form)
    tracking = {key: _one(form, key) for key in TRACKING_KEYS if _one(form, key)}
    host = _host(sim, event_type)
    store = sim.store
    with store.lock:
        if target.link_code is not None and store.scheduling_links[target.link_code]["used"]:
            raise BookingError("This single-use link was already used.", 410, "Link expired")
        if not _is_open(sim, event_type, start):
            raise BookingError("That time is not open any more; pick another one.", 409)
        try:
            invitee = actions.book(
                sim,
                event_type["uri"].rsplit("/", 1)[1],
                start,
                name=name,
                email=email,
                first_name=first_name or None,
                last_name=last_name or None,
                timezone=host.get("timezone"),
                questions_and_answers=answers,
                tracking=tracking or None,
            )
        except actions.ActionError as error:
            raise BookingError(str(error)) from None
        if target.link_code is not None:
            store.scheduling_links[target.link_code]["used"] = True
    when = readable(start, host.get("timezone"))
    body = (
        f"<p>{_e(event_type['name'])} with {_e(event_type['profile']['name'])}</p>"
        f"<p><strong>{_e(when)}</strong></p>"
        f"<p>Booked for {_e(name)} ({_e(email)}).</p>"
        f'<p data-invitee-uri="{_e(invitee["uri"])}">Confirmation sent.</p>'
    )
    return Response.html(200, render_page("You are scheduled", body))


def _answers(event_type: dict[str, Any], form: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Calendly's ``questions_and_answers`` from fields ``a1``..; a missing required one is a 400."""
    answers = []
    for number, question in enumerate(questions_of(event_type), start=1):
        values = [value.strip() for value in form.get(f"a{number}", []) if value.strip()]
        kind = question.get("type")
        choices = question.get("answer_choices") or []
        if kind != "multi_select":
            values = values[:1]
        closed = kind in ("single_select", "multi_select") and not question.get("include_other")
        if closed and choices and any(value not in choices for value in values):
            raise BookingError(f"Pick one of the choices for “{question['name']}”.")
        if not values:
            if question.get("required"):
                raise BookingError(f"Answer “{question['name']}”.")
            continue
        answer = "\n".join(values)
        if len(answer) > 8192:
            raise BookingError(f"The answer to “{question['name']}” is too long.")
        answers.append(
            {"question": question["name"], "answer": answer, "position": question["position"]}
        )
    return answers


def _e(value: Any) -> str:
    return html.escape(str(value))
