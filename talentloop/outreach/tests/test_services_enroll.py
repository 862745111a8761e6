"""Enrolment: who gets on a sequence, who is skipped and why, and that nothing else happens."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Activity, Candidate, CandidateEmail
from talentloop.candidates.services import log_touchpoint
from talentloop.compliance.models import ConsentRecord
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.outreach import policy, services
from talentloop.outreach.models import Enrollment, Sequence, Suppression
from talentloop.pools.models import Pool, PoolMembership, Segment
from talentloop.pools.services import ensure_default_stages

UTC = dt.UTC
# Monday 2 March 2026, 10:00 UTC: inside a 09:00-17:00 window in London, after it in Tokyo.
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _nothing_written() -> None:
    assert Enrollment.objects.exists() is False
    assert Activity.objects.filter(type=services.SEQUENCE_ENROLLED).exists() is False


def test_enrols_a_consenting_candidate_on_the_first_step(
    alice_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    woken: list[bool] = []
    monkeypatch.setattr(services, "wake_engine", lambda: woken.append(True))
    tokyo = prospect_factory(first_name="Yuki", last_name="Tanaka", timezone="Asia/Tokyo")

    with (
        time_machine.travel(MONDAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[tokyo.pk])

    enrollment = Enrollment.objects.get()
    # 19:00 in Tokyo is past the window: Tuesday 09:00 there, 00:00 UTC.
    tuesday = dt.datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert (enrollment.candidate, enrollment.status, enrollment.next_step) == (tokyo, "active", 0)
    assert (enrollment.next_step_at, enrollment.enrolled_by_id) == (tuesday, alice_actor.user_id)
    assert report.counts == {
        "enrolled": 1,
        "already_enrolled": 0,
        "reentry_refused": 0,
        "skipped": 0,
        "collision": 0,
    }
    assert report.outcomes == [
        services.EnrollmentOutcome(
            tokyo.pk,
            "Yuki Tanaka",
            "enrolled",
            enrollment_id=enrollment.pk,
            next_step_at=tuesday,
        )
    ]
    entry = Activity.objects.get(candidate=tokyo, type="sequence_enrolled")
    assert entry.summary == (
        "Enrolled in the sequence Backend outreach by alice@acme.test; "
        "first step (E-mail) due 3 Mar 2026 00:00 UTC"
    )
    assert entry.payload == {
        "sequence_id": sequence.pk,
        "sequence": "Backend outreach",
        "enrollment_id": enrollment.pk,
        "next_step_at": "2026-03-03T00:00:00+00:00",
    }
    assert (entry.actor_id, entry.channel) == (alice_actor.user_id, "internal")
    assert woken == [True]


def test_a_candidate_without_timezone_uses_the_workspace_default(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    rules = policy.settings_for(alice_actor.workspace)
    rules.default_timezone = "America/New_York"
    rules.save()

    with time_machine.travel(MONDAY, tick=False):
        services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    # 05:00 in New York: the window opens at 09:00 there, 14:00 UTC.
    assert Enrollment.objects.get().next_step_at == dt.datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_enrolling_twice_is_idempotent(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    first = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    again = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    enrollment = Enrollment.objects.get()
    assert first.outcomes[0].enrollment_id == enrollment.pk
    assert again.outcomes == [
        services.EnrollmentOutcome(
            prospect.pk,
            "Katherine Johnson",
            "already_enrolled",
            message="Already in this sequence.",
            enrollment_id=enrollment.pk,
            next_step_at=enrollment.next_step_at,
        )
    ]
    assert Activity.objects.filter(type="sequence_enrolled").count() == 1


def test_a_racer_that_inserted_first_is_reported_as_already_enrolled(
    alice_actor: Actor, sequence: Sequence, prospect_factory: Callable[..., Candidate]
) -> None:
    # Two requests read "not enrolled" at once; the second one's insert meets the partial
    # unique constraint. Its batch falls back to row-by-row inserts, keeping the others.
    first, second = prospect_factory(), prospect_factory()
    Enrollment.objects.create(
        workspace=alice_actor.workspace, sequence=sequence, candidate=first, status="active"
    )
    now = timezone.now()

    created, raced = services._insert_enrollments(
        alice_actor, sequence, [first.pk, second.pk], {first.pk: now, second.pk: now}, now
    )

    assert raced == {first.pk}
    assert list(created) == [second.pk]
    assert Enrollment.objects.filter(candidate=first).count() == 1
    assert Enrollment.objects.get(candidate=second).pk == created[second.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_enrolments_write_one_enrolment_each(
    alice_actor: Actor, prospect_factory: Callable[..., Candidate], sequence: Sequence
) -> None:
    people = [prospect_factory() for _ in range(30)]
    ids = [p.pk for p in people]
    barrier = threading.Barrier(2)
    reports: list[services.EnrollmentReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            reports.append(services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=ids))
        except BaseException as error:  # reported below, on the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Enrollment.objects.filter(sequence=sequence).count() == 30
    assert sorted(r.counts["enrolled"] for r in reports) == sorted(
        [30 - r.counts["already_enrolled"] for r in reports]
    )
    assert sum(r.counts["enrolled"] for r in reports) == 30
    assert sum(r.counts["already_enrolled"] for r in reports) == 30
    assert Activity.objects.filter(type="sequence_enrolled").count() == 30


@pytest.mark.parametrize(
    ("setup", "reason", "message"),
    [
        ("do_not_contact", "do_not_contact", "The candidate is marked do-not-contact."),
        ("archived", "inactive", "The candidate is archived or deleted."),
        ("withdrawn", "withdrawn", "The candidate withdrew consent for this channel and purpose."),
        ("no_address", "no_address", "No e-mail address or phone number for this channel."),
        (
            "suppressed",
            "suppressed",
            "The address is on the suppression list (unsubscribed, bounced or complained).",
        ),
        ("bounced", "bounced", "The e-mail address bounced; it needs a refresh."),
    ],
)
def test_skips_people_who_may_not_be_contacted(
    alice_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
    setup: str,
    reason: str,
    message: str,
) -> None:
    person = prospect_factory(**({"emails": []} if setup == "no_address" else {}))
    if setup == "do_not_contact":
        Candidate.objects.filter(pk=person.pk).update(is_do_not_contact=True)
    elif setup == "archived":
        Candidate.objects.filter(pk=person.pk).update(is_archived=True)
    elif setup == "withdrawn":
        record_consent(
            actor=alice_actor,
            candidate=person,
            channel="email",
            purpose="recruiting",
            status="withdrawn",
            source="email_link",
        )
    elif setup == "suppressed":
        Suppression.objects.create(
            workspace=alice_actor.workspace, email=person.emails.get().email, reason="unsubscribe"
        )
    elif setup == "bounced":
        CandidateEmail.objects.filter(candidate=person).update(bounced_at=timezone.now())

    report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[person.pk])

    assert report.outcomes == [
        services.EnrollmentOutcome(person.pk, person.full_name, "skipped", reason, message)
    ]
    _nothing_written()


def test_marketing_needs_granted_consent(
    alice_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    prospect_factory: Callable[..., Candidate],
) -> None:
    nurture = sequence_factory(purpose="marketing", status="active")
    recruiting_only = prospect_factory(purposes=("recruiting",))
    both = prospect_factory()

    report = services.enroll(
        actor=alice_actor, sequence=nurture, candidate_ids=[recruiting_only.pk, both.pk]
    )

    assert [(o.candidate_id, o.outcome, o.reason) for o in report.outcomes] == [
        (recruiting_only.pk, "skipped", "no_consent"),
        (both.pk, "enrolled", ""),
    ]
    assert list(Enrollment.objects.values_list("candidate_id", flat=True)) == [both.pk]


def test_recruiting_consent_is_needed_when_the_workspace_requires_it(
    alice_actor: Actor,
    sequence: Sequence,
    candidate_factory: Callable[..., Candidate],
) -> None:
    Workspace.objects.filter(pk=alice_actor.workspace.pk).update(require_recruiting_consent=True)
    alice_actor.workspace.refresh_from_db()
    person = candidate_factory(emails=["quiet@acme.test"])

    report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[person.pk])

    assert (report.outcomes[0].outcome, report.outcomes[0].reason) == ("skipped", "no_consent")
    _nothing_written()


def test_a_task_step_needs_no_consent_but_respects_do_not_contact(
    alice_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    candidate_factory: Callable[..., Candidate],
) -> None:
    linkedin = sequence_factory(
        steps=[{"channel": "linkedin_task", "instructions": "Say hello on LinkedIn."}],
        status="active",
    )
    plain = candidate_factory()
    blocked = candidate_factory(is_do_not_contact=True)

    report = services.enroll(
        actor=alice_actor, sequence=linkedin, candidate_ids=[plain.pk, blocked.pk]
    )

    assert [(o.outcome, o.reason) for o in report.outcomes] == [
        ("enrolled", ""),
        ("skipped", "do_not_contact"),
    ]


def test_a_teammates_recent_contact_is_a_collision(
    alice_actor: Actor, bob_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        log_touchpoint(actor=bob_actor, candidate=prospect, type="call", summary="Phone screen")

    with time_machine.travel(MONDAY, tick=False):
        report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    collision = policy.Collision("Bob Recruiter", MONDAY - dt.timedelta(days=1), "Call")
    assert report.outcomes == [
        services.EnrollmentOutcome(
            prospect.pk,
            "Katherine Johnson",
            "collision",
            "collision",
            "Call by Bob Recruiter on 1 Mar 2026.",
            collision=collision,
        )
    ]
    _nothing_written()

    with time_machine.travel(MONDAY, tick=False):
        forced = services.enroll(
            actor=alice_actor,
            sequence=sequence,
            candidate_ids=[prospect.pk],
            allow_collisions=True,
        )

    (outcome,) = forced.outcomes
    assert (outcome.outcome, outcome.collision, outcome.message) == (
        "enrolled",
        collision,
        "Call by Bob Recruiter on 1 Mar 2026.",
    )
    assert Enrollment.objects.get().candidate == prospect


def test_the_actors_own_contact_is_no_collision(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    log_touchpoint(actor=alice_actor, candidate=prospect, type="call", summary="Phone screen")

    report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    assert report.outcomes[0].outcome == "enrolled"


def test_a_stale_profile_is_enrolled_with_a_warning(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    Candidate.objects.filter(pk=prospect.pk).update(
        updated_at=dt.datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
    )

    with time_machine.travel(MONDAY, tick=False):
        report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    (outcome,) = report.outcomes
    assert outcome.outcome == "enrolled"
    assert outcome.warnings == (
        "Not changed or confirmed since 15 Jan 2024 (the workspace flags profiles after "
        "12 months).",
    )
    assert report.warned == [outcome]
    assert Enrollment.objects.filter(candidate=prospect).exists()


def _ended(actor: Actor, sequence: Sequence, candidate: Candidate, ended_at: dt.datetime) -> None:
    Enrollment.objects.create(
        workspace=actor.workspace,
        sequence=sequence,
        candidate=candidate,
        status="finished",
        enrolled_at=ended_at - dt.timedelta(days=10),
        ended_at=ended_at,
    )


def test_reentry_never_refuses_anyone_who_was_in_before(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    _ended(alice_actor, sequence, prospect, MONDAY - dt.timedelta(days=400))

    report = services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    assert [(o.outcome, o.reason, o.message) for o in report.outcomes] == [
        (
            "reentry_refused",
            "reentry",
            "Was in this sequence before, and it allows one time only.",
        )
    ]
    assert Enrollment.objects.count() == 1


def test_reentry_after_finish_lets_people_in_again(
    alice_actor: Actor, sequence_factory: Callable[..., Sequence], prospect: Candidate
) -> None:
    again = sequence_factory(reentry="after_finish", status="active")
    _ended(alice_actor, again, prospect, MONDAY - dt.timedelta(days=1))

    report = services.enroll(actor=alice_actor, sequence=again, candidate_ids=[prospect.pk])

    assert report.outcomes[0].outcome == "enrolled"
    assert Enrollment.objects.filter(sequence=again, status="active").count() == 1


def test_reentry_after_days_waits_that_long(
    alice_actor: Actor, sequence_factory: Callable[..., Sequence], prospect: Candidate
) -> None:
    quarterly = sequence_factory(reentry="after_days", reentry_days=90, status="active")
    _ended(alice_actor, quarterly, prospect, dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC))

    with time_machine.travel(MONDAY, tick=False):
        early = services.enroll(actor=alice_actor, sequence=quarterly, candidate_ids=[prospect.pk])
    assert [(o.outcome, o.message) for o in early.outcomes] == [
        (
            "reentry_refused",
            "Left this sequence on 1 Jan 2026; may enter again from 1 Apr 2026 (90 days).",
        )
    ]

    with time_machine.travel(dt.datetime(2026, 4, 2, 10, 0, tzinfo=UTC), tick=False):
        later = services.enroll(actor=alice_actor, sequence=quarterly, candidate_ids=[prospect.pk])
    assert later.outcomes[0].outcome == "enrolled"


def test_ids_nobody_can_see_are_reported_as_not_found(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate, charlie_candidate: Candidate
) -> None:
    report = services.enroll(
        actor=alice_actor, sequence=sequence, candidate_ids=[charlie_candidate.pk, prospect.pk]
    )

    assert [(o.candidate_id, o.outcome, o.reason, o.message) for o in report.outcomes] == [
        (prospect.pk, "enrolled", "", ""),
        (charlie_candidate.pk, "skipped", "not_found", "No such candidate."),
    ]
    assert Enrollment.objects.filter(candidate=charlie_candidate).exists() is False


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "candidate_ids", "Choose candidates, a pool or a segment."),
        ({"candidate_ids": []}, "candidate_ids", "Choose at least one candidate."),
        ({"candidate_ids": "1,2"}, "candidate_ids", "A list of candidate ids."),
        (
            {"candidate_ids": [1, "2"]},
            "candidate_ids[1]",
            "Candidate ids are positive whole numbers.",
        ),
        (
            {"candidate_ids": [True]},
            "candidate_ids[0]",
            "Candidate ids are positive whole numbers.",
        ),
        (
            {"candidate_ids": list(range(1, 10_002))},
            "candidate_ids",
            "At most 10000 ids at a time; use a pool or a segment for more.",
        ),
    ],
)
def test_refuses_a_bad_choice_of_candidates(
    alice_actor: Actor, sequence: Sequence, kwargs: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.enroll(actor=alice_actor, sequence=sequence, **kwargs)

    assert (caught.value.field, caught.value.message) == (field, message)
    _nothing_written()


def test_an_archived_sequence_takes_nobody(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.archive_sequence(actor=alice_actor, sequence=sequence)
    sequence.refresh_from_db()

    with pytest.raises(Conflict):
        services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    _nothing_written()


def test_a_draft_sequence_takes_people_who_wait_for_activation(
    alice_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    prospect: Candidate,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    woken: list[bool] = []
    monkeypatch.setattr(services, "wake_engine", lambda: woken.append(True))
    draft = sequence_factory()

    with django_capture_on_commit_callbacks(execute=True):
        report = services.enroll(actor=alice_actor, sequence=draft, candidate_ids=[prospect.pk])

    assert report.outcomes[0].outcome == "enrolled"
    assert woken == []  # the engine only sends for active sequences


@pytest.mark.parametrize("who", ["hiring_manager_actor", "auditor_actor"])
def test_roles_without_outreach_cannot_enrol(
    request: pytest.FixtureRequest, who: str, sequence: Sequence, prospect: Candidate
) -> None:
    actor: Actor = request.getfixturevalue(who)

    with pytest.raises(Forbidden):
        services.enroll(actor=actor, sequence=sequence, candidate_ids=[prospect.pk])

    _nothing_written()


def test_a_dry_run_writes_nothing(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    report = services.enroll(
        actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk], dry_run=True
    )

    assert report.dry_run is True
    assert [(o.outcome, o.enrollment_id) for o in report.outcomes] == [("enrolled", None)]
    assert report.outcomes[0].next_step_at is not None
    _nothing_written()


def test_enrols_a_pools_members(
    alice_actor: Actor,
    sequence: Sequence,
    pool: Pool,
    prospect_factory: Callable[..., Candidate],
    candidate_factory: Callable[..., Candidate],
) -> None:
    from talentloop.pools.services import add_to_pool

    members = [prospect_factory(), prospect_factory(), candidate_factory(is_do_not_contact=True)]
    for member in members:
        add_to_pool(actor=alice_actor, pool=pool, candidate=member)
    outsider = prospect_factory()

    report = services.enroll(actor=alice_actor, sequence=sequence, pool=pool)

    assert [(o.candidate_id, o.outcome) for o in report.outcomes] == [
        (members[0].pk, "enrolled"),
        (members[1].pk, "enrolled"),
        (members[2].pk, "skipped"),
    ]
    assert Enrollment.objects.filter(candidate=outsider).exists() is False


def test_enrols_a_segments_matches(
    alice_actor: Actor, sequence: Sequence, prospect_factory: Callable[..., Candidate]
) -> None:
    from talentloop.pools.services import create_segment

    berlin = prospect_factory(city="Berlin")
    prospect_factory(city="Paris")
    segment = create_segment(
        actor=alice_actor,
        data={
            "name": "Berlin",
            "rules": {"all": [{"field": "city", "op": "eq", "value": "Berlin"}]},
        },
    )

    report = services.enroll(actor=alice_actor, sequence=sequence, segment=segment)

    assert [(o.candidate_id, o.outcome) for o in report.outcomes] == [(berlin.pk, "enrolled")]


def test_a_broken_segment_names_the_field(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    segment = Segment.objects.create(
        workspace=alice_actor.workspace,
        name="Broken",
        rules={"all": [{"field": "pool", "op": "in", "value": 987654321}]},
    )

    with pytest.raises(InvalidInput) as caught:
        services.enroll(actor=alice_actor, sequence=sequence, segment=segment)

    assert caught.value.field == "segment_id"
    _nothing_written()


def _bulk_prospects(actor: Actor, n: int) -> list[int]:
    """`n` consenting candidates written in bulk (the service would take a minute)."""
    now = timezone.now()
    people = Candidate.objects.bulk_create(
        Candidate(workspace=actor.workspace, first_name="Bulk", last_name=f"P{i}", updated_at=now)
        for i in range(n)
    )
    CandidateEmail.objects.bulk_create(
        CandidateEmail(
            candidate=c, workspace=actor.workspace, email=f"bulk{c.pk}@acme.test", is_primary=True
        )
        for c in people
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            workspace=actor.workspace,
            candidate=c,
            channel="email",
            purpose="recruiting",
            status="granted",
            source="import",
        )
        for c in people
    )
    return [c.pk for c in people]


def test_a_big_pool_is_enrolled_in_batches_with_a_bounded_number_of_queries(
    alice_actor: Actor,
    sequence: Sequence,
    pool: Pool,
    django_assert_max_num_queries: Any,
) -> None:
    ids = _bulk_prospects(alice_actor, 1_200)
    stage = ensure_default_stages(alice_actor.workspace)[0]
    PoolMembership.objects.bulk_create(
        PoolMembership(pool=pool, candidate_id=pk, stage=stage) for pk in ids
    )

    # Three batches of at most 500; the count does not grow with the pool.
    with django_assert_max_num_queries(75):
        report = services.enroll(actor=alice_actor, sequence=sequence, pool=pool)

    assert report.counts["enrolled"] == 1_200
    assert Enrollment.objects.filter(sequence=sequence, status="active").count() == 1_200
    assert Activity.objects.filter(type="sequence_enrolled").count() == 1_200
