"""Webhooks for mail providers and inbound-mail relays: bounces, complaints and replies.

They are called by machines, not members, so they take neither sessions nor API keys but the
shared secret TALENTLOOP_INBOUND_SECRET as `Authorization: Bearer …`. Without a secret set the
endpoints do not exist (404): a deployment that never configured them cannot be fed fake
bounces.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import Field

from talentloop.candidates.normalize import NormalizationError, normalize_email
from talentloop.core import nesting
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.outreach import inbound
from talentloop.outreach.models import Message


class InboundSecretAuth(HttpBearer):
    """`Authorization: Bearer <TALENTLOOP_INBOUND_SECRET>`; no secret set: 404."""

    openapi_description = "The shared secret TALENTLOOP_INBOUND_SECRET of the server."

    def __call__(self, request: HttpRequest) -> Any:
        if not settings.TALENTLOOP_INBOUND_SECRET:
            raise NotFound("Inbound webhooks are not enabled on this server.")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        secret = settings.TALENTLOOP_INBOUND_SECRET
        if secret and hmac.compare_digest(token.encode(), secret.encode()):
            return "inbound"
        return None


router = Router(tags=["outreach webhooks"], auth=InboundSecretAuth())


class BounceIn(Schema):
    # The sent message: its Message-ID header (with or without <>), or the address it went to.
    message_id: str = Field("", max_length=300)
    recipient: str = Field("", max_length=254)
    type: Literal["hard", "soft", "complaint", "delivered"]
    status: str = Field("", max_length=20)  # enhanced status code, e.g. 5.1.1
    diagnostic: str = Field("", max_length=1000)
    # The provider's id of this event: a retried webhook is then stored once.
    event_id: str = Field("", max_length=200)


class InboundOut(Schema):
    kind: str
    matched: bool
    message_id: int | None
    matched_by: str
    recorded: bool


def _bounced_message(payload: BounceIn) -> tuple[Message | None, str]:
    if payload.message_id.strip():
        message_id = payload.message_id.strip().removeprefix("<").removesuffix(">")
        found = Message.objects.filter(message_id=message_id).first()
        return found, "references"
    if not payload.recipient.strip():
        raise InvalidInput("Give the message_id or the recipient.", field="message_id")
    try:
        address = normalize_email(payload.recipient)
    except NormalizationError as error:
        raise InvalidInput(str(error), field="recipient") from None
    return inbound.latest_message_to(address, exact=True), "recipient"


@router.post("/outreach/webhooks/bounce", response={202: InboundOut})
def bounce_webhook(request: HttpRequest, payload: BounceIn) -> Status[dict[str, Any]]:
    """A provider reports a bounce (hard or soft), a spam complaint or a delivery."""
    message, how = _bounced_message(payload)
    kind = {"complaint": inbound.COMPLAINT, "delivered": inbound.DELIVERED}.get(
        payload.type, inbound.BOUNCE
    )
    if message is None:
        return Status(202, inbound.InboundResult(kind=kind).as_dict())
    fingerprint = payload.event_id or hashlib.sha256(request.body).hexdigest()
    detail: dict[str, Any] = {"inbound_id": f"webhook:{fingerprint}", "from": "webhook"}
    if kind != inbound.COMPLAINT:
        detail.update(
            kind=payload.type,
            status=payload.status,
            diagnostic=" ".join(payload.diagnostic.split())[:300],
            recipient=payload.recipient.strip().lower(),
        )
    recorded = inbound.store(message=message, type=inbound.EVENT_TYPES[kind], detail=detail)
    result = inbound.InboundResult(
        kind=kind, message_id=message.pk, matched_by=how, recorded=recorded
    )
    return Status(202, result.as_dict())


def _raw_mail(request: HttpRequest) -> bytes:
    body = request.body
    if request.content_type == "application/json":
        try:
            data = nesting.loads(body)
        except nesting.NestingError as error:
            raise InvalidInput(str(error), field="raw") from None
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("The request body is not valid JSON.", field="raw") from None
        raw = data.get("raw") if isinstance(data, dict) else None
        if not isinstance(raw, str):
            raise InvalidInput('Send {"raw": "<the message>"} as text.', field="raw")
        body = raw.encode("utf-8", "replace")
    if not body.strip():
        raise InvalidInput("The message is empty.", field="raw")
    return body


_RAW_MAIL_BODY = {
    "required": True,
    "content": {
        "message/rfc822": {"schema": {"type": "string"}},
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["raw"],
                "properties": {"raw": {"type": "string", "description": "The whole message"}},
            }
        },
    },
}


@router.post(
    "/outreach/webhooks/inbound",
    response={202: InboundOut},
    openapi_extra={"requestBody": _RAW_MAIL_BODY},
)
def inbound_webhook(request: HttpRequest) -> Status[dict[str, Any]]:
    """An inbound mail (RFC 5322) as the body, or as JSON {"raw": "…"}: a reply, an automatic
    reply, a bounce or a complaint, matched to the message it answers."""
    result = inbound.handle_inbound(_raw_mail(request))
    return Status(202, result.as_dict())
