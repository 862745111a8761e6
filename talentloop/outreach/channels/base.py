"""The small interface every outreach channel implements (listmonk's Messenger)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One rendered message, ready for a channel. `message_id` is reused on every retry."""

    key: str  # the ledger key, for logs and the X-Talentloop-Message header
    message_id: str  # RFC 5322 Message-ID without the angle brackets
    to: str  # address: e-mail or E.164 number
    to_name: str
    from_address: str
    from_name: str
    subject: str
    html: str
    text: str
    reply_to: str = ""
    # SMTP envelope sender (Return-Path): bounces go there; blank means from_address.
    envelope_from: str = ""
    unsubscribe_url: str = ""  # List-Unsubscribe (RFC 8058 one-click) when set
    headers: dict[str, str] = field(default_factory=dict)


class SendError(Exception):
    """The channel could not send. `permanent` errors are not retried (a rejected address);
    others are (the server was away), with the same Message-ID."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outcome:
    """What became of one message of a batch.

    sent: delivered. abandoned: `commit` refused it (another worker owns it), nothing left.
    error: not delivered; `committed` says whether `commit` had already recorded it as sent.
    """

    sent: bool = False
    abandoned: bool = False
    error: SendError | None = None
    committed: bool = False


class Commit(Protocol):
    def __call__(self, ready: Sequence[int]) -> set[int]:
        """Record the messages at these indexes as sent, in one transaction; return the
        indexes recorded (the others belong to another worker now and must not be sent)."""


class Channel(Protocol):
    name: str
    # Messages handed over at once (one connection each), so one commit covers them all.
    parallelism: int

    def send_batch(self, messages: Sequence[Outgoing], commit: Commit) -> list[Outcome]:
        """Hand over up to `parallelism` messages; one Outcome per message, in order.

        Call `commit` exactly once, at the last moment before the messages can no longer be
        taken back (for SMTP: before the final "." of DATA), and finish only those it returns.
        A crash before `commit` leaves nothing delivered; after it, the ledger says sent.
        """

    def close(self) -> None:
        """Release connections; the channel may be used again afterwards."""
