"""A local SMTP server that keeps what it receives: the real server of the tests and benches.

`SmtpSink` runs aiosmtpd in a thread (tests); `python -m talentloop.core.smtp_sink --port N
--log FILE` runs it as its own process (benches), writing one line per message received:
recipient, Message-ID and X-Talentloop-Message, tab-separated.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from aiosmtpd.controller import Controller

_HEADER = re.compile(rb"^(message-id|x-talentloop-message):[ \t]*(.*?)\r?$", re.I | re.M)


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message_id: str
    key: str
    data: bytes


def _headers(data: bytes) -> tuple[str, str]:
    head = data.split(b"\r\n\r\n", 1)[0]
    found = {name.lower(): value.strip() for name, value in _HEADER.findall(head)}
    message_id = found.get(b"message-id", b"").decode("ascii", "replace").strip("<>")
    return message_id, found.get(b"x-talentloop-message", b"").decode("ascii", "replace")


class _Handler:
    def __init__(self, *, keep: bool, log: IO[str] | None) -> None:
        self.keep = keep
        self.log = log
        self.messages: list[Received] = []
        self.count = 0
        self.lock = threading.Lock()
        self.refuse: set[str] = set()  # recipients answered with 550 (tests of hard bounces)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or envelope.content
        message_id, key = _headers(data)
        with self.lock:
            self.count += 1
            if self.keep:
                self.messages.append(
                    Received(envelope.mail_from, tuple(envelope.rcpt_tos), message_id, key, data)
                )
            if self.log is not None:
                for rcpt in envelope.rcpt_tos:
                    self.log.write(f"{rcpt}\t{message_id}\t{key}\n")
                self.log.flush()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """`with SmtpSink() as sink:` a real SMTP server on 127.0.0.1:sink.port for the block."""

    def __init__(self, port: int | None = None, *, keep: bool = True, log: IO[str] | None = None):
        self.port = port or free_port()
        # aiosmtpd logs every command at INFO: that alone would halve the server's speed.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.handler = _Handler(keep=keep, log=log)
        # Large messages and many clients: no size limit, the default timeouts.
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, data_size_limit=0
        )

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def refuse(self, address: str) -> None:
        self.handler.refuse.add(address.lower())

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with args.log.open("a", encoding="utf-8") as log, SmtpSink(args.port, keep=False, log=log):
        print(f"listening on 127.0.0.1:{args.port}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
