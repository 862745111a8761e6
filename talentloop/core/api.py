"""The JSON API's shared machinery: authentication, error shape, idempotent creates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from talentloop.accounts.models import ApiKey
from talentloop.accounts.selectors import actor_for_user, client_ip
from talentloop.accounts.services import api_key_role, authenticate_api_key
from talentloop.core import nesting
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput, TalentloopError
from talentloop.core.models import IdempotencyKey
from talentloop.core.nesting import MAX_JSON_DEPTH

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer tl_…`: a workspace API key. Read keys may only read."""

    openapi_description = "A workspace API key, created by an admin under Settings → API keys."

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = authenticate_api_key(token)
        if key is None:
            return None
        if request.method not in SAFE_METHODS and key.scope != ApiKey.Scope.WRITE:
            raise Forbidden("This API key is read-only.", code="read_only_key")
        request.actor = Actor(  # type: ignore[attr-defined]
            workspace=key.workspace, role=api_key_role(key), api_key=key, ip=client_ip(request)
        )
        return key


class MemberSessionAuth(SessionAuth):
    """The browser session of a signed-in member; unsafe methods need the CSRF token."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a signed-in user there is no session to protect, so the answer is 401
        # ("authenticate"), not a CSRF failure, for an API client that sent no or a bad key.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        actor = actor_for_user(request, request.user)
        if actor is None:
            return None
        request.actor = actor  # type: ignore[attr-defined]
        return request.user


def actor_of(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


class ApiJSONEncoder(DjangoJSONEncoder):
    """Dates as pydantic writes them (full precision, UTC as Z), so every endpoint agrees."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)


class ApiRenderer(JSONRenderer):
    """Ninja's own responses, encoded like json_response's (Django's encoder cuts to ms)."""

    encoder_class = ApiJSONEncoder


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """Serialize plain data straight to JSON: hot endpoints whose shape their selector owns
    skip per-field schema validation (about a third of a 50-row list's time)."""
    return HttpResponse(
        json.dumps(data, cls=ApiJSONEncoder, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )


# What every error answer looks like, and when each status comes (see install_error_handlers).
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs."},
                "message": {"type": "string", "description": "For people."},
                "field": {
                    "type": ["string", "null"],
                    "description": "The value at fault, as a path (`emails[0]`); null for the "
                    "request as a whole.",
                },
                "details": {
                    "type": "array",
                    "description": "Every problem, when there were several.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": ["string", "null"]},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}
ERRORS = {
    400: "The body cannot be read (not JSON, or a broken multipart upload).",
    401: "No valid API key or signed-in session.",
    403: "The key's scope or the member's role does not allow this.",
    404: "No such object in this workspace.",
    409: "It clashes with something stored: a duplicate e-mail, a reused Idempotency-Key, "
    "a state that no longer allows it, or a person who may not be contacted.",
    413: "The body is too large.",
    422: "A value is wrong; `field` names it.",
}


class BodyParser(Parser):
    """JSON bodies, refused when they nest deeper than `MAX_JSON_DEPTH` (NestingError)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return nesting.loads(request.body)


class TalentloopAPI(NinjaAPI):
    """NinjaAPI whose document also lists each operation's error answers and their shape, and
    whose JSON bodies may not nest deeper than `MAX_JSON_DEPTH`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parser", BodyParser())
        super().__init__(*args, **kwargs)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(document)
        return document


