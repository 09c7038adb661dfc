"""The words the dataset generator draws from: names, companies, event type templates, answers.

Kept apart from the generator so the generator reads as the story of one organization and this
file as its cast; changing a list changes every seed's data, so tests never pin these values.
"""

from __future__ import annotations

from typing import Any

FIRST_NAMES = (
    "Olivia", "Adrian", "Maya", "Jonas", "Priya", "Lucas", "Amara", "Noah", "Sofia", "Kenji",
    "Elena", "Mateo", "Hannah", "Omar", "Chloe", "Ravi", "Ingrid", "Diego", "Leila", "Tomas",
    "Grace", "Yusuf", "Nora", "Felix", "Aisha", "Henrik", "Zara", "Samuel", "Mei", "Luca",
    "Clara", "Idris", "Freya", "Mikael", "Ana", "Theo", "Rosa", "Kai", "Lena", "Victor",
)  # fmt: skip
LAST_NAMES = (
    "Bennett", "Okafor", "Lindqvist", "Moreau", "Sharma", "Costa", "Nakamura", "Fischer",
    "Alvarez", "Novak", "Haddad", "Kowalski", "O'Neill", "Petrov", "Rossi", "Tanaka", "Dubois",
    "Mensah", "Larsen", "Schmidt", "Garcia", "Ito", "Walsh", "Jensen", "Silva", "Kim", "Murphy",
    "Horvat", "Ahmed", "Brennan", "Eriksen", "Russo", "Weber", "Campbell", "Yilmaz", "Baker",
)  # fmt: skip
COMPANIES = (
    "Northwind Traders", "Bluebird Analytics", "Harbor & Finch", "Quartz Labs", "Evergreen Health",
    "Lumen Robotics", "Copperline Media", "Sterling Freight", "Brightside Learning",
    "Atlas Biotech", "Pinecrest Realty", "Orbit Logistics", "Kestrel Security", "Maple Street Bank",
)  # fmt: skip
ORGANIZATIONS = (
    ("Acme Consulting", "acme-consulting.example"),
    ("Brightpath Advisors", "brightpath.example"),
    ("Helix Partners", "helix-partners.example"),
    ("Summit Coaching", "summit-coaching.example"),
)
INVITEE_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")
TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Europe/Paris", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo",
    "Asia/Kolkata",
)  # fmt: skip
HOST_TIMEZONES = ("America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin")
COLORS = ("#8247f5", "#0099ff", "#17e885", "#ffa600", "#ff4f00", "#e55cff", "#1a73e8")
CANCEL_REASONS = (
    "Something came up, sorry!",
    "Schedule conflict",
    "We found a solution already.",
    "Feeling unwell today.",
    None,
)
UTM = (
    {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring_launch"},
    {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "brand", "utm_term": "demo"},
    {"utm_source": "linkedin", "utm_medium": "social", "utm_content": "carousel_ad"},
    {"utm_source": "partner", "utm_medium": "referral", "salesforce_uuid": "0035g00000XyZ12AAB"},
)

EVENT_TYPE_TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "name": "15 Minute Meeting",
        "duration": 15,
        "location": {"kind": "google_conference"},
        "description": "A quick chat to see how we can help.",
        "weight": 3,
        "questions": (),
    },
    {
        "name": "30 Minute Meeting",
        "duration": 30,
        "location": {"kind": "zoom_conference"},
        "description": "A half-hour call to go through your questions.",
        "weight": 4,
        "questions": ("discuss",),
    },
    {
        "name": "Discovery Call",
        "duration": 45,
        "location": {"kind": "outbound_call"},
        "description": "Tell us about your team and what you need.",
        "weight": 3,
        "questions": ("company", "employees", "phone", "topics"),
        "first_last": True,
    },
    {
        "name": "Paid Strategy Session",
        "duration": 60,
        "location": {"kind": "physical", "location": "120 Market Street, Suite 400"},
        "description": "A deep-dive working session (paid in advance).",
        "weight": 1,
        "questions": ("discuss",),
        "payment": 150.0,
    },
    {
        "name": "Group Product Demo",
        "duration": 60,
        "location": {"kind": "zoom_conference"},
        "description": "A live walkthrough of the product for small groups.",
        "weight": 1,
        "questions": ("company",),
        "group_limit": 8,
    },
    {
        "name": "Legacy Intro Call",
        "duration": 20,
        "location": {"kind": "custom", "location": "We will send a link by email."},
        "description": None,
        "weight": 0,
        "questions": (),
        "inactive": True,
    },
)

QUESTION_POOL: dict[str, dict[str, Any]] = {
    "company": {"name": "Company name", "kind": "string", "required": True},
    "discuss": {"name": "What would you like to discuss?", "kind": "text", "required": False},
    "employees": {
        "name": "Number of employees",
        "kind": "single_select",
        "choices": ["1", "2-10", "11-50", "51-200", "200+"],
        "include_other": False,
    },
    "phone": {"name": "Phone number", "kind": "phone_number", "required": True},
    "topics": {
        "name": "Which topics interest you?",
        "kind": "multi_select",
        "choices": ["Onboarding", "Integrations", "Pricing", "Security"],
        "include_other": True,
    },
}
DISCUSS_ANSWERS = (
    "Pricing for a team of 12.",
    "How the integration with our CRM works.\nAlso SSO.",
    "Follow-up from last week's call.",
    "Migrating from our current tool.",
    "Quarterly planning.",
)
