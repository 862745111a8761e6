"""Rediscovery end to end on the database: a job opens, the whole workspace is re-scored in
the background, the best candidates are kept with their evidence, and decisions stick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import record_activity
from talentloop.core.actor import Actor
from talentloop.jobs import services as job_services
from talentloop.jobs.models import Job
from talentloop.matching import selectors, services
from talentloop.matching.models import CandidateEmbedding, MatchSuggestion, Rediscovery

MakeCandidate = Callable[..., Candidate]


def _open_job(actor: Actor, capture: Any, **data: Any) -> Job:
    with capture(execute=True):
        return job_services.create_job(
            actor=actor,
            data={
                "title": "Data Engineer",
                "description": "Build data pipelines. Requirements: Python, SQL.\n"
                "Nice to have: Apache Spark",
                "country": "DE",
                "years_min": 4,
                **data,
            },
        )


def test_opening_a_job_rediscovers_and_explains(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    assert CandidateEmbedding.objects.count() == 3

    job = _open_job(alice_actor, django_capture_on_commit_callbacks)

    run = Rediscovery.objects.get(job=job)
    assert (run.status, run.percent, run.candidates_total) == ("done", 100, 3)
    rows = selectors.job_matches(alice_actor, job)
    names = [row.candidate.first_name for row in rows]
    assert names == ["Dana", "Sam", "Pat"]  # the pastry chef is found by meaning, ranked last
    top = rows[0].suggestion
    skills = next(c for c in top.criteria if c["key"] == "skills")
    assert sorted(m["skill"] for m in skills["evidence"]["matched"]) == [
        "Apache Spark", "Python", "SQL"
    ]  # fmt: skip
    assert top.labels == ["past_applicant"]
    assert rows[0].is_new


def test_the_same_input_gives_the_same_scores(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    job = _open_job(alice_actor, django_capture_on_commit_callbacks)
    first = {s.candidate_id: (s.score, s.criteria) for s in MatchSuggestion.objects.all()}

    services.run_rediscovery(services.start_rediscovery(job).pk)

    again = {s.candidate_id: (s.score, s.criteria) for s in MatchSuggestion.objects.all()}
    assert again == first


def test_a_dismissed_candidate_stays_dismissed_after_a_new_run(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    job = _open_job(alice_actor, django_capture_on_commit_callbacks)
    dana = MatchSuggestion.objects.get(job=job, candidate=people["dana"])
    services.decide(actor=alice_actor, suggestion=dana, decision="dismiss")

    with django_capture_on_commit_callbacks(execute=True):
        job_services.update_job(actor=alice_actor, job=job, data={"years_min": 3})

    dana.refresh_from_db()
    assert dana.status == "dismissed"
    assert "Dana" not in [r.candidate.first_name for r in selectors.job_matches(alice_actor, job)]
    assert [r.candidate.first_name for r in selectors.job_matches(
        alice_actor, job, status="dismissed")] == ["Dana"]  # fmt: skip


def test_tuned_weights_change_the_order(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    job = _open_job(
        alice_actor,
        django_capture_on_commit_callbacks,
        title="Developer",
        description="",
        skills=[{"name": "Django"}],
        years_min=None,
        country="",
        match_weights={"skills": 100, "lexical": 0, "title": 0, "semantic": 0},
    )

    rows = selectors.job_matches(alice_actor, job)
    assert rows[0].candidate.first_name == "Sam"


def test_a_run_is_claimed_once(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    job = job_services.create_job(actor=alice_actor, data={"title": "Data Engineer"})
    run = services.start_rediscovery(job)
    assert services.start_rediscovery(job).pk == run.pk  # one queued run per job

    assert services.run_rediscovery(run.pk) is not None
    assert services.run_rediscovery(run.pk) is None  # already done: nothing happens twice


def test_silver_medalists_are_labelled(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    record_activity(
        candidate=people["sam"],
        type=Activity.Type.ATS_STAGE_CHANGE,
        channel=Activity.Channel.ATS,
        actor=None,
        payload={"stage": "final", "silver_medalist": True},
    )
    job = _open_job(alice_actor, django_capture_on_commit_callbacks)

    sam = MatchSuggestion.objects.get(job=job, candidate=people["sam"])
    assert sam.labels == ["past_applicant", "silver_medalist"]
    past = next(c for c in sam.criteria if c["key"] == "past_process")
    assert past["score"] == 1.0


def test_similar_candidates_leave_the_person_out(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    found = services.similar_candidates(alice_actor, people["dana"], limit=5)

    names = [c.first_name for _, c in found]
    assert "Dana" not in names
    assert names[0] == "Sam"


def test_the_sweep_embeds_only_what_changed(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    from talentloop.candidates.services import update_candidate

    assert services.sweep_embeddings() == 0  # the fixture's sweep embedded everyone

    update_candidate(
        actor=alice_actor, candidate=people["pat"], data={"current_title": "Head Baker"}
    )

    before = CandidateEmbedding.objects.get(candidate=people["pat"]).vector
    assert services.sweep_embeddings() == 1
    assert CandidateEmbedding.objects.get(candidate=people["pat"]).vector != before


def test_the_backfill_command_embeds_everyone_missing(people: dict[str, Candidate]) -> None:
    import io

    from django.core.management import call_command

    CandidateEmbedding.objects.filter(candidate=people["sam"]).delete()
    out = io.StringIO()

    call_command("match_embed", stdout=out)

    assert out.getvalue().startswith("Embedded 1 candidates")
    assert CandidateEmbedding.objects.count() == 3


def test_a_hiring_manager_sees_the_candidates_shortlisted_for_their_jobs(
    alice_actor: Actor,
    people: dict[str, Candidate],
    member_factory: Callable[..., Any],
    acme: Any,
) -> None:
    from talentloop.accounts.roles import Role
    from talentloop.candidates.selectors import access_candidate, visible_candidates
    from talentloop.core.errors import NotFound
    from talentloop.core.tests.fixtures import actor_for

    manager = member_factory("hm@acme.test", acme, Role.HIRING_MANAGER)
    job = job_services.create_job(
        actor=alice_actor, data={"title": "Data Engineer", "hiring_manager_id": manager.pk}
    )
    services.run_rediscovery(services.start_rediscovery(job).pk)
    hm = actor_for(manager)
    dana = people["dana"]
    with pytest.raises(NotFound):
        access_candidate(hm, dana.pk)

    suggestion = MatchSuggestion.objects.get(job=job, candidate=dana)
    services.decide(actor=alice_actor, suggestion=suggestion, decision="accept")

    assert access_candidate(hm, dana.pk) == dana
    assert list(visible_candidates(hm)) == [dana]


def test_a_candidate_who_replied_scores_engagement(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    record_activity(
        candidate=people["sam"],
        type=Activity.Type.EMAIL_REPLIED,
        channel=Activity.Channel.EMAIL,
        actor=None,
        inbound=True,
        summary="Re: Data Engineer at Acme",
    )
    job = _open_job(alice_actor, django_capture_on_commit_callbacks)

    sam = MatchSuggestion.objects.get(job=job, candidate=people["sam"])
    dana = MatchSuggestion.objects.get(job=job, candidate=people["dana"])
    engaged = next(c for c in sam.criteria if c["key"] == "engagement")
    quiet = next(c for c in dana.criteria if c["key"] == "engagement")
    assert engaged["score"] == pytest.approx(0.551)  # one fresh reply: 55.1 of 100
    assert engaged["evidence"]["engagement"] == 55.1
    assert quiet["score"] == 0.0
    assert quiet["evidence"]["engagement"] is None
