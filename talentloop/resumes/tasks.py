"""Resume batches in the background: one task per batch; a restarted worker picks up where
the stopped one left off (see `resume_stalled_batches_task`)."""

from __future__ import annotations

from django.tasks import task

from talentloop.accounts.selectors import member_actor
from talentloop.core.actor import Actor, system_actor
from talentloop.core.errors import NotFound
from talentloop.resumes import services
from talentloop.resumes.models import ParseBatch


def _actor(batch: ParseBatch) -> Actor:
    if batch.created_by is not None:
        try:
            return member_actor(batch.created_by, batch.workspace)
        except NotFound:  # the member left: the system finishes the batch
            pass
    return system_actor(batch.workspace)


@task()
def parse_batch_task(batch_id: int) -> None:
    """Parse a batch's queued files. Safe to run twice: each file commits with its candidate,
    and a file that is no longer queued is skipped."""
    batch = ParseBatch.objects.select_related("workspace", "created_by").filter(pk=batch_id).first()
    if batch is None or batch.status not in ParseBatch.ACTIVE:
        return
    services.run_batch(batch, _actor(batch))


@task()
def resume_stalled_batches_task() -> None:
    """Queue again every batch whose worker stopped (killed, crashed, restarted)."""
    for batch in services.resumable_batches():
        parse_batch_task.enqueue(batch.pk)
