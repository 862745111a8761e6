from django.test import Client

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate


def test_profile_page_shows_candidate(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.get(f"/candidates/{candidate.pk}/")
    assert response.status_code == 200
    assert b"Grace Hopper" in response.content


def test_api_lists_candidates(alice_client: Client, candidate: Candidate, bob: User) -> None:
    response = alice_client.get("/api/v1/candidates?q=hop")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [candidate.pk]
