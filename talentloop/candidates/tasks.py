from __future__ import annotations

from django.tasks import task

from talentloop.candidates import notifications


@task()
def send_due_reminders_task() -> int:
    """E-mail each note author whose reminder fell due. Each reminder is e-mailed once."""
    return notifications.send_due_reminders()
