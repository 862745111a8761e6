"""Big bulk actions in the background; the action's checkpoint makes a rerun continue."""

from __future__ import annotations

from django.tasks import task

from talentloop.pools import services
from talentloop.pools.models import BulkAction


@task()
def run_bulk_action_task(action_id: int) -> None:
    """Run the action from its checkpoint. Safe to run twice (see services.run_bulk_action)."""
    action = (
        BulkAction.objects.select_related("workspace", "created_by", "api_key")
        .defer("export_csv")
        .filter(pk=action_id)
        .first()
    )
    if action is None or action.status in (BulkAction.Status.DONE, BulkAction.Status.FAILED):
        return
    services.run_bulk_action(action=action, actor=services.bulk_actor(action))


@task()
def resume_stalled_bulk_actions_task() -> None:
    """Queue again every bulk action whose worker stopped (killed, crashed, restarted)."""
    for action in services.resumable_bulk_actions():
        run_bulk_action_task.enqueue(action.pk)
