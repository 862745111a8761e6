"""On a SQLite file, write transactions queue on the writers' file lock, and release it on commit,
rollback and close."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from talentloop.core.sqlite.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker: Any) -> Iterator[None]:
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path: Path) -> DatabaseWrapper:
    settings = {
        "ENGINE": "talentloop.core.sqlite",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    wrapper = DatabaseWrapper(settings, alias="lock-test")
    wrapper.ensure_connection()
    return wrapper


def _held_elsewhere(lock: Path) -> bool:
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_transaction_holds_the_lock_until_it_ends(tmp_path: Path, end: str) -> None:
    db = tmp_path / "t.sqlite3"
    lock = tmp_path / "t.sqlite3-writers.lock"
    wrapper = _wrapper(db)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")

    wrapper.set_autocommit(True)
    wrapper._start_transaction_under_autocommit()
    assert _held_elsewhere(lock)

    getattr(wrapper, end)()

    assert not _held_elsewhere(lock)


def test_a_second_writer_waits_for_the_first_and_both_writes_land(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    first = _wrapper(db)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    order: list[str] = []

    def second_writer() -> None:
        second = _wrapper(db)
        second._start_transaction_under_autocommit()
        order.append("second began")
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.close()

    first._start_transaction_under_autocommit()
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.2)
    order.append("first committed")
    first.commit()
    thread.join(timeout=10)

    assert order == ["first committed", "second began"]
    with first.cursor() as cursor:
        cursor.execute("SELECT x FROM t ORDER BY x")
        assert cursor.fetchall() == [(1,), (2,)]
    first.close()
