"""automation.dry_run_sequence / dry_run_campaign: who would get what and when, who would be
skipped and why, without writing anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.api_helpers import stored_state
from talentloop.core.tests.fixtures import actor_for
from talentloop.outreach import policy
from talentloop.outreach.automation import dry_run_campaign, dry_run_sequence
from talentloop.outreach.models import OutreachSettings, Purpose, StepChannel
from talentloop.outreach.tests.test_automation_support import (
    MONDAY,
    cast_of_blockers,
    email_step,
    grant,
    make_campaign,
    make_sequence,
    make_template,
    sent_marketing,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Pool

UTC = dt.UTC


@pytest.fixture
def intro(alice_actor: Actor) -> Any:
    return make_template(alice_actor)


def test_each_blocker_is_a_skip_reason_with_its_message(
    alice_actor: Actor, bob_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    people = cast_of_blockers(alice_actor, bob_actor, candidate_factory)
    archived = candidate_factory(first_name="Gone", emails=["gone@example.test"], is_archived=True)
    sequence = make_sequence(alice_actor, [email_step(intro)], purpose=Purpose.MARKETING)
    ids = [c.pk for c in people.values()] + [archived.pk]

    run = dry_run_sequence(actor=alice_actor, sequence=sequence, candidate_ids=ids)

    reasons = {s.candidate_id: (s.reason, s.message) for s in run.skipped}
    expected = {c.pk: (key, policy.MESSAGES[key]) for key, c in people.items() if key != "ok"} | {
        archived.pk: ("inactive", policy.MESSAGES["inactive"])
    }
    assert reasons == expected
    assert [r.candidate_id for r in run.recipients] == [people["ok"].pk]
    assert run.totals == {
        "scheduled": 1,
        "do_not_contact": 1,
        "no_consent": 1,
        "withdrawn": 1,
        "no_address": 1,
        "suppressed": 1,
        "bounced": 1,
        "cap": 1,
        "collision": 1,
        "inactive": 1,
    }
    assert run.audience_size == 10
    assert run.steps[0].sending == 1


def test_another_workspaces_candidate_is_not_found_like_a_missing_one(
    alice_actor: Actor, charlie_candidate: Candidate, candidate: Candidate, intro: Any
) -> None:
    sequence = make_sequence(alice_actor, [email_step(intro)])

    run = dry_run_sequence(
        actor=alice_actor, sequence=sequence, candidate_ids=[charlie_candidate.pk, 987_654_321]
    )

    assert [(s.candidate_id, s.reason, s.name) for s in run.skipped] == [
        (charlie_candidate.pk, "not_found", ""),
        (987_654_321, "not_found", ""),
    ]
    assert run.totals == {"not_found": 2}


def test_steps_are_scheduled_in_each_persons_timezone_and_window(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    berlin = candidate_factory(
        first_name="Berta", emails=["b@example.test"], timezone="Europe/Berlin"
    )
    nowhere = candidate_factory(first_name="Nora", emails=["n@example.test"])
    follow_up = make_template(
        alice_actor, "Follow-up", subject="Still keen, {{ candidate.first_name }}?"
    )
    sequence = make_sequence(
        alice_actor,
        [
            email_step(intro, window_start="09:00", window_end="17:00"),
            # Two business days after a Friday send is the Tuesday.
            email_step(follow_up, delay=2, window_start="09:00", window_end="17:00"),
        ],
    )

    with time_machine.travel(MONDAY - dt.timedelta(days=3), tick=False):
        run = dry_run_sequence(
            actor=alice_actor,
            sequence=sequence,
            candidate_ids=[berlin.pk, nowhere.pk],
            # Friday 27 February 2026, 16:30 UTC: 17:30 in Berlin, after its window.
            start=dt.datetime(2026, 2, 27, 16, 30, tzinfo=UTC),
        )

    schedule = {r.name: [(m.at, m.subject) for m in r.messages] for r in run.recipients}
    assert schedule == {
        # Berlin: Monday 09:00 CET (08:00 UTC), then two business days later, Wednesday.
        "Berta Lovelace1": [
            (dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "Hi Berta"),
            (dt.datetime(2026, 3, 4, 8, 0, tzinfo=UTC), "Still keen, Berta?"),
        ],
        # The workspace's default timezone (UTC): still inside Friday's window.
        "Nora Lovelace2": [
            (dt.datetime(2026, 2, 27, 16, 30, tzinfo=UTC), "Hi Nora"),
            (dt.datetime(2026, 3, 3, 16, 30, tzinfo=UTC), "Still keen, Nora?"),
        ],
    }
    assert [r.address for r in run.recipients] == ["b@example.test", "n@example.test"]
    assert run.totals == {"scheduled": 2}
    assert [(s.position, s.sending, s.skipped) for s in run.steps] == [(0, 2, {}), (1, 2, {})]


def test_a_sequence_reaching_the_cap_by_its_own_steps_skips_that_step(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    fresh = candidate_factory(first_name="Fresh", emails=["fresh@example.test"])
    once = candidate_factory(first_name="Once", emails=["once@example.test"])
    for person in (fresh, once):
        grant(alice_actor, person)
    sent_marketing(alice_actor, once, ago=dt.timedelta(days=1))
    steps = [email_step(intro, business_days=False), email_step(intro, 1, business_days=False)]
    steps.append(email_step(intro, 10, business_days=False))
    sequence = make_sequence(alice_actor, steps, purpose=Purpose.MARKETING)

    run = dry_run_sequence(actor=alice_actor, sequence=sequence, candidate_ids=[fresh.pk, once.pk])

    skipped = {r.name.split()[0]: [m.skipped for m in r.messages] for r in run.recipients}
    # Cap 2 per 7 days: the one already e-mailed yesterday reaches it with the first step; the
    # third step is 11 days on, when the week has passed.
    assert skipped == {"Fresh": ["", "", ""], "Once": ["", "cap", ""]}
    assert run.totals == {"scheduled": 1, "partial": 1}
    assert run.steps[1].skipped == {"cap": 1}


def test_a_task_step_goes_on_when_the_email_after_it_has_no_consent(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    person = candidate_factory(first_name="Tara", emails=["tara@example.test"])
    steps = [
        {"channel": StepChannel.LINKEDIN_TASK, "instructions": "Connect on LinkedIn"},
        email_step(intro, 1),
        email_step(intro, 2),
    ]
    sequence = make_sequence(alice_actor, steps, purpose=Purpose.MARKETING)

    run = dry_run_sequence(actor=alice_actor, sequence=sequence, candidate_ids=[person.pk])

    (recipient,) = run.recipients
    # The engine stops the enrolment at the e-mail without consent: the last step never comes.
    assert [m.skipped for m in recipient.messages] == ["", "no_consent", "stopped"]
    assert recipient.outcome == "partial"


def test_a_stale_profile_is_a_warning_not_a_skip(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    old = candidate_factory(first_name="Olde", emails=["olde@example.test"])
    Candidate.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=800))
    sequence = make_sequence(alice_actor, [email_step(intro)])

    run = dry_run_sequence(actor=alice_actor, sequence=sequence, candidate_ids=[old.pk])

    (recipient,) = run.recipients
    assert recipient.outcome == "scheduled"
    assert len(recipient.warnings) == 1
    assert recipient.warnings[0].startswith("Not changed or confirmed since")
    assert run.warnings == {"not_refreshed": 1}


def test_a_pool_or_a_segment_is_the_audience(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any, pool: Pool
) -> None:
    berliner = candidate_factory(first_name="Bea", city="Berlin", emails=["bea@example.test"])
    parisian = candidate_factory(first_name="Pia", city="Paris", emails=["pia@example.test"])
    pool_services.add_to_pool(actor=alice_actor, pool=pool, candidate=parisian)
    segment = pool_services.create_segment(
        actor=alice_actor,
        data={
            "name": "Berlin",
            "rules": {"all": [{"field": "city", "op": "eq", "value": "Berlin"}]},
        },
    )
    sequence = make_sequence(alice_actor, [email_step(intro)])

    by_segment = dry_run_sequence(actor=alice_actor, sequence=sequence, segment=segment)
    by_pool = dry_run_sequence(actor=alice_actor, sequence=sequence, pool=pool)

    assert [r.candidate_id for r in by_segment.recipients] == [berliner.pk]
    assert by_segment.audience == "Segment “Berlin”"
    assert [r.candidate_id for r in by_pool.recipients] == [parisian.pk]
    assert by_pool.audience == "Pool “Backend engineers”"


def test_nothing_is_written(
    alice_actor: Actor, bob_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    people = cast_of_blockers(alice_actor, bob_actor, candidate_factory)
    sequence = make_sequence(alice_actor, [email_step(intro)], purpose=Purpose.MARKETING)
    campaign = make_campaign(
        alice_actor,
        [(intro, timezone.now() + dt.timedelta(days=1))],
        pool_id=pool_services.create_pool(actor=alice_actor, data={"name": "All"}).pk,
    )
    for person in people.values():
        pool_services.add_to_pool(actor=alice_actor, pool=campaign.pool, candidate=person)  # type: ignore[arg-type]
    policy.settings_for(alice_actor.workspace)
    before = stored_state()

    dry_run_sequence(
        actor=alice_actor, sequence=sequence, candidate_ids=[c.pk for c in people.values()]
    )
    dry_run_campaign(actor=alice_actor, campaign=campaign)

    assert stored_state() == before


def test_a_campaigns_second_drop_within_the_cap_window_counts_the_first(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any, pool: Pool
) -> None:
    OutreachSettings.objects.update_or_create(
        workspace=alice_actor.workspace, defaults={"cap_messages": 2, "cap_days": 7}
    )
    fresh = candidate_factory(first_name="Fresh", emails=["fresh@example.test"])
    once = candidate_factory(first_name="Once", emails=["once@example.test"])
    for person in (fresh, once):
        grant(alice_actor, person)
        pool_services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    sent_marketing(alice_actor, once, ago=dt.timedelta(hours=1))
    now = timezone.now()
    campaign = make_campaign(
        alice_actor,
        [
            (intro, now + dt.timedelta(days=1)),
            (intro, now + dt.timedelta(days=2)),
            (intro, now + dt.timedelta(days=20)),
        ],
        pool_id=pool.pk,
    )

    run = dry_run_campaign(actor=alice_actor, campaign=campaign)

    skipped = {r.name.split()[0]: [m.skipped for m in r.messages] for r in run.recipients}
    # "Once" had one e-mail an hour ago: the first drop makes two, so the second is over the
    # cap. "Fresh" gets the first two. Twenty days on, the week has passed for both.
    assert skipped == {"Fresh": ["", "", ""], "Once": ["", "cap", ""]}
    assert [(d.sending, d.skipped) for d in run.steps] == [(2, {}), (1, {"cap": 1}), (2, {})]


def test_a_campaign_drop_waits_for_the_end_of_quiet_days(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any, pool: Pool
) -> None:
    person = candidate_factory(first_name="Sam", emails=["sam@example.test"])
    grant(alice_actor, person)
    pool_services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    with time_machine.travel(MONDAY, tick=False):
        saturday = dt.datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
        campaign = make_campaign(
            alice_actor, [(intro, saturday)], pool_id=pool.pk, quiet_days=[5, 6]
        )

        run = dry_run_campaign(actor=alice_actor, campaign=campaign)

    monday = dt.datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert run.steps[0].at == monday
    assert [(m.at, m.subject) for m in run.recipients[0].messages] == [(monday, "Hi Sam")]


def test_campaign_collisions_are_judged_against_its_sender(
    alice_actor: Actor,
    bob_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    intro: Any,
    pool: Pool,
) -> None:
    people = cast_of_blockers(alice_actor, bob_actor, candidate_factory)
    for person in people.values():
        pool_services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    campaign = make_campaign(
        alice_actor, [(intro, timezone.now() + dt.timedelta(hours=1))], pool_id=pool.pk
    )

    run = dry_run_campaign(actor=alice_actor, campaign=campaign)

    assert {s.reason for s in run.skipped} == set(people) - {"ok"}
    assert run.totals["scheduled"] == 1


def test_refuses_roles_that_may_not_read_outreach(
    alice_actor: Actor, member_factory: Callable[..., User], candidate: Candidate, intro: Any
) -> None:
    sequence = make_sequence(alice_actor, [email_step(intro)])
    manager = actor_for(member_factory("hm@acme.test", alice_actor.workspace, Role.HIRING_MANAGER))
    auditor = actor_for(member_factory("audit@acme.test", alice_actor.workspace, Role.AUDITOR))

    with pytest.raises(Forbidden):
        dry_run_sequence(actor=manager, sequence=sequence, candidate_ids=[candidate.pk])
    run = dry_run_sequence(actor=auditor, sequence=sequence, candidate_ids=[candidate.pk])

    assert run.totals == {"scheduled": 1}


@pytest.mark.parametrize(
    ("audience", "field"),
    [
        ({}, "audience"),
        ({"candidate_ids": [1], "segment": "x"}, "audience"),
        ({"candidate_ids": []}, "candidate_ids"),
        ({"candidate_ids": [1, "2"]}, "candidate_ids[1]"),
        ({"candidate_ids": [1], "limit": 0}, "limit"),
        ({"candidate_ids": [1], "limit": 501}, "limit"),
        ({"candidate_ids": [1], "start": dt.datetime(2026, 3, 2, 9)}, "start"),  # noqa: DTZ001
    ],
)
def test_bad_arguments_name_their_field(
    alice_actor: Actor, intro: Any, audience: dict[str, Any], field: str
) -> None:
    sequence = make_sequence(alice_actor, [email_step(intro)])

    with pytest.raises(InvalidInput) as raised:
        dry_run_sequence(actor=alice_actor, sequence=sequence, **audience)

    assert raised.value.field == field


def test_a_sequence_without_steps_cannot_be_dry_run(
    alice_actor: Actor, candidate: Candidate
) -> None:
    sequence = make_sequence(alice_actor, [])

    with pytest.raises(InvalidInput) as raised:
        dry_run_sequence(actor=alice_actor, sequence=sequence, candidate_ids=[candidate.pk])

    assert (raised.value.field, raised.value.message) == ("steps", "The sequence has no steps yet.")


def test_only_the_first_recipients_are_listed_and_previewed(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], intro: Any
) -> None:
    people = [candidate_factory(emails=[f"p{i}@example.test"]) for i in range(25)]
    sequence = make_sequence(alice_actor, [email_step(intro)])

    run = dry_run_sequence(
        actor=alice_actor, sequence=sequence, candidate_ids=[p.pk for p in people], limit=22
    )

    assert len(run.recipients) == 22
    assert run.totals == {"scheduled": 25}
    subjects = [r.messages[0].subject for r in run.recipients]
    assert subjects == ["Hi Ada"] * 20 + ["", ""]
