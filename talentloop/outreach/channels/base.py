"""The small interface every outreach channel implements (listmonk's Messenger)."""

from __future__ import annotations

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
    unsubscribe_url: str = ""  # List-Unsubscribe (RFC 8058 one-click) when set
    headers: dict[str, str] = field(default_factory=dict)


class SendError(Exception):
    """The channel could not send. `permanent` errors are not retried (a rejected address);
    others are (the server was away), with the same Message-ID."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Commit(Protocol):
    def __call__(self) -> bool:
        """Record the message as sent. False: another worker owns it now; do not send."""


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing, commit: Commit) -> bool:
        """Hand `message` over for delivery and return True once it was accepted.

        Call `commit` exactly once, at the last moment before the message can no longer be
        taken back (for SMTP: before the final "." of DATA), and send nothing if it returns
        False (then return False). A crash before `commit` leaves nothing delivered; after it,
        the ledger already says sent. Raise SendError when sending failed.
        """

    def close(self) -> None:
        """Release connections; the channel may be used again afterwards."""
