"""`talentloop worker` with the real database queue (django-tasks-db), as in production."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from talentloop.candidates.models import Candidate, Note
from talentloop.candidates.services import add_note
from talentloop.candidates.tasks import send_due_reminders_task
from talentloop.core import scheduler
from talentloop.core.actor import Actor
from talentloop.core.management.commands import worker as worker_command
from talentloop.core.models import ScheduledJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.SITE_URL = "https://talent.acme.test"


@pytest.fixture(autouse=True)
def _restore_signal_handlers() -> Iterator[None]:
    # db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _run_worker() -> str:
    out = io.StringIO()
    call_command("worker", batch=True, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def due_reminder(alice_actor: Actor, candidate_factory: Callable[..., Candidate]) -> Note:
    candidate = candidate_factory(first_name="Grace", last_name="Hopper")
    return add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Ask about the compiler team",
        remind_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=1),
    )


# --- enqueueing and transactions -----------------------------------------------------------


def test_enqueue_on_commit_waits_for_the_commit() -> None:
    with transaction.atomic():
        transaction.on_commit(send_due_reminders_task.enqueue)

        assert DBTaskResult.objects.count() == 0

    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "talentloop.candidates.tasks.send_due_reminders_task"
    assert queued.status == "READY"


def test_enqueue_on_commit_in_a_rolled_back_transaction_enqueues_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(send_due_reminders_task.enqueue)
        raise RuntimeError("the request failed after enqueueing")

    assert DBTaskResult.objects.count() == 0


def test_the_database_queue_is_part_of_the_transaction() -> None:
    # Even a direct enqueue disappears with a rollback: the queue row is in the same database.
    with pytest.raises(RuntimeError), transaction.atomic():
        send_due_reminders_task.enqueue()
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("rolled back")

    assert DBTaskResult.objects.count() == 0


# --- the worker ----------------------------------------------------------------------------


def test_worker_sends_a_due_reminder_once_even_when_the_task_runs_twice(
    due_reminder: Note,
) -> None:
    send_due_reminders_task.enqueue()
    send_due_reminders_task.enqueue()

    _run_worker()  # also ticks the schedule, which enqueues the same task a third time

    runs = DBTaskResult.objects.filter(task_path=send_due_reminders_task.module_path)
    assert sorted(runs.values_list("status", flat=True)) == ["SUCCESSFUL"] * 3
    assert sorted(r.return_value for r in runs) == [0, 0, 1]
    (message,) = mail.outbox
    assert message.to == ["alice@acme.test"]
    assert message.subject == "Reminder: Grace Hopper"
    assert "Ask about the compiler team" in message.body
    assert f"https://talent.acme.test/candidates/{due_reminder.candidate_id}/" in message.body
    due_reminder.refresh_from_db()
    assert due_reminder.reminder_notified_at is not None


def test_running_the_worker_again_sends_nothing_more(due_reminder: Note) -> None:
    _run_worker()
    send_due_reminders_task.enqueue()

    _run_worker()

    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0


def test_worker_ticks_the_schedule_before_draining(due_reminder: Note) -> None:
    _run_worker()

    assert set(ScheduledJob.objects.values_list("name", flat=True)) == {
        "send_due_reminders",
        "purge_idempotency_keys",
        "resume_stalled_imports",
        "resume_stalled_batches",
        "resume_stalled_bulk_actions",
        "index_changed_candidates",
        "embed_changed_candidates",
        "send_saved_search_alerts",
        "send_outreach",
        "process_tracking_events",
        "poll_imap",
        "compact_search_index",
    }
    ran = DBTaskResult.objects.exclude(task_path__endswith="check_candidate_duplicates_task")
    assert set(ran.values_list("task_path", flat=True)) == {
        "talentloop.candidates.tasks.send_due_reminders_task",
        "talentloop.core.tasks.purge_idempotency_keys_task",
        "talentloop.imports.tasks.resume_stalled_imports_task",
        "talentloop.resumes.tasks.resume_stalled_batches_task",
        "talentloop.pools.tasks.resume_stalled_bulk_actions_task",
        "talentloop.search.tasks.index_changed_candidates_task",
        "talentloop.matching.tasks.embed_changed_candidates_task",
        "talentloop.search.tasks.send_saved_search_alerts_task",
        "talentloop.outreach.tasks.send_outreach_task",
        "talentloop.outreach.tracking_tasks.process_tracking_events_task",
        "talentloop.outreach.tracking_tasks.poll_imap_task",
        "talentloop.search.tasks.compact_index_task",
    }
    assert len(mail.outbox) == 1


def test_a_reminder_that_is_not_due_stays_unsent(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    note = add_note(
        actor=alice_actor,
        candidate=candidate_factory(),
        body="Next month",
        remind_at=dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=30),
    )
    send_due_reminders_task.enqueue()

    _run_worker()

    assert mail.outbox == []
    note.refresh_from_db()
    assert note.reminder_notified_at is None


# --- the schedule's own process ----------------------------------------------------------


@pytest.fixture
def counted_ticks(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Any:
    """scheduler.tick replaced by a counter that a forked process shares, ticking fast."""
    settings.SCHEDULER_TICK_SECONDS = 0.1
    ticks = multiprocessing.get_context("fork").Value("i", 0)

    def tick() -> list[str]:
        with ticks.get_lock():
            ticks.value += 1
        return []

    monkeypatch.setattr(scheduler, "tick", tick)
    return ticks


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


# The pytest process runs native threads (OpenBLAS starts one when numpy is imported), which
# Python's fork warns about; they are fork-safe, unlike a Python thread holding locks.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_the_worker_ticks_the_schedule_in_a_process_of_its_own(
    monkeypatch: pytest.MonkeyPatch, counted_ticks: Any
) -> None:
    """Tasks the worker runs fork (an import's validation workers): the worker process must
    run no thread beside them, so the schedule ticks in a child process."""
    threads_before = threading.active_count()
    during: dict[str, Any] = {}

    def db_worker(name: str, **options: Any) -> None:
        during["threads"] = threading.active_count()
        during["children"] = multiprocessing.active_children()
        during["ticked"] = _wait_for(lambda: counted_ticks.value >= 2)

    monkeypatch.setattr(worker_command, "call_command", db_worker)
    call_command("worker")
    (child,) = [p for p in during["children"] if p.name == "talentloop-scheduler"]
    try:
        assert during["threads"] == threads_before
        assert during["ticked"] is True
        assert child.daemon is True
    finally:
        child.terminate()
        child.join(5)


def test_the_schedule_stops_once_its_worker_is_gone(counted_ticks: Any) -> None:
    not_our_parent = os.getppid() + 1

    worker_command.schedule_forever(not_our_parent)

    assert counted_ticks.value == 0
