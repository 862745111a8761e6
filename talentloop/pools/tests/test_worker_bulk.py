"""A big bulk action through the real database queue and `talentloop worker`, as in production."""

from __future__ import annotations

import io
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.pools import services
from talentloop.pools.models import BulkAction, Pool, PoolMembership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture(autouse=True)
def _restore_signal_handlers() -> Iterator[None]:
    # db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_the_worker_runs_a_queued_bulk_action(
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "INLINE_LIMIT", 2)
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    people = [candidate_factory() for _ in range(5)]

    action = services.start_bulk_action(
        actor=alice_actor, kind="add_to_pool", candidate_ids=[p.pk for p in people], pool=pool
    )
    queued = DBTaskResult.objects.get(task_path="talentloop.pools.tasks.run_bulk_action_task")
    assert (action.status, queued.status) == ("queued", "READY")

    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())

    action = BulkAction.objects.get(pk=action.pk)
    assert (action.status, action.processed, action.changed) == ("done", 5, 5)
    assert PoolMembership.objects.filter(pool=pool).count() == 5
