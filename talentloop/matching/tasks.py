"""Background work of matching: a job's rediscovery, and the embedding sweep."""

from __future__ import annotations

from django.tasks import task

from talentloop.matching import services


@task()
def rediscover_task(rediscovery_id: int) -> None:
    services.run_rediscovery(rediscovery_id)


@task()
def embed_changed_candidates_task() -> int:
    return services.sweep_embeddings()
