"""The seeded dataset: realistic Calendly organizations, the same for the same seed.

Why generated rather than fixtures on disk: tests need volume (a user whose events span more than
three pages), variety (cancellations, reschedule pairs, no-shows, payments, UTM tracking, routing
form submissions) and stability (the same seed gives the same objects), and a generator gives all
three at any size. Times are laid out around the anchor (midnight UTC of the simulator's "today")
so there are always past and future events.

Any number of organizations can be seeded (``generate_organizations``). The first is exactly the
single organization ``generate`` gives (its random stream is unchanged), so tests written against
one organization keep their ids; every further organization has its own stream
(``.../org<k>``), its own people, memberships, event types, events, invitees, no-shows, routing
forms and submissions, schedules, invitations and activity log, and uuids that never collide with
another organization's. Organization names and booking-page slugs stay unique too. One person is
deliberately in two organizations: from two organizations on, the first member of organization 1
is also a member of organization 2, as two distinct Calendly users (a Calendly user belongs to
exactly one organization, so two user URIs) with the same name and the same email, as a
consultant working for two clients would be. The ``fleet`` size is for benchmarks of many
organizations: 10 users and about 1,000 meetings each.
"""

from __future__ import annotations

import random
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import objects
from .timeutil import iso, parse_iso
from .vocabulary import (
    CANCEL_REASONS,
    COLORS,
    COMPANIES,
    DISCUSS_ANSWERS,
    EVENT_TYPE_TEMPLATES,
    FIRST_NAMES,
    HOST_TIMEZONES,
    INVITEE_DOMAINS,
    LAST_NAMES,
    ORGANIZATIONS,
    QUESTION_POOL,
    TIMEZONES,
    UTM,
)


@dataclass(frozen=True)
class SizeSpec:
    members: int
    owner_events: int
    member_events: int
    submissions: int


#: Days from the anchor of the meetings every user has whatever the date (see ``_events_for``):
#: close enough to fall inside the narrowest sync window the tests use (3 days back, 7 ahead).
RECENT_DAYS = (-2, -1, -1, 1, 1, 2)

#: The share of meetings that keep a weekend day when their drawn day is one.
WEEKEND_SHARE = 0.15

SIZES = {
    "small": SizeSpec(members=4, owner_events=330, member_events=36, submissions=30),
    "demo": SizeSpec(members=8, owner_events=520, member_events=165, submissions=120),
    "large": SizeSpec(members=18, owner_events=1000, member_events=470, submissions=400),
    # Benchmarks of many organizations: 10 users and about 1,000 meetings per organization
    # (reschedules add a few), few routing submissions.
    "fleet": SizeSpec(members=8, owner_events=180, member_events=85, submissions=20),
}


@dataclass(frozen=True)
class _Slot:
    """Where a meeting goes: days from the anchor and a local time, then the UTC start."""

    days: int
    hour: int
    minute: int
    start: datetime


@dataclass
class Dataset:
    """Everything the simulator serves, as Calendly-shaped dicts keyed by uuid."""

    organization: dict[str, Any]
    organization_uuid: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    invitations: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_type_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    invitees: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_invitees: dict[str, list[str]] = field(default_factory=dict)
    no_shows: dict[str, dict[str, Any]] = field(default_factory=dict)
    routing_forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    activity: dict[str, dict[str, Any]] = field(default_factory=dict)
    owner_uuid: str = ""
    admin_uuid: str = ""
    member_uuids: list[str] = field(default_factory=list)


class Ids:
    """Deterministic identifiers: Calendly's 16-character ids and uuid4-style ids."""

    ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def legacy(self) -> str:
        return "".join(self.rng.choice(self.ALPHABET) for _ in range(16))

    def uuid(self) -> str:
        return str(uuid_module.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(length * 4):0{length}x}"


def generate(seed: int, size: str, base: str, anchor: datetime) -> Dataset:
    """Build the dataset for ``seed`` and ``size`` with URIs under ``base``."""
    return generate_organizations(seed, size, base, anchor, 1)[0]


