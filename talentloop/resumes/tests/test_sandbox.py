"""The sandbox: results come back; hogs, sleepers and crashers are stopped and replaced."""

from __future__ import annotations

import ctypes
import os
import time

import pytest

from talentloop.resumes.extract import ExtractionError
from talentloop.resumes.sandbox import Sandbox, close_at_exit, extract_in_sandbox


def echo_length(data: bytes) -> int:
    return len(data)


def fail(data: bytes) -> int:
    raise ValueError(data.decode())


def hog_memory(data: bytes) -> int:
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def sleep_forever(data: bytes) -> int:
    time.sleep(3600)
    return 0


def spin(data: bytes) -> int:
    while True:
        pass


def exit_hard(data: bytes) -> int:
    os._exit(3)


def segfault(data: bytes) -> int:
    return len(ctypes.string_at(0))


@pytest.fixture
def sandbox():
    box = Sandbox(timeout=3.0, memory_limit=512 * 1024 * 1024, cpu_seconds=1)
    yield box
    box.close()


def test_result_and_exceptions_come_back(sandbox):
    assert sandbox.run(echo_length, b"abc") == 3
    with pytest.raises(ValueError, match="boom"):
        sandbox.run(fail, b"boom")
    assert sandbox.run(echo_length, b"abcd") == 4


@pytest.mark.parametrize(
    ("func", "code"),
    [
        (hog_memory, "memory"),
        (sleep_forever, "timeout"),
        (spin, "timeout"),
        (exit_hard, "corrupt"),
        (segfault, "corrupt"),
    ],
)
def test_hostile_calls_are_stopped_and_the_next_is_served(sandbox, func, code):
    with pytest.raises(ExtractionError) as caught:
        sandbox.run(func, b"x")
    assert caught.value.code == code
    assert caught.value.message
    assert sandbox.run(echo_length, b"next") == 4


def test_oversized_input_refused_before_the_child_sees_it(sandbox):
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        sandbox.run(echo_length, bytes(100 * 1024 * 1024))
    assert caught.value.code == "too_large"
    assert time.monotonic() - started < 1
    assert sandbox._process is None


def test_overhead_is_small(sandbox):
    sandbox.run(echo_length, b"warm up")
    started = time.perf_counter()
    for _ in range(50):
        sandbox.run(echo_length, b"x" * 50_000)
    assert (time.perf_counter() - started) / 50 < 0.02


def test_extract_in_sandbox():
    result = extract_in_sandbox(b"Ada Example\nEXPERIENCE", "cv.txt")
    assert (result.format, result.text) == ("txt", "Ada Example\nEXPERIENCE")
    with pytest.raises(ExtractionError) as caught:
        extract_in_sandbox(b"", "cv.pdf")
    assert caught.value.code == "empty"
    assert caught.value.message.startswith("cv.pdf: ")


def test_a_second_stop_signal_while_the_child_is_reaped_leaves_quietly(sandbox, monkeypatch):
    assert sandbox.run(echo_length, b"abc") == 3
    child = sandbox._process
    real_wait = child.wait

    def interrupted(timeout=None):
        real_wait()  # reap the killed child, then the signal handler's exit lands
        raise SystemExit(1)

    monkeypatch.setattr(child, "wait", interrupted)

    close_at_exit(sandbox)  # no SystemExit out of the atexit callback

    assert child.returncode is not None and sandbox._process is None