def document_errors(document: dict[str, Any]) -> None:
    """Add to each operation the errors it can answer with, unless it declares them itself:
    401 and 403 when it needs credentials, 404 with an id in its path or a body (which may
    name objects by id), 422 with any input, 400 and 413 with a body, 409 for a change."""
    document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in document["paths"].values():
        for method, operation in item.items():
            parameters = operation.get("parameters", [])
            body = "requestBody" in operation
            statuses = {
                401: bool(operation.get("security")),
                403: bool(operation.get("security")),
                404: body or any(p["in"] == "path" for p in parameters),
                422: bool(parameters) or body,
                400: body,
                413: body,
                409: method in ("post", "put", "patch", "delete"),
            }
            responses = operation["responses"]
            for status, applies in statuses.items():
                if applies and status not in responses and str(status) not in responses:
                    responses[status] = {"description": ERRORS[status], "content": content}
            operation["responses"] = dict(sorted(responses.items(), key=lambda r: str(r[0])))


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _field_of(location: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [
        str(p)
        for p in location
        if p not in {"body", "query", "path", "payload", "header", "file", "form"}
    ]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or None  # None: the body as a whole (not an object, or missing)


def file_answer(description: str, content_types: Iterable[str]) -> dict[str, Any]:
    """`openapi_extra` for an operation that answers 200 with a file instead of JSON (declare
    it with `response={200: None}`), so the document names the file's real content types."""
    schema = {"type": "string", "format": "binary"}
    content = {content_type: {"schema": schema} for content_type in content_types}
    return {"responses": {200: {"description": description, "content": content}}}


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error leaves as {"error": {"code", "message", "field"}}; bad input is never a 500."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(TalentloopError)
    def talentloop_error(request: HttpRequest, exc: TalentloopError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.field))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "Invalid value.")}
            for e in exc.errors
        ]
        first = details[0] if details else {"field": "", "message": "Invalid input."}
        body = error_body("invalid", str(first["message"]), first["field"] or None, details=details)
        return respond(request, 422, body)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = "Send an API key as 'Authorization: Bearer …' or sign in."
        return respond(request, 401, error_body("unauthenticated", message))

    @api.exception_handler(AuthorizationError)
    def unauthorized(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return respond(request, 403, error_body("forbidden", str(exc.message)))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "malformed", 403: "forbidden", 404: "not_found"}.get(exc.status_code, "error")
        message = str(exc)
        if isinstance(exc.__cause__, nesting.NestingError):
            message = f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
        elif message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON."
        if exc.status_code == 403 and "CSRF" in message:
            code, message = "csrf_failed", "Send the CSRF token in the X-CSRFToken header."
        return respond(request, exc.status_code, error_body(code, message))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body("too_large", "The request body is too large."))

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        message = f"The multipart/form-data body cannot be read: {exc}."
        return respond(request, 400, error_body("malformed", message))


def idempotent_create(
    request: HttpRequest,
    *,
    endpoint: str,
    payload: dict[str, Any],
    create: Callable[[], dict[str, Any]],
    status: int = 201,
) -> tuple[int, dict[str, Any]]:
    """Run `create` once per `Idempotency-Key`; a retry gets the first answer back.

    Reusing a key with a different body is a Conflict. Without the header, `create` just runs.
    """
    actor = actor_of(request)
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        with transaction.atomic():
            return status, create()
    if len(key) > 255 or not key.isprintable():
        raise InvalidInput("At most 255 printable characters.", field="Idempotency-Key")
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def replay(stored: IdempotencyKey) -> tuple[int, dict[str, Any]]:
        if stored.request_hash != digest:
            raise Conflict(
                "This Idempotency-Key was used with a different request.",
                field="Idempotency-Key",
                code="idempotency_key_reused",
            )
        return stored.response_status, stored.response_body

    lookup = {"workspace": actor.workspace, "endpoint": endpoint, "key": key}
    stored = IdempotencyKey.objects.filter(**lookup).first()
    if stored:
        return replay(stored)
    try:
        with transaction.atomic():
            body = create()
            IdempotencyKey.objects.create(
                **lookup, request_hash=digest, response_status=status, response_body=body
            )
    except IntegrityError:
        # A concurrent request with the same key won; its record (and only its) was kept.
        stored = IdempotencyKey.objects.filter(**lookup).first()
        if stored is None:
            raise
        return replay(stored)
    return status, body
