"""The pages: review queue, compare and merge, not-a-duplicate, merged list with undo, scan."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import stored_state
from talentloop.duplicates.models import DuplicateScan, DuplicateSuggestion, Merge
from talentloop.duplicates.services import merge_candidates


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/duplicates/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/duplicates/"


def test_queue_groups_pairs_sharing_a_candidate(
    alice_client: Client, candidate_factory: Callable[..., Candidate], make_pair: Any
) -> None:
    from talentloop.duplicates.services import check_candidate

    a = candidate_factory(first_name="William", last_name="Blake")
    b = candidate_factory(first_name="Bill", last_name="Blake")
    c = candidate_factory(first_name="Will", last_name="Blake")
    for person in (a, b, c):
        check_candidate(candidate_id=person.pk)
    make_pair("Mary", "Shelley")

    response = alice_client.get("/duplicates/")

    assert response.status_code == HTTPStatus.OK
    sizes = sorted(len(cluster) for cluster in response.context["clusters"])
    assert sizes == [1, 3]
    html = response.content.decode()
    assert "3 pairs share a candidate" in html
    assert (
        '<strong>first_name</strong>: William / Bill <span class="muted">'
        "(nickname, +6.6 bits)</span>" in html
    )
    assert 'value="6.6" title="+6.6 bits for"></meter>' in html
    assert 'href="/duplicates/merges/"' in html


def test_queue_shows_a_bad_filter_as_a_message(alice_client: Client) -> None:
    response = alice_client.get("/duplicates/?min_score=abc")

    assert response.status_code == HTTPStatus.OK
    assert response.context["error"] == "Min score is a number from 0 to 1."


def test_compare_page_has_a_radio_per_field(
    alice_client: Client, suggestion: DuplicateSuggestion, bob_smith: Candidate
) -> None:
    response = alice_client.get(f"/duplicates/{suggestion.pk}/")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert f'name="choice_first_name" value="{bob_smith.pk}" checked' in html
    assert 'name="choice_city"' not in html  # the same on both: nothing to choose
    assert ">Merge</button>" in html
    assert ">Not a duplicate</button>" in html


def test_merge_from_the_compare_page(
    alice_client: Client, suggestion: DuplicateSuggestion, robert: Candidate, bob_smith: Candidate
) -> None:
    response = alice_client.post(
        f"/duplicates/{suggestion.pk}/merge",
        {"survivor": robert.pk, "choice_first_name": robert.pk, "choice_last_name": bob_smith.pk},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/candidates/{robert.pk}/"
    robert.refresh_from_db()
    assert (robert.first_name, robert.last_name) == ("Robert", "Smyth")
    assert Merge.objects.get().other_id == bob_smith.pk


def test_merge_with_a_bad_choice_shows_the_page_again(
    alice_client: Client, suggestion: DuplicateSuggestion, robert: Candidate
) -> None:
    before = stored_state()

    response = alice_client.post(
        f"/duplicates/{suggestion.pk}/merge", {"survivor": robert.pk, "choice_city": "x"}
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["error"] == "Choose one of the two candidates."
    assert stored_state() == before


def test_not_a_duplicate(alice_client: Client, suggestion: DuplicateSuggestion) -> None:
    response = alice_client.post(f"/duplicates/{suggestion.pk}/dismiss")

    assert response.status_code == HTTPStatus.FOUND
    suggestion.refresh_from_db()
    assert suggestion.status == "dismissed"


def test_a_sourcer_may_look_but_not_merge(sam: Any, suggestion: DuplicateSuggestion) -> None:
    client = Client()
    client.force_login(sam)
    page = client.get(f"/duplicates/{suggestion.pk}/").content.decode()
    before = stored_state()

    response = client.post(f"/duplicates/{suggestion.pk}/dismiss")

    assert ">Merge</button>" not in page
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert stored_state() == before


def test_another_workspaces_pair_is_not_found(
    charlie_client: Client, suggestion: DuplicateSuggestion
) -> None:
    before = stored_state()

    assert charlie_client.get(f"/duplicates/{suggestion.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert (
        charlie_client.post(f"/duplicates/{suggestion.pk}/dismiss").status_code
        == HTTPStatus.NOT_FOUND
    )
    assert stored_state() == before


def test_merged_list_undoes_a_merge(
    alice_client: Client, alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    merge = merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    page = alice_client.get("/duplicates/merges/").content.decode()
    response = alice_client.post(f"/duplicates/merges/{merge.pk}/undo")

    assert f'action="/duplicates/merges/{merge.pk}/undo"' in page
    assert response.status_code == HTTPStatus.FOUND
    bob_smith.refresh_from_db()
    assert bob_smith.deleted_at is None
    assert "Undone" in alice_client.get("/duplicates/merges/").content.decode()


def test_scan_page_starts_a_scan_and_shows_progress(
    alice_client: Client,
    robert: Candidate,
    bob_smith: Candidate,
    django_capture_on_commit_callbacks: Any,
) -> None:
    empty = alice_client.get("/duplicates/scan").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/duplicates/scan")

    page = alice_client.get("/duplicates/scan").content.decode()
    status = alice_client.get("/duplicates/scan/status").json()
    assert "No scan has run" in empty
    assert response.status_code == HTTPStatus.FOUND
    assert '<progress max="100" value="100"' in page
    assert (status["scan"]["status"], status["scan"]["suggestions_found"]) == ("done", 1)


def test_a_running_scan_page_refreshes_itself(alice_client: Client, alice_actor: Actor) -> None:
    DuplicateScan.objects.create(
        workspace=alice_actor.workspace,
        threshold=0.75,
        status="running",
        candidates_total=200,
        candidates_indexed=50,
    )

    page = alice_client.get("/duplicates/scan").content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="12"' in page
    assert "50 of 200 candidates indexed" in page
