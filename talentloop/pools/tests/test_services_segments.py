"""Segments: saved, checked, counted live and cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for
from talentloop.pools import selectors, services
from talentloop.pools.models import Segment
from talentloop.pools.rules import RuleError

BERLIN = {"all": [{"field": "city", "op": "eq", "value": "Berlin"}]}


def test_saves_a_segment(alice_actor: Actor, alice: Any) -> None:
    segment = services.create_segment(
        actor=alice_actor, data={"name": " Berlin ", "description": "Local", "rules": BERLIN}
    )

    assert (segment.name, segment.owner, segment.rules, segment.size) == (
        "Berlin",
        alice,
        BERLIN,
        None,
    )


def test_refuses_bad_rules_and_saves_nothing(alice_actor: Actor) -> None:
    with pytest.raises(RuleError) as info:
        services.create_segment(
            actor=alice_actor,
            data={"name": "Bad", "rules": {"all": [{"field": "city", "op": "~", "value": "x"}]}},
        )

    assert info.value.field == "rules.all[0].op"
    assert Segment.objects.exists() is False


def test_a_private_pool_of_someone_else_is_unknown(
    alice_actor: Actor, bob_actor: Actor, pool_factory: Callable[..., Any]
) -> None:
    private = pool_factory(actor=bob_actor, name="Bob's", visibility="private")
    rules = {"all": [{"field": "pool", "op": "in", "value": private.pk}]}

    with pytest.raises(RuleError, match=f"no such pool {private.pk}"):
        services.create_segment(actor=alice_actor, data={"name": "Peek", "rules": rules})
    assert services.create_segment(actor=bob_actor, data={"name": "Mine", "rules": rules})


def test_size_updates_itself_and_is_cached(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})
    candidate_factory(city="Berlin")
    assert selectors.segment_size(alice_actor, segment) == 1

    candidate_factory(city="Berlin")
    # A list page reads the stored size while it is recent; a segment page counts again.
    assert selectors.segment_size(alice_actor, segment, fresh=False) == 1
    assert selectors.segment_size(alice_actor, segment) == 2
    segment.refresh_from_db()
    assert segment.size == 2
    assert segment.size_computed_at is not None


def test_changing_rules_forgets_the_size(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})
    candidate_factory(city="Berlin")
    selectors.segment_size(alice_actor, segment)

    services.update_segment(
        actor=alice_actor,
        segment=segment,
        data={"rules": {"all": [{"field": "city", "op": "eq", "value": "Rome"}]}},
    )

    assert (segment.size, segment.size_computed_at) == (None, None)
    assert selectors.segment_size(alice_actor, segment, fresh=False) == 0


def test_a_narrower_role_counts_its_own_view_without_storing_it(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], member_factory: Any, acme: Any
) -> None:
    harry = actor_for(member_factory("harry@acme.test", acme, "hiring_manager"))
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})
    candidate_factory(city="Berlin")

    assert selectors.segment_size(harry, segment) == 0
    segment.refresh_from_db()
    assert segment.size is None


def test_only_owner_or_admin_changes_a_segment(alice_actor: Actor, bob_actor: Actor) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    with pytest.raises(Forbidden):
        services.update_segment(actor=bob_actor, segment=segment, data={"name": "Mine"})
    with pytest.raises(Forbidden):
        services.delete_segment(actor=bob_actor, segment=segment)

    segment.refresh_from_db()
    assert segment.name == "B"


def test_needs_name_and_rules(alice_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as info:
        services.create_segment(actor=alice_actor, data={"rules": BERLIN})

    assert info.value.field == "name"
    assert Segment.objects.exists() is False


def test_preview_gives_size_and_first_rows(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    people = [candidate_factory(city="Berlin") for _ in range(3)]

    size, rows = selectors.segment_preview(alice_actor, BERLIN, limit=2)

    assert size == 3
    assert [r["id"] for r in rows] == [people[2].pk, people[1].pk]


def test_a_segment_naming_a_deleted_pool_has_no_size(
    alice_actor: Actor, pool_factory: Callable[..., Any]
) -> None:
    doomed = pool_factory(name="Doomed")
    doomed_id = doomed.pk
    segment = services.create_segment(
        actor=alice_actor,
        data={"name": "P", "rules": {"all": [{"field": "pool", "op": "in", "value": doomed_id}]}},
    )
    services.delete_pool(actor=alice_actor, pool=doomed)

    assert selectors.segment_size(alice_actor, segment) is None
    with pytest.raises(RuleError, match=f"no such pool {doomed_id}"):
        selectors.segment_preview(alice_actor, segment.rules)
