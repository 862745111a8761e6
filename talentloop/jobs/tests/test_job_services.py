"""Opening and changing jobs: validation, skills proposed from the description, roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for
from talentloop.jobs import services
from talentloop.jobs.models import Job

DESCRIPTION = """We are hiring a backend engineer.

Requirements:
- 5+ years of Python and Django
- PostgreSQL in production

Nice to have:
- Kubernetes
- Experience with React is a plus
"""


def _skills(job: Job) -> list[tuple[str, str, int, bool]]:
    return [(s.name, s.kind, s.weight, s.proposed) for s in job.skills.order_by("id")]


def test_skills_are_proposed_from_the_description(alice_actor: Actor) -> None:
    job = services.create_job(
        actor=alice_actor, data={"title": "Backend Engineer", "description": DESCRIPTION}
    )

    assert _skills(job) == [
        ("Python", "must", 3, True),
        ("Django", "must", 3, True),
        ("PostgreSQL", "must", 3, True),
        ("Kubernetes", "nice", 3, True),
        ("React", "nice", 3, True),
    ]


def test_typed_skills_are_normalized_and_kept_over_a_new_description(alice_actor: Actor) -> None:
    job = services.create_job(
        actor=alice_actor,
        data={
            "title": "Frontend Engineer",
            "skills": [{"name": "js", "weight": 5}, {"name": "CSS", "kind": "nice"}],
        },
    )
    assert _skills(job) == [("JavaScript", "must", 5, False), ("CSS", "nice", 3, False)]

    services.update_job(actor=alice_actor, job=job, data={"description": "Must know Python."})

    assert _skills(job) == [
        ("JavaScript", "must", 5, False),
        ("CSS", "nice", 3, False),
        ("Python", "must", 3, True),
    ]


def test_a_new_description_replaces_only_proposed_skills(alice_actor: Actor) -> None:
    job = services.create_job(
        actor=alice_actor, data={"title": "Engineer", "description": "Python and Docker."}
    )
    services.update_job(actor=alice_actor, job=job, data={"description": "Go and Docker."})

    assert sorted(s.name for s in job.skills.all()) == ["Docker", "Go"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "  "}, "title", "A job title is required."),
        ({"title": "x" * 201}, "title", "At most 200 characters."),
        (
            {"title": "A", "status": "paused"},
            "status",
            "'paused' is not one of: draft, open, on_hold, filled, closed.",
        ),
        (
            {"title": "A", "remote_policy": "moon"},
            "remote_policy",
            "'moon' is not one of: onsite, hybrid, remote.",
        ),
        ({"title": "A", "years_min": -1}, "years_min", "Must be a whole number from 0 to 60."),
        (
            {"title": "A", "years_min": 5, "years_max": 2},
            "years_max",
            "Cannot be below the minimum years.",
        ),
        ({"title": "A", "openings": 0}, "openings", "Must be a whole number from 1 to 1000."),
        ({"title": "A", "country": "Atlantis"}, "country", None),
        (
            {"title": "A", "hiring_manager_id": 987654321},
            "hiring_manager_id",
            "The hiring manager must be a member of this workspace.",
        ),
        (
            {"title": "A", "skills": [{"name": "Go"}, {"name": "go"}]},
            "skills[1].name",
            "Go is listed twice.",
        ),
        (
            {"title": "A", "skills": [{"name": "Go", "weight": 9}]},
            "skills[0].weight",
            "Must be a whole number from 1 to 5.",
        ),
        (
            {"title": "A", "skills": [{"name": "Go", "kind": "maybe"}]},
            "skills[0].kind",
            "'maybe' is not one of: must, nice.",
        ),
        ({"title": "A", "match_weights": {"luck": 1}}, "match_weights.luck", None),
        (
            {"title": "A", "match_weights": {"skills": 101}},
            "match_weights.skills",
            "Must be a number from 0 to 100.",
        ),
    ],
)
def test_bad_input_names_the_field(
    alice_actor: Actor, data: dict[str, Any], field: str, message: str | None
) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.create_job(actor=alice_actor, data=data)

    assert raised.value.field == field
    if message:
        assert raised.value.message == message
    assert not Job.objects.exists()


def test_a_hiring_manager_of_another_workspace_is_refused(
    alice_actor: Actor, charlie: User
) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.create_job(actor=alice_actor, data={"title": "A", "hiring_manager_id": charlie.pk})
    assert raised.value.field == "hiring_manager_id"


def test_closing_sets_and_reopening_clears_closed_at(alice_actor: Actor) -> None:
    job = services.create_job(actor=alice_actor, data={"title": "Chef"})
    services.update_job(actor=alice_actor, job=job, data={"status": "filled"})
    assert job.closed_at is not None
    services.update_job(actor=alice_actor, job=job, data={"status": "open"})
    assert job.closed_at is None


@pytest.mark.parametrize(
    "role", [Role.SOURCER, Role.COORDINATOR, Role.HIRING_MANAGER, Role.AUDITOR]
)
def test_only_admins_and_recruiters_open_jobs(
    acme: Workspace, member_factory: Callable[..., User], role: Role
) -> None:
    actor = actor_for(member_factory(f"{role}@acme.test", acme, role))

    with pytest.raises(Forbidden):
        services.create_job(actor=actor, data={"title": "Chef"})


def test_bob_the_recruiter_opens_jobs(bob_actor: Actor) -> None:
    assert services.create_job(actor=bob_actor, data={"title": "Chef"}).pk


def test_a_change_notifies_subscribers_after_commit(
    alice_actor: Actor, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(services, "_after_change", [lambda job: seen.append(job.pk)])

    with django_capture_on_commit_callbacks(execute=True):
        job = services.create_job(actor=alice_actor, data={"title": "Chef"})
        assert seen == []

    assert seen == [job.pk]
