"""The search API: results, bad input as 4xx naming the field, saved searches per member."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor

URL = "/api/v1/search"


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate]) -> list[Candidate]:
    return [
        candidate_factory(first_name="Ada", current_title="Data Engineer", tags=["python"]),
        candidate_factory(first_name="Bea", current_title="Data Analyst", seniority="senior"),
    ]


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_get_with_filters(alice_client: Client, people: list[Candidate]) -> None:
    response = alice_client.get(URL, {"q": "title:data", "seniority": "senior,mid"})
    assert response.status_code == 200
    body = response.json()
    assert [item["first_name"] for item in body["items"]] == ["Bea"]
    assert body["count"] == 1 and body["count_capped"] is False
    assert body["understood"] == "title:data"
    assert body["items"][0]["highlights"]["title"] == "<mark>Data</mark> Analyst"
    response = alice_client.get(URL + "?q=data&tags=python&tags=nope")
    assert response.json()["items"] == []


def test_post_with_json_filters(alice_client: Client, people: list[Candidate]) -> None:
    response = post(alice_client, URL, {"q": "data", "filters": {"tags": ["python"]}})
    assert response.status_code == 200
    assert [item["first_name"] for item in response.json()["items"]] == ["Ada"]
    first = post(alice_client, URL, {"q": "data", "limit": 1}).json()
    assert [item["first_name"] for item in first["items"]] == ["Bea"]
    second = post(alice_client, URL, {"q": "data", "limit": 1, "cursor": first["next_cursor"]})
    assert [item["first_name"] for item in second.json()["items"]] == ["Ada"]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"q": "(java"}, "q", "query_syntax"),
        ({"q": "salary:100k"}, "q", "query_syntax"),
        ({"q": "x " * 6000}, "q", "query_syntax"),
        ({"q": "java", "colour": "red"}, "colour", "invalid"),
        ({"q": "java", "years_min": "many"}, "years_min", "invalid"),
        ({"q": "java", "limit": "lots"}, "limit", "invalid"),
        ({"q": "java", "limit": "1000"}, "limit", "invalid"),
        ({"q": "java", "cursor": "not-a-cursor"}, "cursor", "invalid"),
        ({"q": "java\x00"}, "q", "invalid"),
        ({"q": "java", "tags": "a\x00"}, "filters", "invalid"),
    ],
)
def test_bad_input_is_a_clear_4xx(
    alice_client: Client, people: list[Candidate], params: dict[str, str], field: str, code: str
) -> None:
    response = alice_client.get(URL, params)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert (error["field"], error["code"]) == (field, code)
    if code == "query_syntax":
        assert isinstance(error["position"], int)


def test_post_bad_body(alice_client: Client) -> None:
    response = post(alice_client, URL, {"q": "a", "filters": {"seniority": ["wizard"]}})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "seniority"
    response = post(alice_client, URL, {"q": "a", "sort": "best"})
    assert response.status_code == 422
    response = post(alice_client, URL, {"q": "a", "filters": []})
    assert response.status_code == 422


def test_validate(alice_client: Client) -> None:
    response = post(alice_client, URL + "/validate", {"q": "java OR"})
    assert response.json() == {
        "valid": False,
        "understood": "",
        "error": {"message": "OR needs a term after it.", "position": 5},
    }
    response = post(alice_client, URL + "/validate", {"q": "a OR b c"})
    assert response.json() == {"valid": True, "understood": "(a OR (b AND c))", "error": None}


def test_needs_authentication(client: Client) -> None:
    assert client.get(URL, {"q": "x"}).status_code == 401


def test_charlie_never_sees_acme(
    charlie_client: Client, people: list[Candidate], charlie_candidate: Candidate
) -> None:
    for q in ("data", "title:data OR name:ada", "ada*"):
        assert charlie_client.get(URL, {"q": q}).json()["items"] == []
    for q in ("", "NOT zzz", "other"):
        items = charlie_client.get(URL, {"q": q}).json()["items"]
        assert [item["id"] for item in items] == [charlie_candidate.pk]


def test_api_key(
    client: Client, api_key_factory: Callable[..., str], people: list[Candidate]
) -> None:
    secret = api_key_factory("read")
    response = client.get(URL, {"q": "engineer"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [item["first_name"] for item in response.json()["items"]] == ["Ada"]


def test_saved_searches_crud(
    alice_client: Client, bob_client: Client, charlie_client: Client, alice_actor: Actor
) -> None:
    body = {"name": "Data people", "query": "title:data", "filters": {"tags": "python"}}
    response = post(alice_client, "/api/v1/saved-searches", body)
    assert response.status_code == 201, response.content
    saved = response.json()
    assert saved["filters"] == {"tags": ["python"]} and saved["alert"] is True
    url = f"/api/v1/saved-searches/{saved['id']}"
    assert post(alice_client, "/api/v1/saved-searches", body).status_code == 409
    # Bob (same workspace) and Charlie (another) cannot see or change Alice's search.
    for other in (bob_client, charlie_client):
        assert other.get(url).status_code == 404
        assert other.delete(url).status_code == 404
        assert other.get("/api/v1/saved-searches").json() == []
    response = alice_client.patch(
        url, json.dumps({"query": "title:(data"}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["position"] == 6
    response = alice_client.patch(
        url, json.dumps({"alert": False, "name": "Data"}), content_type="application/json"
    )
    assert response.json()["alert"] is False and response.json()["name"] == "Data"
    response = post(alice_client, "/api/v1/saved-searches", {"name": "Empty"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "query"
    response = post(alice_client, "/api/v1/saved-searches", {"name": "x", "filters": {"a": 1}})
    assert response.status_code == 422 and response.json()["error"]["field"] == "a"
    assert alice_client.delete(url).status_code == 204
    assert alice_client.get(url).status_code == 404
