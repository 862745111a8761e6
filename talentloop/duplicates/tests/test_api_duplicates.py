"""/api/v1/duplicates, /merges and /duplicate-scans: the review queue over JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.duplicates.models import DuplicateSuggestion, Merge
from talentloop.duplicates.services import merge_candidates

NO_SUCH_SUGGESTION = error("not_found", "No such duplicate suggestion.")


def test_lists_open_suggestions_best_first(
    alice_client: Client, make_pair: Callable[..., DuplicateSuggestion]
) -> None:
    weaker = make_pair("J.", "Doe")
    stronger = make_pair("Grace", "Hopper")

    response = call(alice_client, "GET", "/duplicates")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [stronger.pk, weaker.pk]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert (first["left"]["full_name"], first["status"]) == ("Grace Hopper", "open")
    assert first["evidence"][0] == {
        "field": "first_name",
        "left": "Grace",
        "right": "Grace",
        "how": "exact",
        "weight": 8.0,
    }


def test_pages_with_a_cursor_and_filters_by_min_score(
    alice_client: Client, make_pair: Callable[..., DuplicateSuggestion]
) -> None:
    pairs = [
        make_pair(*name) for name in (("Ada", "Byron"), ("Alan", "Turing"), ("Edsger", "Dijkstra"))
    ]

    first = call(alice_client, "GET", "/duplicates?limit=2").json()
    second = call(alice_client, "GET", f"/duplicates?limit=2&cursor={first['next_cursor']}").json()
    none = call(alice_client, "GET", "/duplicates?min_score=1").json()

    ids = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(ids) == sorted(p.pk for p in pairs)
    assert len(set(ids)) == 3
    assert second["next_cursor"] is None
    assert none == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=maybe", "status", "Status is one of: open, merged, dismissed."),
        ("min_score=2", "min_score", "Min score is a number from 0 to 1."),
        ("min_score=nan", "min_score", "Min score is a number from 0 to 1."),
        ("cursor=xyz", "cursor", "This cursor is not valid."),
        ("cursor=WyJhIiwxXQ", "cursor", "This cursor is not valid."),
        ("limit=0", "limit", "Limit is 1 to 200."),
    ],
)
def test_bad_list_parameters_name_the_field(
    alice_client: Client, query: str, field: str, message: str
) -> None:
    assert_refused(
        alice_client,
        "GET",
        f"/duplicates?{query}",
        status=422,
        body=error("invalid", message, field),
    )


def test_shows_one_pair_side_by_side(
    alice_client: Client, suggestion: DuplicateSuggestion, bob_smith: Candidate
) -> None:
    response = call(alice_client, "GET", f"/duplicates/{suggestion.pk}")

    assert response.status_code == 200
    fields = {f["name"]: f for f in response.json()["fields"]}
    assert fields["first_name"] == {
        "name": "first_name",
        "label": "First name",
        "left": "Robert",
        "right": "Bob",
        "same": False,
        "default": bob_smith.pk,
    }
    assert fields["city"]["same"] is True


def test_merges_a_pair_with_choices(
    alice_client: Client, suggestion: DuplicateSuggestion, robert: Candidate, bob_smith: Candidate
) -> None:
    response = call(
        alice_client,
        "POST",
        f"/duplicates/{suggestion.pk}/merge",
        {"choices": {"first_name": robert.pk}},
    )

    assert response.status_code == 201
    body = response.json()
    merge = Merge.objects.get()
    assert (body["id"], body["survivor_id"], body["other_id"]) == (
        merge.pk,
        robert.pk,
        bob_smith.pk,
    )
    assert body["can_undo"] is True
    assert body["moved"]["candidates.candidateemail"] == 1
    robert.refresh_from_db()
    assert (robert.first_name, robert.last_name) == ("Robert", "Smyth")


def test_the_survivor_must_be_one_of_the_pair(
    alice_client: Client, suggestion: DuplicateSuggestion, candidate: Candidate
) -> None:
    assert_refused(
        alice_client,
        "POST",
        f"/duplicates/{suggestion.pk}/merge",
        {"survivor_id": candidate.pk},
        status=422,
        body=error("invalid", "The survivor is one of the pair's two candidates.", "survivor_id"),
    )


def test_a_bad_choice_names_the_field(
    alice_client: Client, suggestion: DuplicateSuggestion
) -> None:
    assert_refused(
        alice_client,
        "POST",
        f"/duplicates/{suggestion.pk}/merge",
        {"choices": {"password": suggestion.left_id}},
        status=422,
        body=error(
            "invalid", "'password' is not a field these candidates can merge.", "choices.password"
        ),
    )


def test_a_recruiter_dismisses_and_the_pair_leaves_the_queue(
    bob_client: Client, suggestion: DuplicateSuggestion
) -> None:
    response = call(bob_client, "POST", f"/duplicates/{suggestion.pk}/dismiss")

    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert call(bob_client, "GET", "/duplicates").json()["items"] == []
    assert [
        i["id"] for i in call(bob_client, "GET", "/duplicates?status=dismissed").json()["items"]
    ] == [suggestion.pk]


def test_a_role_without_the_merge_capability_is_refused(
    sam: Any, suggestion: DuplicateSuggestion
) -> None:
    client = Client()
    client.force_login(sam)
    forbidden = error("forbidden", "Your role does not allow this.")

    for path in (f"/duplicates/{suggestion.pk}/merge", f"/duplicates/{suggestion.pk}/dismiss"):
        assert_refused(
            client, "POST", path, {} if "merge" in path else None, status=403, body=forbidden
        )
    assert_refused(client, "POST", "/duplicate-scans", {}, status=403, body=forbidden)


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [("GET", "", None), ("POST", "/merge", {}), ("POST", "/dismiss", None)],
)
def test_another_workspaces_pair_answers_like_a_missing_one(
    charlie_client: Client,
    suggestion: DuplicateSuggestion,
    method: str,
    suffix: str,
    data: Any,
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, method, f"/duplicates/{suggestion.pk}{suffix}", data),
        lambda: call(charlie_client, method, f"/duplicates/{MISSING_ID}{suffix}", data),
        body=NO_SUCH_SUGGESTION,
    )


def test_merging_another_workspaces_candidate_answers_like_a_missing_one(
    alice_client: Client, robert: Candidate, charlie_candidate: Candidate
) -> None:
    assert_like_missing(
        lambda: call(
            alice_client,
            "POST",
            "/merges",
            {"survivor_id": robert.pk, "other_id": charlie_candidate.pk},
        ),
        lambda: call(
            alice_client, "POST", "/merges", {"survivor_id": robert.pk, "other_id": MISSING_ID}
        ),
        body=error("not_found", "No such candidate."),
    )


def test_merges_any_two_candidates_and_undoes(
    alice_client: Client, robert: Candidate, bob_smith: Candidate
) -> None:
    merged = call(
        alice_client, "POST", "/merges", {"survivor_id": bob_smith.pk, "other_id": robert.pk}
    )
    merge_id = merged.json()["id"]

    undone = call(alice_client, "POST", f"/merges/{merge_id}/undo")
    again = call(alice_client, "POST", f"/merges/{merge_id}/undo")

    assert (merged.status_code, undone.status_code) == (201, 200)
    assert undone.json()["undone_at"] is not None
    assert undone.json()["can_undo"] is False
    assert again.status_code == 409
    assert again.json() == error("already_undone", "This merge was undone already.")
    assert [m["id"] for m in call(alice_client, "GET", "/merges").json()] == [merge_id]


def test_undoing_another_workspaces_merge_answers_like_a_missing_one(
    charlie_client: Client, alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    merge = merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    assert_like_missing(
        lambda: call(charlie_client, "POST", f"/merges/{merge.pk}/undo"),
        lambda: call(charlie_client, "POST", f"/merges/{MISSING_ID}/undo"),
        body=error("not_found", "No such merge."),
    )


def test_starts_a_scan_and_reports_its_status(
    alice_client: Client,
    robert: Candidate,
    bob_smith: Candidate,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = call(alice_client, "POST", "/duplicate-scans", {"threshold": 0.8})

    assert started.status_code == 202
    status = call(alice_client, "GET", f"/duplicate-scans/{started.json()['id']}").json()
    assert {
        k: status[k] for k in ("status", "percent", "processed", "total", "suggestions_found")
    } == {
        "status": "done",
        "percent": 100,
        "processed": 2,
        "total": 2,
        "suggestions_found": 1,
    }


def test_a_bad_threshold_names_the_field(alice_client: Client) -> None:
    response = call(alice_client, "POST", "/duplicate-scans", {"threshold": 3})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "threshold"


def test_another_workspaces_scan_answers_like_a_missing_one(
    charlie_client: Client, alice_client: Client
) -> None:
    scan_id = call(alice_client, "POST", "/duplicate-scans", {}).json()["id"]

    assert_like_missing(
        lambda: call(charlie_client, "GET", f"/duplicate-scans/{scan_id}"),
        lambda: call(charlie_client, "GET", f"/duplicate-scans/{MISSING_ID}"),
        body=error("not_found", "No such scan."),
    )
