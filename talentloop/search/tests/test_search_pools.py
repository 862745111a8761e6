"""The pool and stage filters, through the pools app's own access rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.pools import services as pools
from talentloop.pools.models import PoolStage
from talentloop.search import selectors
from talentloop.search.selectors import parse_filters


def names(actor: Actor, query: str = "", **filters: object) -> list[str]:
    page = selectors.search(actor, query=query, filters=parse_filters(filters))
    return [row["first_name"] for row in page.rows]


def test_pool_and_stage(
    candidate_factory: Callable[..., Candidate],
    alice_actor: Actor,
    bob_actor: Actor,
    charlie_actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ada = candidate_factory(first_name="Ada", current_title="Welder")
    bea = candidate_factory(first_name="Bea", current_title="Welder")
    candidate_factory(first_name="Cy", current_title="Welder")
    team = pools.create_pool(actor=alice_actor, data={"name": "Welders"})
    mine = pools.create_pool(actor=alice_actor, data={"name": "Mine", "visibility": "private"})
    stages = pools.ensure_default_stages(alice_actor.workspace)
    later: PoolStage = stages[2]
    pools.add_to_pool(actor=alice_actor, pool=team, candidate=ada)
    pools.add_to_pool(actor=alice_actor, pool=team, candidate=bea, stage=later)
    pools.add_to_pool(actor=alice_actor, pool=mine, candidate=bea)
    assert names(alice_actor, "welder", pool=team.pk) == ["Bea", "Ada"]
    assert names(alice_actor, pool=str(team.pk), stage=later.pk) == ["Bea"]
    assert names(alice_actor, stage=stages[0].pk) == ["Bea", "Ada"]  # any pool alice sees
    assert names(bob_actor, stage=stages[0].pk) == ["Ada"]  # Alice's private pool is hers
    monkeypatch.setattr(selectors, "SMALL_POOL", 1)  # the large-pool path (EXISTS) agrees
    assert names(alice_actor, "welder", pool=team.pk) == ["Bea", "Ada"]
    for actor, raw, field in [
        (bob_actor, {"pool": mine.pk}, "pool"),
        (charlie_actor, {"pool": team.pk}, "pool"),
        (charlie_actor, {"stage": later.pk}, "stage"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            selectors.search(actor, query="", filters=parse_filters(raw))
        assert caught.value.field == field
    with pytest.raises(InvalidInput) as caught:
        parse_filters({"pool": "first"})
    assert caught.value.field == "pool"
