"""Helpers for the JSON API tests: requests, expected error bodies, and "nothing changed" proof."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.test import Client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

API = "/api/v1"
# An id no row has, on SQLite or PostgreSQL (sequences there are not reset between tests).
MISSING_ID = 987_654_321


def call(
    client: Client,
    method: str,
    path: str,
    data: Any = None,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    """Send `data` as a JSON body (a str is sent as it is) to API + `path`."""
    body = "" if data is None else data if isinstance(data, str) else json.dumps(data)
    return client.generic(
        method.upper(), API + path, body, content_type="application/json", headers=headers
    )


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def error(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def invalid(message: str, field: str | None) -> dict[str, Any]:
    """The body of a 422 from schema validation, which also lists every problem found."""
    body = error("invalid", message, field)
    body["error"]["details"] = [{"field": field, "message": message}]
    return body


UNAUTHENTICATED = error(
    "unauthenticated", "Send an API key as 'Authorization: Bearer …' or sign in."
)
READ_ONLY_KEY = error("read_only_key", "This API key is read-only.")
NO_SUCH_CANDIDATE = error("not_found", "No such candidate.")

# Bookkeeping that reading may move; everything else must stay as it was after a refusal.
_BOOKKEEPING = {("accounts.ApiKey", "last_used_at")}


def stored_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of Talentloop's own tables, to show that a refused request changed nothing."""
    state = {}
    for model in apps.get_models():
        if not model.__module__.startswith("talentloop."):
            continue
        label = model._meta.label
        rows = list(model._default_manager.order_by("pk").values())
        for row in rows:
            for name in [f for (m, f) in _BOOKKEEPING if m == label]:
                row.pop(name, None)
        state[label] = rows
    return state


def assert_refused(
    client: Client,
    method: str,
    path: str,
    data: Any = None,
    *,
    headers: dict[str, str] | None = None,
    status: int,
    body: dict[str, Any],
) -> None:
    """The request answers `status` with exactly `body`, and no stored row changes."""
    before = stored_state()

    response = call(client, method, path, data, headers=headers)

    assert response.status_code == status
    assert response.json() == body
    assert stored_state() == before


def assert_like_missing(
    theirs: Callable[[], Response], missing: Callable[[], Response], *, body: dict[str, Any]
) -> None:
    """Another workspace's object answers exactly like a missing one, and nothing changes."""
    before = stored_state()

    their_response, missing_response = theirs(), missing()

    assert (their_response.status_code, missing_response.status_code) == (404, 404)
    assert their_response.json() == missing_response.json() == body
    assert stored_state() == before
