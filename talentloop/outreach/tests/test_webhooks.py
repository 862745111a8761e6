"""/api/v1/outreach/webhooks/bounce and /inbound: a shared secret, then one stored event."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import bearer, error
from talentloop.outreach.models import Message, MessageEvent
from talentloop.outreach.tests.tracking_fixtures import make_mail
from talentloop.outreach.tracking import reply_address

pytestmark = [pytest.mark.django_db, pytest.mark.urls("talentloop.outreach.tests.urls_public_test")]

SECRET = "s3cret-inbound-token"
BOUNCE = "/api/v1/outreach/webhooks/bounce"
INBOUND = "/api/v1/outreach/webhooks/inbound"


@pytest.fixture(autouse=True)
def _secret(settings: Any) -> None:
    settings.TALENTLOOP_INBOUND_SECRET = SECRET
    settings.TALENTLOOP_REPLY_DOMAIN = "replies.acme.test"


def _post(client: Client, path: str, data: Any, secret: str | None = SECRET, **kw: Any) -> Any:
    headers = bearer(secret) if secret is not None else {}
    if isinstance(data, bytes):
        return client.post(
            path, data, content_type=kw.get("content_type", "message/rfc822"), headers=headers
        )
    return client.post(path, json.dumps(data), content_type="application/json", headers=headers)


def test_without_a_secret_the_webhooks_do_not_exist(
    client: Client, settings: Any, sent_message: Message
) -> None:
    settings.TALENTLOOP_INBOUND_SECRET = ""

    for path in (BOUNCE, INBOUND):
        response = _post(
            client, path, {"message_id": sent_message.message_id, "type": "hard"}, secret=""
        )
        assert response.status_code == 404
        assert response.json() == error(
            "not_found", "Inbound webhooks are not enabled on this server."
        )
    assert MessageEvent.objects.exists() is False


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x", "tl_an-api-key"])
def test_refuses_a_wrong_or_missing_secret(
    client: Client, sent_message: Message, secret: str | None
) -> None:
    response = _post(
        client, BOUNCE, {"message_id": sent_message.message_id, "type": "hard"}, secret
    )

    assert response.status_code == 401
    assert MessageEvent.objects.exists() is False


def test_a_members_session_is_not_enough(alice_client: Client, sent_message: Message) -> None:
    response = _post(
        alice_client, BOUNCE, {"message_id": sent_message.message_id, "type": "hard"}, None
    )

    assert response.status_code == 401


def test_records_a_hard_bounce_by_message_id(client: Client, sent_message: Message) -> None:
    payload = {
        "message_id": f"<{sent_message.message_id}>",
        "type": "hard",
        "status": "5.1.1",
        "diagnostic": "550  5.1.1\n user unknown",
        "event_id": "evt_1",
    }

    response = _post(client, BOUNCE, payload)

    assert response.status_code == 202
    assert response.json() == {
        "kind": "bounce",
        "matched": True,
        "message_id": sent_message.pk,
        "matched_by": "references",
        "recorded": True,
    }
    event = MessageEvent.objects.get()
    assert (event.type, event.detail) == (
        "bounce",
        {
            "inbound_id": "webhook:evt_1",
            "from": "webhook",
            "kind": "hard",
            "status": "5.1.1",
            "diagnostic": "550 5.1.1 user unknown",
            "recipient": "",
        },
    )
    # The provider retries the same event: stored once.
    assert _post(client, BOUNCE, payload).json()["recorded"] is False
    assert MessageEvent.objects.count() == 1


def test_records_a_complaint_by_recipient(client: Client, sent_message: Message) -> None:
    response = _post(client, BOUNCE, {"recipient": " Grace@Navy.test ", "type": "complaint"})

    assert response.json()["matched_by"] == "recipient"
    event = MessageEvent.objects.get()
    assert (event.type, event.message_id) == ("complaint", sent_message.pk)


def test_a_recipient_two_workspaces_wrote_to_matches_nothing(
    client: Client,
    sent_message: Message,
    candidate_factory: Callable[..., Candidate],
    charlie_actor: Actor,
    message_factory: Callable[..., Message],
) -> None:
    globex_grace = candidate_factory(
        actor=charlie_actor, first_name="G", emails=["grace@navy.test"]
    )
    message_factory(globex_grace)

    response = _post(client, BOUNCE, {"recipient": "grace@navy.test", "type": "hard"})

    assert response.status_code == 202
    assert response.json()["matched"] is False
    assert MessageEvent.objects.exists() is False


def test_an_unknown_message_is_accepted_and_ignored(client: Client, db: Any) -> None:
    response = _post(client, BOUNCE, {"message_id": "nobody@nowhere.test", "type": "soft"})

    assert response.status_code == 202
    assert response.json() == {
        "kind": "bounce",
        "matched": False,
        "message_id": None,
        "matched_by": "",
        "recorded": False,
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "hard"}, "message_id"),
        ({"recipient": "not an address", "type": "hard"}, "recipient"),
        ({"message_id": "x@y.test", "type": "bounced"}, "type"),
        ({"message_id": "x@y.test"}, "type"),
        ({"message_id": "x" * 301, "type": "hard"}, "message_id"),
    ],
)
def test_bad_input_names_the_field(client: Client, db: Any, payload: Any, field: str) -> None:
    response = _post(client, BOUNCE, payload)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_takes_a_raw_inbound_reply(client: Client, sent_message: Message) -> None:
    address = reply_address(sent_message.pk)
    raw = make_mail(to=address or "", text="Sure, call me.\n")

    response = _post(client, INBOUND, raw)

    assert response.status_code == 202
    assert response.json() == {
        "kind": "reply",
        "matched": True,
        "message_id": sent_message.pk,
        "matched_by": "token",
        "recorded": True,
    }
    assert MessageEvent.objects.get().detail["excerpt"] == "Sure, call me."


def test_takes_an_inbound_mail_as_json(client: Client, sent_message: Message) -> None:
    raw = make_mail(
        subject="Out of office", headers={"In-Reply-To": f"<{sent_message.message_id}>"}
    )

    response = _post(client, INBOUND, {"raw": raw.decode()})

    assert response.json()["kind"] == "auto_reply"
    assert MessageEvent.objects.get().detail["auto"] is True


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "message/rfc822"),
        (b"   \r\n", "text/plain"),
        (b'{"mail": "x"}', "application/json"),
        (b'{"raw": 5}', "application/json"),
        (b"{nope", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),  # was a 500 (RecursionError)
    ],
)
def test_an_empty_or_malformed_inbound_body_is_a_422(
    client: Client, db: Any, body: bytes, content_type: str
) -> None:
    response = _post(client, INBOUND, body, content_type=content_type)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "raw"


def test_an_inbound_mail_answering_nothing_is_accepted(client: Client, db: Any) -> None:
    response = _post(client, INBOUND, make_mail(sender="stranger@else.test"))

    assert (response.status_code, response.json()["matched"]) == (202, False)


def test_the_webhooks_are_documented_with_their_own_authentication(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    bounce = spec["paths"]["/api/v1/outreach/webhooks/bounce"]["post"]
    inbound = spec["paths"]["/api/v1/outreach/webhooks/inbound"]["post"]
    assert bounce["security"] == inbound["security"] == [{"InboundSecretAuth": []}]
    assert set(bounce["responses"]) == set(inbound["responses"]) == {"202"}
    body = bounce["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/BounceIn"
    assert spec["components"]["schemas"]["BounceIn"]["properties"]["type"]["enum"] == [
        "hard",
        "soft",
        "complaint",
        "delivered",
    ]


def test_an_inbound_mail_with_broken_text_is_still_read(
    client: Client, sent_message: Message
) -> None:
    body = '{"raw": "From: grace@navy.test\\r\\nIn-Reply-To: <%s>\\r\\n\\r\\nOk \\ud800 \\udcff"}'

    response = client.post(
        INBOUND,
        body % sent_message.message_id,
        content_type="application/json",
        headers=bearer(SECRET),
    )

    assert (response.status_code, response.json()["matched_by"]) == (202, "references")
    assert MessageEvent.objects.get().detail["excerpt"] == "Ok ? ?"
