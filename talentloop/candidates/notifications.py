"""E-mails to Talentloop users about their own work (not outreach to candidates)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from talentloop.candidates.models import Note

logger = logging.getLogger(__name__)
BATCH = 200


def send_due_reminders() -> int:
    """Send one e-mail per due, open, not yet notified reminder; return how many were sent.

    Each note is claimed with a conditional update before its e-mail leaves, so two workers
    (or a retried task) never send the same reminder twice. A failed send releases the claim
    and the next run tries again.
    """
    now = timezone.now()
    due = Note.objects.filter(
        remind_at__lte=now,
        reminder_done_at__isnull=True,
        reminder_notified_at__isnull=True,
        author__isnull=False,
        candidate__deleted_at__isnull=True,
    ).select_related("author", "candidate")[:BATCH]
    sent = 0
    for note in due:
        claimed = Note.objects.filter(pk=note.pk, reminder_notified_at__isnull=True).update(
            reminder_notified_at=now
        )
        if not claimed:
            continue
        assert note.author is not None
        link = settings.SITE_URL.rstrip("/") + reverse(
            "candidates:detail", args=[note.candidate_id]
        )
        try:
            send_mail(
                subject=f"Reminder: {note.candidate.full_name}",
                message=f"You asked to be reminded:\n\n{note.body}\n\n{link}\n",
                from_email=None,
                recipient_list=[note.author.email],
            )
        except OSError:
            logger.exception("reminder e-mail for note %s failed; will retry", note.pk)
            with transaction.atomic():
                Note.objects.filter(pk=note.pk).update(reminder_notified_at=None)
            continue
        sent += 1
    return sent
