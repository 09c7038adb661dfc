"""Routing forms and their submissions."""

from tests.client.helpers import api_requests


def test_list_and_get_routing_forms(client, sim):
    forms = list(
        client.list_routing_forms(organization=sim.organization_uri, sort="created_at:asc")
    )

    assert forms
    assert client.get_routing_form(forms[0]["uri"])["uri"] == forms[0]["uri"]
    assert api_requests(sim, "/routing_forms")[-1].query == {
        "organization": [sim.organization_uri],
        "sort": ["created_at:asc"],
        "count": ["100"],
    }


def test_list_and_get_submissions_of_a_form(client, sim):
    forms = list(client.list_routing_forms(organization=sim.organization_uri))
    submissions = [
        s for form in forms for s in client.list_routing_form_submissions(form=form["uri"])
    ]

    assert submissions
    first = submissions[0]
    assert client.get_routing_form_submission(first["uri"])["uri"] == first["uri"]
    assert api_requests(sim, "/routing_form_submissions")[-1].query["form"] == [forms[-1]["uri"]]
