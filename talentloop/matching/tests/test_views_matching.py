"""The matching pages: a job's matches with evidence, decisions, weights, progress, similar
candidates; other workspaces see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.jobs import services as job_services
from talentloop.jobs.models import Job
from talentloop.matching.models import MatchSuggestion


@pytest.fixture
def job(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        return job_services.create_job(
            actor=alice_actor,
            data={"title": "Data Engineer", "description": "Python and SQL", "years_min": 4},
        )


def test_the_job_page_lists_matches_with_evidence(alice_client: Client, job: Job) -> None:
    html = alice_client.get(f"/jobs/{job.pk}/").content.decode()

    assert "Dana" in html and "Why " in html
    assert "Has Python" in html
    assert '<span class="tag new">new</span>' in html
    # The look marks them seen: the next visit shows nothing new.
    assert (
        '<span class="tag new">new</span>'
        not in alice_client.get(f"/jobs/{job.pk}/").content.decode()
    )


def test_shortlist_and_dismiss_move_between_tabs(alice_client: Client, job: Job) -> None:
    dana = MatchSuggestion.objects.get(job=job, candidate__first_name="Dana")

    response = alice_client.post(
        f"/matching/suggestions/{dana.pk}/decision", {"decision": "accept"}
    )

    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.status == "accepted"
    assert "Dana" in alice_client.get(f"/jobs/{job.pk}/?matches=accepted").content.decode()
    alice_client.post(f"/matching/suggestions/{dana.pk}/decision", {"decision": "nonsense"})
    dana.refresh_from_db()
    assert dana.status == "accepted"


def test_weights_are_saved_and_validated(
    alice_client: Client, job: Job, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/matching/jobs/{job.pk}/weights", {"w_skills": "5", "w_lexical": "1"})
    job.refresh_from_db()
    assert job.match_weights == {"skills": 5.0}  # lexical 1 is the default: not an override

    alice_client.post(f"/matching/jobs/{job.pk}/weights", {"w_skills": "500"})
    job.refresh_from_db()
    assert job.match_weights == {"skills": 5.0}


def test_progress_and_rerun(alice_client: Client, job: Job) -> None:
    assert alice_client.get(f"/matching/jobs/{job.pk}/status.json").json()["status"] == "done"
    assert alice_client.post(f"/matching/jobs/{job.pk}/rediscover").status_code == 302
    assert alice_client.get(f"/matching/jobs/{job.pk}/status.json").json()["status"] == "queued"


def test_similar_candidates_page(alice_client: Client, people: dict[str, Candidate]) -> None:
    html = alice_client.get(f"/matching/candidates/{people['dana'].pk}/similar").content.decode()

    assert "Similar to Dana" in html
    assert html.index("Sam") < html.index("Pat")


def test_other_workspaces_get_404(
    charlie_client: Client, job: Job, people: dict[str, Candidate]
) -> None:
    suggestion = MatchSuggestion.objects.filter(job=job).first()
    assert suggestion is not None
    for url in (
        f"/matching/jobs/{job.pk}/status.json",
        f"/matching/candidates/{people['dana'].pk}/similar",
    ):
        assert charlie_client.get(url).status_code == 404
    for url in (
        f"/matching/jobs/{job.pk}/rediscover",
        f"/matching/jobs/{job.pk}/weights",
        f"/matching/suggestions/{suggestion.pk}/decision",
    ):
        assert charlie_client.post(url, {"decision": "dismiss"}).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"