def generate_organizations(
    seed: int, size: str, base: str, anchor: datetime, count: int
) -> list[Dataset]:
    """One dataset per organization, the first exactly what ``generate`` gives.

    Every organization after the first draws from its own random stream, so adding organizations
    never changes the first one (the tests written against one organization keep their ids), and
    uuids of different organizations never collide. Names and booking-page slugs stay unique
    across organizations, except for one consultant on purpose: from two organizations on, the
    first member of organization 1 is also a member of organization 2, as a second Calendly user
    (a user belongs to exactly one organization) with the same name and email.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    if count < 1:
        raise ValueError(f"organizations must be at least 1, not {count}")
    shared = _Shared()
    datasets: list[Dataset] = []
    for index in range(1, count + 1):
        stream = f"calendly-simulator/{seed}/{size}" + (f"/org{index}" if index > 1 else "")
        consultant = None
        if index == 2:
            first_org = datasets[0]
            consultant = first_org.users[first_org.member_uuids[0]]
        generator = _Generator(
            stream, SIZES[size], base, anchor, index=index, shared=shared, consultant=consultant
        )
        datasets.append(generator.run())
    return datasets


@dataclass
class _Shared:
    """What organizations must not repeat: names, people and booking-page slugs."""

    org_names: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)


class _Generator:
    def __init__(
        self,
        stream: str,
        spec: SizeSpec,
        base: str,
        anchor: datetime,
        *,
        index: int = 1,
        shared: _Shared | None = None,
        consultant: dict[str, Any] | None = None,
    ) -> None:
        self.rng = random.Random(stream)
        self.ids = Ids(self.rng)
        self.spec = spec
        self.base = base
        self.anchor = anchor
        self.index = index
        self.shared = shared or _Shared()
        self.consultant = consultant
        self.zones: dict[str, ZoneInfo] = {}
        self.occupied: set[tuple[str, datetime]] = set()
        self.people_used: set[str] = self.shared.people

    def _organization_name(self) -> tuple[str, str]:
        org_name, domain = self.rng.choice(ORGANIZATIONS)
        if org_name in self.shared.org_names:
            free = [pair for pair in ORGANIZATIONS if pair[0] not in self.shared.org_names]
            if free:
                org_name, domain = free[0]
            else:
                org_name = f"{org_name} {self.index}"
                domain = domain.replace(".example", f"-{self.index}.example")
        self.shared.org_names.add(org_name)
        return org_name, domain

    def run(self) -> Dataset:
        rng = self.rng
        org_name, domain = self._organization_name()
        org_uuid = self.ids.legacy()
        org_created = self.anchor - timedelta(
            days=rng.randint(700, 1500), seconds=rng.randint(0, 86399)
        )
        organization = {
            "uri": f"{self.base}/organizations/{org_uuid}",
            "name": org_name,
            "slug": org_name.lower().replace(" ", "-"),
            "plan": "enterprise",
            "stage": "paid",
            "created_at": iso(org_created),
            "updated_at": iso(org_created + timedelta(days=rng.randint(1, 300))),
        }
        self.data = Dataset(organization=organization, organization_uuid=org_uuid)
        self.domain = domain
        self._users(org_created)
        for user_uuid in self.data.users:
            self._event_types(user_uuid)
            self._schedules(user_uuid)
        self._routing_forms()
        for user_uuid in self.data.users:
            count = (
                self.spec.owner_events
                if user_uuid == self.data.owner_uuid
                else self.spec.member_events
            )
            self._events_for(user_uuid, count)
        self._submissions()
        self._invitations()
        self._activity()
        return self.data

    def _zone(self, name: str) -> ZoneInfo:
        if name not in self.zones:
            self.zones[name] = ZoneInfo(name)
        return self.zones[name]

    def _person(self) -> tuple[str, str]:
        for _ in range(50):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.people_used:
                self.people_used.add(f"{first} {last}")
                return first, last
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def _users(self, org_created: datetime) -> None:
        rng, data = self.rng, self.data
        roles = ["owner", "admin"] + ["user"] * self.spec.members
        for index, role in enumerate(roles):
            first, last = self._person()
            email = f"{first}.{last}@{self.domain}".lower().replace("'", "")
            if self.consultant is not None and index == 2:
                first, last = self.consultant["name"].split(" ", 1)
                email = self.consultant["email"]
            uuid = self.ids.legacy()
            slug = f"{first}-{last}".lower().replace("'", "")
            if self.index > 1 and slug in self.shared.slugs:
                slug = f"{slug}-{self.index}"
            self.shared.slugs.add(slug)
            created = org_created + timedelta(
                days=index * rng.randint(3, 40), hours=rng.randint(0, 23)
            )
            user = objects.user(
                self.base,
                uuid,
                name=f"{first} {last}",
                slug=slug,
                email=email,
                timezone=rng.choice(HOST_TIMEZONES),
                avatar_url=(
                    f"https://d3v0px0pttie1i.cloudfront.net/uploads/user/avatar/{rng.randint(10**6, 10**7)}/{self.ids.hex(8)}.png"
                    if rng.random() < 0.7
                    else None
                ),
                created_at=created,
                updated_at=created + timedelta(days=rng.randint(0, 200)),
                organization_uri=data.organization["uri"],
            )
            data.users[uuid] = user
            data.roles[uuid] = role
            membership_uuid = self.ids.legacy()
            data.memberships[membership_uuid] = objects.membership(
                self.base,
                membership_uuid,
                role=role,
                user_resource=user,
                organization_uri=data.organization["uri"],
                created_at=created,
            )
            if role == "owner":
                data.owner_uuid = uuid
            elif role == "admin":
                data.admin_uuid = uuid
            else:
                data.member_uuids.append(uuid)

    def _event_types(self, user_uuid: str) -> None:
        rng, data = self.rng, self.data
        owner = data.users[user_uuid]
        created_base = parse_iso(owner["created_at"])
        templates = list(EVENT_TYPE_TEMPLATES)
        if user_uuid not in (data.owner_uuid, data.admin_uuid):
            templates = [t for t in templates if not t.get("group_limit") or rng.random() < 0.5]
        for position, template in enumerate(templates):
            uuid = self.ids.legacy()
            questions = []
            for q_position, key in enumerate(template["questions"]):
                spec = QUESTION_POOL[key]
                questions.append(
                    objects.custom_question(
                        spec["name"],
                        spec["kind"],
                        q_position,
                        required=spec.get("required", False),
                        choices=spec.get("choices"),
                        include_other=spec.get("include_other", False),
                    )
                )
            created = created_base + timedelta(
                days=rng.randint(1, 60), minutes=rng.randint(0, 1440)
            )
            resource = objects.event_type(
                self.base,
                uuid,
                name=template["name"],
                slug=template["name"].lower().replace(" ", "-"),
                owner=owner,
                duration=template["duration"],
                kind="group" if template.get("group_limit") else "solo",
                color=rng.choice(COLORS),
                active=not template.get("inactive"),
                secret=template.get("inactive", False) or rng.random() < 0.1,
                description=template["description"],
                internal_note="Qualify budget before the call." if rng.random() < 0.3 else None,
                custom_questions=questions,
                locations=[dict(template["location"])],
                created_at=created,
                updated_at=created + timedelta(days=rng.randint(0, 120)),
            )
            resource["position"] = position
            data.event_type_meta[uuid] = {
                "weight": template["weight"],
                "first_last": template.get("first_last", False),
                "payment": template.get("payment"),
                "group_limit": template.get("group_limit"),
            }
            data.event_types[uuid] = resource

    def _schedules(self, user_uuid: str) -> None:
        rng, data = self.rng, self.data
        user = data.users[user_uuid]
        start_hour = rng.choice((8, 9, 9, 10))
        end_hour = start_hour + rng.choice((7, 8, 8, 9))
        working_days = ("monday", "tuesday", "wednesday", "thursday", "friday")
        rules: list[dict[str, Any]] = []
        for wday in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"):
            intervals = (
                [{"from": f"{start_hour:02d}:00", "to": f"{end_hour:02d}:00"}]
                if wday in working_days
                else []
            )
            rules.append({"type": "wday", "wday": wday, "intervals": intervals})
        holiday = (self.anchor + timedelta(days=rng.randint(10, 60))).date()
        rules.append({"type": "date", "date": holiday.isoformat(), "intervals": []})
        uuid = self.ids.uuid()
        data.schedules[uuid] = {
            "uri": f"{self.base}/user_availability_schedules/{uuid}",
            "default": True,
            "name": "Working Hours",
            "user": user["uri"],
            "timezone": user["timezone"],
            "rules": rules,
        }
        if rng.random() < 0.5:
            uuid = self.ids.uuid()
            data.schedules[uuid] = {
                "uri": f"{self.base}/user_availability_schedules/{uuid}",
                "default": False,
                "name": "Evening Hours",
                "user": user["uri"],
                "timezone": user["timezone"],
                "rules": [
                    {
                        "type": "wday",
                        "wday": wday,
                        "intervals": [{"from": "18:00", "to": "21:00"}]
                        if wday in ("tuesday", "thursday")
                        else [],
                    }
                    for wday in (
                        "sunday",
                        "monday",
                        "tuesday",
                        "wednesday",
                        "thursday",
                        "friday",
                        "saturday",
                    )
                ],
            }

    def _routing_forms(self) -> None:
        rng, data = self.rng, self.data
        org_uri = data.organization["uri"]
        created = parse_iso(data.organization["created_at"]) + timedelta(days=rng.randint(30, 90))
        forms = (
            (
                "Sales Inquiry",
                "published",
                [
                    ("Name", "name", True, None),
                    ("Email", "email", True, None),
                    ("What is your industry?", "select", True,
                     ["IT & Software", "Financial Services", "Healthcare", "Education"]),
                    ("Company size", "radios", False, ["1-10", "11-50", "51-200", "200+"]),
                    ("Anything else we should know?", "textarea", False, None),
                ],
            ),
            (
                "Support Triage",
                "published",
                [
                    ("Email", "email", True, None),
                    ("Phone", "phone", False, None),
                    ("Product area", "select", True, ["Billing", "Integrations", "Scheduling"]),
                ],
            ),
            ("Partner Intake (draft)", "draft", [("Email", "email", True, None)]),
        )  # fmt: skip
        for name, status, questions in forms:
            uuid = self.ids.legacy()
            data.routing_forms[uuid] = {
                "uri": f"{self.base}/routing_forms/{uuid}",
                "organization": org_uri,
                "name": name,
                "status": status,
                "questions": [
                    {
                        "uuid": self.ids.uuid(),
                        "name": q_name,
                        "type": q_type,
                        "required": required,
                        "answer_choices": choices,
                    }
                    for q_name, q_type, required, choices in questions
                ],
                "created_at": iso(created),
                "updated_at": iso(created + timedelta(days=rng.randint(0, 30))),
            }
            created += timedelta(days=rng.randint(5, 40))

    def _slot(self, user_uuid: str) -> _Slot:
        """A free start in working hours, drawn as a day offset from the anchor and a local time.

        Every draw is made whatever the calendar says, so the random stream (and with it every
        id, name and status) is the same whichever day the simulator starts on; only where a
        meeting lands moves with the date (see ``_place``).
        """
        rng = self.rng
        days = rng.randint(-180, 90)
        on_weekend = rng.random() < WEEKEND_SHARE
        hour, minute = rng.randint(9, 16), rng.choice((0, 30))
        start = self._place(user_uuid, days, hour, minute, on_weekend=on_weekend)
        return _Slot(days, hour, minute, start)

    def _place(
        self, user_uuid: str, days: int, hour: int, minute: int, *, on_weekend: bool
    ) -> datetime:
        """The UTC start of a meeting ``days`` from the anchor at ``hour:minute`` in the user's
        zone, or the next free half hour after it.

        A meeting whose day is a weekend it is not meant for moves to the nearest working day on
        the same side of the anchor, so a past meeting stays past and a future one future.
        """
        day = self.anchor.date() + timedelta(days=days)
        if day.weekday() >= 5 and not on_weekend:
            day += timedelta(days=(7 - day.weekday()) if days >= 0 else (4 - day.weekday()))
        zone = self._zone(self.data.users[user_uuid]["timezone"])
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        return self._free(user_uuid, local.astimezone(UTC))

    def _free(self, user_uuid: str, start: datetime) -> datetime:
        """``start``, or the next free half hour after it; taken for ``user_uuid``."""
        while (user_uuid, start) in self.occupied:
            start += timedelta(minutes=30)
        self.occupied.add((user_uuid, start))
        return start

    def _recent_slot(self, user_uuid: str, days: int) -> datetime:
        """A free half hour ``days`` from the anchor (negative: before it), in working hours."""
        zone = self._zone(self.data.users[user_uuid]["timezone"])
        day = self.anchor.date() + timedelta(days=days)
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone).astimezone(UTC)
        return self._free(user_uuid, start)

    def _events_for(self, user_uuid: str, count: int) -> None:
        rng, data = self.rng, self.data
        types = [
            et
            for et in data.event_types.values()
            if et["profile"]["owner"] == data.users[user_uuid]["uri"]
        ]
        weights = [
            max(data.event_type_meta[et["uri"].rsplit("/", 1)[1]]["weight"], 0.3) for et in types
        ]
        active = [et for et in types if et["active"]] or types
        # Whatever day "today" is, every user has plain (not canceled, not no-show) meetings just
        # behind and just ahead, inside every sync window: tests and the demo can rely on them.
        for days in RECENT_DAYS:
            self._event(user_uuid, active[0], self._recent_slot(user_uuid, days))
        for _ in range(count - len(RECENT_DAYS)):
            event_type = rng.choices(types, weights)[0]
            slot = self._slot(user_uuid)
            # Decisions go by the drawn day offset, never by the date, so they are the same
            # whichever day "today" is (see ``_slot``).
            if not event_type["active"] and slot.days >= 0:
                event_type = types[0]
            event_uuid = self._event(user_uuid, event_type, slot.start)
            roll = rng.random()
            if roll < 0.09:
                self._cancel_event(event_uuid)
            elif roll < 0.14:
                self._reschedule(user_uuid, event_uuid, slot)
            elif roll < 0.20 and slot.days <= -2:
                self._no_show(rng.choice(data.event_invitees[event_uuid]), slot.start)

    def _event(
        self,
        user_uuid: str,
        event_type: dict[str, Any],
        start: datetime,
        old_invitee: str | None = None,
    ) -> str:
        rng, data = self.rng, self.data
        host = data.users[user_uuid]
        meta = data.event_type_meta[event_type["uri"].rsplit("/", 1)[1]]
        uuid = self.ids.legacy()
        lead = timedelta(
            days=rng.randint(0, 21), hours=rng.randint(1, 20), seconds=rng.randint(0, 3599)
        )
        created = min(start - lead, self.anchor - timedelta(minutes=rng.randint(5, 600)))
        created = created.replace(microsecond=rng.randint(0, 999999))
        phone = f"+1 {rng.randint(201, 989)}-555-{rng.randint(1000, 9999)}"
        event = objects.scheduled_event(
            self.base,
            uuid,
            event_type_resource=event_type,
            host=host,
            start=start,
            end=start + timedelta(minutes=event_type["duration"]),
            location=objects.event_location(
                event_type["locations"][0], token=self.ids.hex(16), phone=phone
            ),
            limit=meta["group_limit"] or 1,
            created_at=created,
            calendar_event=(
                {"kind": "google", "external_id": self.ids.hex(26)} if rng.random() < 0.8 else None
            ),
        )
        data.events[uuid] = event
        data.event_invitees[uuid] = []
        attendees = rng.randint(2, 5) if meta["group_limit"] else 1
        for index in range(attendees):
            joined = created + timedelta(minutes=index * rng.randint(1, 300))
            self._invitee(
                uuid,
                event_type,
                # Nobody joins in the future: Calendly's updated_at never runs ahead of now.
                min(joined, self.anchor - timedelta(minutes=1)),
                phone,
                old_invitee if index == 0 else None,
            )
        if rng.random() < 0.08:
            guest_time = iso(created + timedelta(minutes=2))
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            event["event_guests"] = [
                {
                    "email": f"{first}.{last}@{rng.choice(INVITEE_DOMAINS)}".lower().replace(
                        "'", ""
                    ),
                    "created_at": guest_time,
                    "updated_at": guest_time,
                }
            ]
        return uuid

    def _invitee(
        self,
        event_uuid: str,
        event_type: dict[str, Any],
        created: datetime,
        phone: str,
        old_invitee: str | None,
    ) -> str:
        rng, data = self.rng, self.data
        meta = data.event_type_meta[event_type["uri"].rsplit("/", 1)[1]]
        event = data.events[event_uuid]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(INVITEE_DOMAINS)}".lower().replace(
            "'", ""
        )
        answers = []
        company = rng.choice(COMPANIES)
        for question in event_type["custom_questions"]:
            if not question["enabled"] or (not question["required"] and rng.random() < 0.25):
                continue
            kind = question["type"]
            if kind == "string":
                answer = company
            elif kind == "text":
                answer = rng.choice(DISCUSS_ANSWERS)
            elif kind == "phone_number":
                answer = phone
            elif kind == "single_select":
                answer = rng.choice(question["answer_choices"])
            else:
                answer = "\n".join(rng.sample(question["answer_choices"], rng.randint(1, 2)))
            answers.append(
                {"question": question["name"], "answer": answer, "position": question["position"]}
            )
        payment = None
        if meta["payment"]:
            payment = {
                "external_id": f"ch_{self.ids.hex(24)}",
                "provider": rng.choice(("stripe", "stripe", "paypal")),
                "amount": meta["payment"],
                "currency": "USD",
                "terms": "Payment is non-refundable within 24 hours of the session.",
                "successful": True,
            }
        uuid = self.ids.uuid()
        resource = objects.invitee(
            self.base,
            event["uri"],
            uuid,
            name=f"{first} {last}",
            first_name=first if meta["first_last"] else None,
            last_name=last if meta["first_last"] else None,
            email=email,
            timezone=rng.choice(TIMEZONES),
            created_at=created,
            questions_and_answers=answers,
            tracking_values=dict(rng.choice(UTM)) if rng.random() < 0.3 else None,
            text_reminder_number=phone if rng.random() < 0.25 else None,
            payment=payment,
            old_invitee=old_invitee,
        )
        if rng.random() < 0.05 and parse_iso(event["start_time"]) > self.anchor:
            resource["reconfirmation"] = {
                "created_at": iso(created + timedelta(hours=1)),
                "confirmed_at": None,
            }
        data.invitees[uuid] = resource
        data.event_invitees[event_uuid].append(uuid)
        counter = event["invitees_counter"]
        counter["total"] += 1
        counter["active"] += 1
        return uuid

    def _cancel_event(
        self,
        event_uuid: str,
        *,
        reason: str | None = None,
        canceler: str | None = None,
        rescheduled_to: str | None = None,
    ) -> None:
        rng, data = self.rng, self.data
        event = data.events[event_uuid]
        created = parse_iso(event["created_at"])
        start = parse_iso(event["start_time"])
        latest = min(start, self.anchor) - timedelta(minutes=5)
        fraction = rng.random()
        when = created + (latest - created) * fraction if latest > created else created
        invitee_uuids = data.event_invitees[event_uuid]
        by_invitee = rescheduled_to is not None or rng.random() < 0.6
        first_invitee = data.invitees[invitee_uuids[0]]
        host_name = event["event_memberships"][0]["user_name"]
        if canceler is None:
            canceler = first_invitee["name"] if by_invitee else host_name
        if reason is None and rescheduled_to is None:
            reason = rng.choice(CANCEL_REASONS)
        cancellation = objects.cancellation(
            canceler, reason, "invitee" if by_invitee else "host", when
        )
        event["status"] = "canceled"
        event["cancellation"] = cancellation
        event["updated_at"] = iso(when)
        for invitee_uuid in invitee_uuids:
            invitee = data.invitees[invitee_uuid]
            invitee["status"] = "canceled"
            invitee["canceled"] = True
            invitee["cancellation"] = dict(cancellation)
            invitee["updated_at"] = iso(when)
        event["invitees_counter"]["active"] = 0
        if rescheduled_to:
            first_invitee["rescheduled"] = True
            first_invitee["new_invitee"] = rescheduled_to

    def _reschedule(self, user_uuid: str, event_uuid: str, slot: _Slot) -> None:
        data = self.data
        old_event = data.events[event_uuid]
        if old_event["invitees_counter"]["limit"] > 1:
            return
        event_type = data.event_types[old_event["event_type"].rsplit("/", 1)[1]]
        old_invitee_uuid = data.event_invitees[event_uuid][0]
        old_invitee_uri = data.invitees[old_invitee_uuid]["uri"]
        days = slot.days + self.rng.randint(1, 9)
        hour = slot.hour + self.rng.choice((0, 1, 2, -1))
        new_start = self._place(user_uuid, days, hour, slot.minute, on_weekend=False)
        new_event_uuid = self._event(user_uuid, event_type, new_start, old_invitee=old_invitee_uri)
        new_invitee = data.invitees[data.event_invitees[new_event_uuid][0]]
        old_invitee = data.invitees[old_invitee_uuid]
        for key in (
            "name",
            "email",
            "first_name",
            "last_name",
            "timezone",
            "questions_and_answers",
            "tracking",
            "text_reminder_number",
            "payment",
        ):
            new_invitee[key] = old_invitee[key]
        self._cancel_event(event_uuid, rescheduled_to=new_invitee["uri"])
        cancel_time = old_invitee["cancellation"]["created_at"]
        for resource in (data.events[new_event_uuid], new_invitee):
            resource["created_at"] = cancel_time
            resource["updated_at"] = cancel_time
        old_invitee["cancellation"]["reason"] = None

    def _no_show(self, invitee_uuid: str, start: datetime) -> None:
        invitee = self.data.invitees[invitee_uuid]
        uuid = self.ids.uuid()
        marked = start + timedelta(minutes=self.rng.randint(10, 600))
        record = objects.no_show(self.base, uuid, invitee["uri"], marked)
        self.data.no_shows[uuid] = record
        invitee["no_show"] = {"uri": record["uri"], "created_at": record["created_at"]}
        invitee["updated_at"] = record["created_at"]

    def _submissions(self) -> None:
        rng, data = self.rng, self.data
        forms = [form for form in data.routing_forms.values() if form["status"] == "published"]
        discovery = [
            invitee for invitee in data.invitees.values()
            if data.events[invitee["event"].rsplit("/", 1)[1]]["name"] == "Discovery Call"
        ]  # fmt: skip
        routed_types = [et for et in data.event_types.values() if et["name"] == "Discovery Call"]
        for index in range(self.spec.submissions):
            form = forms[index % len(forms)]
            invitee = (
                discovery[rng.randrange(len(discovery))]
                if discovery and rng.random() < 0.6
                else None
            )
            if invitee is not None and invitee["routing_form_submission"]:
                invitee = None
            created = (
                parse_iso(invitee["created_at"]) - timedelta(minutes=rng.randint(1, 5))
                if invitee
                else self.anchor - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 1440))
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            answers = []
            for question in form["questions"]:
                if question["type"] == "name":
                    answer = invitee["name"] if invitee else f"{first} {last}"
                elif question["type"] == "email":
                    answer = invitee["email"] if invitee else f"{first}.{last}@example.com".lower()
                elif question["type"] == "phone":
                    answer = f"+1 {rng.randint(201, 989)}-555-{rng.randint(1000, 9999)}"
                elif question["answer_choices"]:
                    answer = rng.choice(question["answer_choices"])
                elif question["required"] or rng.random() < 0.4:
                    answer = "We are evaluating schedulers for our sales team."
                else:
                    answer = None
                answers.append(
                    {
                        "question_uuid": question["uuid"],
                        "question": question["name"],
                        "answer": answer,
                    }
                )
            if invitee:
                result = {"type": "event_type", "value": rng.choice(routed_types)["uri"]}
            elif rng.random() < 0.5:
                result = {
                    "type": "custom_message",
                    "value": {
                        "headline": "Thank you for your interest",
                        "body": "We aren't able to offer any meetings at this time.",
                    },
                }
            else:
                result = {"type": "external_url", "value": "https://www.example.com/contact-sales"}
            uuid = self.ids.legacy()
            uri = f"{self.base}/routing_form_submissions/{uuid}"
            data.submissions[uuid] = {
                "uri": uri,
                "routing_form": form["uri"],
                "questions_and_answers": answers,
                "tracking": objects.tracking(rng.choice(UTM) if rng.random() < 0.3 else None),
                "result": result,
                "submitter": invitee["uri"] if invitee else None,
                "submitter_type": "Invitee" if invitee else None,
                "created_at": iso(created),
                "updated_at": iso(created),
            }
            if invitee:
                invitee["routing_form_submission"] = uri

    def _invitations(self) -> None:
        rng, data = self.rng, self.data
        for status in ("pending", "pending", "declined", "accepted"):
            first, last = self._person()
            uuid = self.ids.uuid()
            created = self.anchor - timedelta(days=rng.randint(1, 90), minutes=rng.randint(0, 1440))
            accepted_user = (
                data.users[data.member_uuids[-1]]["uri"] if status == "accepted" else None
            )
            email = (
                data.users[data.member_uuids[-1]]["email"]
                if status == "accepted"
                else f"{first}.{last}@{self.domain}".lower().replace("'", "")
            )
            data.invitations[uuid] = objects.invitation(
                self.base, data.organization_uuid, uuid, email=email, status=status,
                created_at=created, user_uri=accepted_user,
            )  # fmt: skip

    def _activity(self) -> None:
        rng, data = self.rng, self.data
        org_uri = data.organization["uri"]
        owner = data.users[data.owner_uuid]
        for user_uuid, user in data.users.items():
            if user_uuid == data.owner_uuid:
                continue
            uuid = self.ids.uuid()
            data.activity[uuid] = objects.activity_entry(
                self.base, uuid, organization_uri=org_uri, occurred_at=parse_iso(user["created_at"]),
                namespace="User", action="Add", actor=owner, role="owner",
                details={"user_email": user["email"], "role": data.roles[user_uuid]},
            )  # fmt: skip
        for event_type in data.event_types.values():
            author = next(
                u for u in data.users.values() if u["uri"] == event_type["profile"]["owner"]
            )
            uuid = self.ids.uuid()
            data.activity[uuid] = objects.activity_entry(
                self.base, uuid, organization_uri=org_uri,
                occurred_at=parse_iso(event_type["created_at"]), namespace="EventType",
                action="Create", actor=author,
                role=data.roles[author["uri"].rsplit("/", 1)[1]],
                details={"event_type_name": event_type["name"]},
            )  # fmt: skip
        for _ in range(10):
            user_uuid = rng.choice(list(data.users))
            user = data.users[user_uuid]
            uuid = self.ids.uuid()
            data.activity[uuid] = objects.activity_entry(
                self.base, uuid, organization_uri=org_uri,
                occurred_at=self.anchor - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440)),
                namespace="Login", action="Succeed", actor=user, role=data.roles[user_uuid],
                details={"method": rng.choice(("password", "google", "sso"))},
            )  # fmt: skip
