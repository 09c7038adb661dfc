"""Driving the admin like a person: pick an action, read the confirmation page, confirm."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.contrib.messages import get_messages
from django.urls import reverse

from calendly_integration.models import Connection


def changelist_url(model: Any) -> str:
    return reverse(f"admin:calendly_integration_{model._meta.model_name}_changelist")


def change_url(obj: Any) -> str:
    return reverse(f"admin:calendly_integration_{obj._meta.model_name}_change", args=[obj.pk])


def pick_action(client, model: Any, action: str, objects: list) -> Any:
    """POST the changelist's action form, as the "Go" button does."""
    return client.post(
        changelist_url(model),
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0},
    )


def confirm(client, confirmation_url: str, **data: Any) -> Any:
    """POST the confirmation page's form (with the ids it carries)."""
    page = client.get(confirmation_url)
    assert page.status_code == 200, page.content
    form = FormReader.read(page.content.decode())
    return client.post(confirmation_url, {**form.hidden, **data})


def run_action(client, model: Any, action: str, objects: list, **data: Any) -> Any:
    """Pick, confirm, and return the answer to the confirmation (a redirect or a page)."""
    picked = pick_action(client, model, action, objects)
    assert picked.status_code == 302, picked.content
    return confirm(client, picked["Location"], **data)


def messages_of(response) -> list[tuple[str, str]]:
    """(level tag, text) of every message the response carried."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


class FormReader(HTMLParser):
    """The hidden inputs of the confirmation form."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}

    @classmethod
    def read(cls, html: str) -> FormReader:
        reader = cls()
        reader.feed(html)
        return reader

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if (
            tag == "input"
            and values.get("type") == "hidden"
            and values.get("name") != "csrfmiddlewaretoken"
        ):
            self.hidden[values["name"]] = values.get("value", "")


def owner_connection() -> Connection:
    return Connection.objects.order_by("pk").first()
