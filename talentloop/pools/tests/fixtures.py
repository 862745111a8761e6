"""Pools of the shared cast: Acme's team pool "Backend" (alice's), and a factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.core.actor import Actor
from talentloop.pools import services
from talentloop.pools.models import Pool, PoolStage


@pytest.fixture
def pool_factory(alice_actor: Actor) -> Callable[..., Pool]:
    def make(actor: Actor | None = None, **data: Any) -> Pool:
        data.setdefault("name", "Backend engineers")
        return services.create_pool(actor=actor or alice_actor, data=data)

    return make


@pytest.fixture
def pool(pool_factory: Callable[..., Pool]) -> Pool:
    return pool_factory()


@pytest.fixture
def event_pool(pool_factory: Callable[..., Pool]) -> Pool:
    return pool_factory(name="PyCon 2026", kind=Pool.Kind.EVENT)


@pytest.fixture
def stages(alice_actor: Actor) -> dict[str, PoolStage]:
    """The five default stages of Acme by lower-case name."""
    return {s.name_key: s for s in services.ensure_default_stages(alice_actor.workspace)}
