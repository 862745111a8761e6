"""A candidate's profile lists the pools they are in, with the stage; private pools of other
members stay hidden."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.pools import services
from talentloop.pools.models import Pool


def test_the_profile_lists_pools_and_stages(
    alice_client: Client,
    bob_client: Client,
    alice_actor: Actor,
    candidate: Candidate,
    pool: Pool,
    pool_factory: Callable[..., Pool],
) -> None:
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)
    private = pool_factory(name="Alice's shortlist", visibility="private")
    services.add_to_pool(actor=alice_actor, pool=private, candidate=candidate)

    alice_sees = alice_client.get(f"/candidates/{candidate.pk}/").content.decode()
    bob_sees = bob_client.get(f"/candidates/{candidate.pk}/").content.decode()

    assert f'<a href="/pools/{pool.pk}/">Backend engineers</a>' in alice_sees
    assert "New since" in alice_sees
    assert "Alice&#x27;s shortlist" in alice_sees
    assert "Backend engineers" in bob_sees and "shortlist" not in bob_sees
