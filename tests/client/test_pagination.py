"""Lazy pagination over every page, page by page, and resuming from a page token."""

from calendly_integration.client import Page, PagedCollection
from tests.client.helpers import api_requests


def test_nothing_is_requested_until_the_list_is_iterated(client, sim):
    events = client.list_scheduled_events(user=sim.owner.uri)

    assert isinstance(events, PagedCollection)
    assert api_requests(sim) == []


def test_iterating_follows_next_page_token_over_more_than_three_pages(client, sim):
    events = list(client.list_scheduled_events(user=sim.owner.uri))

    requests = api_requests(sim, "/scheduled_events")
    assert len(requests) > 3
    assert len(events) > 300
    assert len({e["uri"] for e in events}) == len(events)
    assert "page_token" not in requests[0].query
    assert all(r.query["page_token"] for r in requests[1:])
    assert all(r.query["user"] == [sim.owner.uri] for r in requests)


def test_pages_expose_collection_and_next_page_token(client, sim):
    pages = list(client.list_scheduled_events(user=sim.owner.uri, count=100).pages())

    assert all(isinstance(p, Page) for p in pages)
    assert all(len(p.collection) == 100 for p in pages[:-1])
    assert all(p.next_page_token for p in pages[:-1])
    assert pages[-1].next_page_token is None
    assert [p.page_token for p in pages[1:]] == [p.next_page_token for p in pages[:-1]]


def test_a_sync_can_stop_and_resume_from_a_stored_page_token(client, sim):
    everything = [e["uri"] for e in client.list_scheduled_events(user=sim.owner.uri)]

    first_pages = client.list_scheduled_events(user=sim.owner.uri).pages()
    seen = [e["uri"] for e in next(first_pages).collection]
    second = next(first_pages)
    seen += [e["uri"] for e in second.collection]
    stored_token = second.next_page_token
    sim.clear_requests()

    resumed = client.list_scheduled_events(user=sim.owner.uri, page_token=stored_token)
    seen += [e["uri"] for e in resumed]

    assert seen == everything
    assert api_requests(sim)[0].query["page_token"] == [stored_token]


def test_the_page_size_defaults_to_the_clients_and_can_be_set_per_call(client, sim):
    pages = client.list_scheduled_events(user=sim.owner.uri, count=7).pages()

    assert len(next(pages).collection) == 7
    assert api_requests(sim)[-1].query["count"] == ["7"]
