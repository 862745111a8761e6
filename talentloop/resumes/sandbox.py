"""Run a parser on untrusted bytes in a child process, so a hostile file cannot take the
worker down. No Django.

`Sandbox().run(func, data)` calls `func(data)` in a long-lived child Python process with an
address-space limit (RLIMIT_AS), a CPU-time limit per call (RLIMIT_CPU) and a wall-clock
timeout, and returns its result. A call that runs out of time raises
ExtractionError("timeout"), out of memory ExtractionError("memory"), and one that crashes the
child (segfault, abort, os._exit) ExtractionError("corrupt"); the child is then replaced and
the next call is served as usual. Exceptions `func` raises come back as they are.

The child is a fresh interpreter started with subprocess (not fork), so it is safe to use from
threaded processes such as a Django db_worker; it gets the parent's sys.path, and `func` must
be a picklable top-level function. Requests and answers are length-prefixed pickles over its
stdin and stdout, about 0.1 ms per call plus copying the document. One Sandbox serves one call
at a time (a lock); use one per thread for parallelism.

`extract_in_sandbox(data, filename)` is `extract_text` run in the process-wide sandbox.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any, TypeVar

from talentloop.resumes.extract import MAX_BYTES, ExtractionError, extract_text
from talentloop.resumes.parsed import Extracted

T = TypeVar("T")

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for the child
CPU_SECONDS = 30  # per call
TIMEOUT = 30.0  # wall-clock seconds per call

_HEADER = struct.Struct("!Q")


class Sandbox:
    """A child process that runs one function call at a time under limits."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT,
        memory_limit: int = MEMORY_LIMIT,
        cpu_seconds: int = CPU_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.cpu_seconds = cpu_seconds
        self.max_bytes = max_bytes
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def run(self, func: Callable[[bytes], T], data: bytes) -> T:
        """`func(data)` computed in the child. Raises ExtractionError("too_large") before
        anything is sent when `data` is over `max_bytes`; see the module docstring for the
        rest."""
        if len(data) > self.max_bytes:
            raise ExtractionError(
                "too_large",
                f"The file is {len(data) / 1e6:.1f} MB; "
                f"the limit is {self.max_bytes / 1e6:.0f} MB.",
            )
        request = pickle.dumps((func, data, self.cpu_seconds), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            process = self._ensure()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(_HEADER.pack(len(request)))
                process.stdin.write(request)
                process.stdin.flush()
                reply = _read_frame(process.stdout, time.monotonic() + self.timeout)
            except TimeoutError:
                self._kill()
                raise ExtractionError(
                    "timeout", f"Reading the document took over {self.timeout:.0f} s; stopped."
                ) from None
            except (BrokenPipeError, EOFError, OSError):
                raise self._died() from None
            status, value = pickle.loads(reply)  # noqa: S301 - our own child's answer
            if status == "memory":
                self._kill()  # a MemoryError can leave the interpreter in a poor state
                raise ExtractionError(
                    "memory", "The document needs too much memory to read; stopped."
                )
        if status == "error":
            raise value
        result: T = value
        return result

    def close(self) -> None:
        """Stop the child (a new one starts on the next call)."""
        with self._lock:
            self._kill()

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from talentloop.resumes.sandbox import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(path for path in sys.path if path),
                "TALENTLOOP_SANDBOX_MEMORY": str(self.memory_limit),
            },
            close_fds=True,
        )
        return self._process

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        process.wait()

    def _died(self) -> ExtractionError:
        process = self._process
        code = process.wait(timeout=5) if process is not None else None
        self._kill()
        if code is not None and code < 0 and -code == signal.SIGXCPU:
            return ExtractionError("timeout", "Reading the document used too much CPU; stopped.")
        if code is not None and code < 0 and -code == signal.SIGKILL:
            # Nobody here sent it: the kernel's out-of-memory killer did.
            return ExtractionError("memory", "The document needs too much memory to read.")
        return ExtractionError(
            "corrupt", f"The file made the reader crash (exit {code}); it may be damaged."
        )


def _read_frame(stream: IO[bytes], deadline: float) -> bytes:
    header = _read_exactly(stream, _HEADER.size, deadline)
    (length,) = _HEADER.unpack(header)
    return _read_exactly(stream, length, deadline)


def _read_exactly(stream: IO[bytes], size: int, deadline: float) -> bytes:
    chunks = []
    fd = stream.fileno()
    while size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# --- the child ----------------------------------------------------------------------------------


def serve() -> None:
    """The child's loop: read a request, run it, answer; until stdin closes."""
    import resource

    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    answers = os.fdopen(os.dup(1), "wb")
    # Whatever a parser prints must not corrupt the answers.
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    memory = int(os.environ.get("TALENTLOOP_SANDBOX_MEMORY", MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        (length,) = _HEADER.unpack(header)
        request = _read_all(requests, length)
        func, data, cpu_seconds = pickle.loads(request)  # noqa: S301 - from our parent
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (used + cpu_seconds, resource.RLIM_INFINITY))
        answer: tuple[str, Any]
        try:
            answer = ("ok", func(data))
        except MemoryError:
            answer = ("memory", None)
        except Exception as error:
            answer = ("error", error)
        del data
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an unpicklable result or exception
            payload = pickle.dumps(("error", RuntimeError(repr(error))))
        answers.write(_HEADER.pack(len(payload)) + payload)
        answers.flush()


def _read_all(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(min(size, 1 << 20))
        if not chunk:
            raise SystemExit(0)
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# --- the process-wide sandbox -------------------------------------------------------------------

_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide Sandbox, created on first use and stopped at exit."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox()
            atexit.register(close_at_exit, _default)
        return _default


def close_at_exit(sandbox: Sandbox) -> None:
    """Stop the child as the process exits. A second stop signal (a worker asked to stop
    twice, as Ctrl+C under `make demo` does) may land while the child is reaped, and its
    handler's SystemExit would print a traceback; the child is killed before that wait, so
    the exit goes on quietly."""
    with contextlib.suppress(SystemExit, KeyboardInterrupt):
        sandbox.close()


def _extract(data: bytes) -> Extracted:
    return extract_text(data)


def extract_in_sandbox(data: bytes, filename: str = "") -> Extracted:
    """`extract_text(data)` run in the process-wide sandbox; ExtractionError on failure,
    its message naming `filename` when given."""
    try:
        return default_sandbox().run(_extract, data)
    except ExtractionError as error:
        if filename and not error.message.startswith(os.path.basename(filename)):
            raise ExtractionError(
                error.code, f"{os.path.basename(filename)}: {error.message}"
            ) from error
        raise
