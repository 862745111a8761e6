"""The periodic schedule: a due job is enqueued once, however many workers tick."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection

from talentloop.core import scheduler
from talentloop.core.models import ScheduledJob
from talentloop.schedule import SCHEDULE, Periodic

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
EVERY = dt.timedelta(minutes=5)


class CountingTask:
    """Stands in for a django.tasks Task: counts enqueues, from any thread."""

    def __init__(self) -> None:
        self.enqueued = 0
        self._lock = threading.Lock()

    def enqueue(self) -> None:
        with self._lock:
            self.enqueued += 1


def _tick_like_a_worker(schedule: list[Periodic], now: dt.datetime) -> list[str]:
    """Tick; on a lock error, tick again, as `talentloop worker` does on its next round.

    SQLite's in-memory test database is shared between threads with table locks that fail at
    once ("database table is locked") instead of waiting like the WAL file database does.
    """
    for _ in range(200):
        try:
            return scheduler.tick(schedule, now=now)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.005)
    raise AssertionError("the database stayed locked")


@pytest.fixture
def task() -> CountingTask:
    return CountingTask()


@pytest.fixture
def schedule(task: CountingTask) -> list[Periodic]:
    return [Periodic("digest", task, EVERY)]


@pytest.mark.django_db
def test_a_new_job_is_due_at_once(task: CountingTask, schedule: list[Periodic]) -> None:
    assert scheduler.tick(schedule, now=T0) == ["digest"]

    assert task.enqueued == 1
    job = ScheduledJob.objects.get(name="digest")
    assert (job.last_run_at, job.next_run_at) == (T0, T0 + EVERY)


@pytest.mark.django_db
def test_ticking_twice_enqueues_once(task: CountingTask, schedule: list[Periodic]) -> None:
    first = scheduler.tick(schedule, now=T0)
    second = scheduler.tick(schedule, now=T0)

    assert (first, second) == (["digest"], [])
    assert task.enqueued == 1


@pytest.mark.django_db
def test_a_job_that_is_not_due_is_skipped(task: CountingTask, schedule: list[Periodic]) -> None:
    scheduler.tick(schedule, now=T0)

    assert scheduler.tick(schedule, now=T0 + EVERY - dt.timedelta(seconds=1)) == []
    assert task.enqueued == 1
    assert ScheduledJob.objects.get(name="digest").next_run_at == T0 + EVERY


@pytest.mark.django_db
def test_a_job_runs_again_once_its_interval_has_passed(
    task: CountingTask, schedule: list[Periodic]
) -> None:
    scheduler.tick(schedule, now=T0)

    assert scheduler.tick(schedule, now=T0 + EVERY) == ["digest"]
    assert task.enqueued == 2
    assert ScheduledJob.objects.get(name="digest").next_run_at == T0 + 2 * EVERY


@pytest.mark.django_db
def test_a_late_tick_runs_a_missed_job_once(task: CountingTask, schedule: list[Periodic]) -> None:
    # The workers were down for an hour: twelve runs were missed, one is made up.
    scheduler.tick(schedule, now=T0)

    assert scheduler.tick(schedule, now=T0 + dt.timedelta(hours=1)) == ["digest"]
    assert task.enqueued == 2
    assert ScheduledJob.objects.get(name="digest").next_run_at == T0 + dt.timedelta(
        hours=1, minutes=5
    )


@pytest.mark.django_db
def test_jobs_are_claimed_independently(task: CountingTask) -> None:
    hourly = CountingTask()
    schedule = [Periodic("digest", task, EVERY), Periodic("purge", hourly, dt.timedelta(hours=1))]
    scheduler.tick(schedule, now=T0)

    assert scheduler.tick(schedule, now=T0 + EVERY) == ["digest"]
    assert (task.enqueued, hourly.enqueued) == (2, 1)


@pytest.mark.django_db
def test_the_project_schedule_enqueues_its_tasks() -> None:
    # Tests use the immediate task backend: the real tasks run and find nothing to do.
    assert scheduler.tick(now=T0) == [job.name for job in SCHEDULE]
    assert scheduler.tick(now=T0) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_once_enqueue_once(
    task: CountingTask, schedule: list[Periodic]
) -> None:
    threads = 2
    start = threading.Barrier(threads)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            results.append(_tick_like_a_worker(schedule, T0))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == [[], ["digest"]]
    assert task.enqueued == 1
    assert ScheduledJob.objects.get(name="digest").next_run_at == T0 + EVERY


@pytest.mark.django_db(transaction=True)
def test_many_workers_over_many_ticks_enqueue_once_per_interval(
    task: CountingTask, schedule: list[Periodic]
) -> None:
    threads, ticks = 4, 3
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            for n in range(ticks):
                _tick_like_a_worker(schedule, T0 + n * EVERY)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    workers: list[Any] = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=30)

    assert errors == []
    assert task.enqueued == ticks
