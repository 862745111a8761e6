"""/api/v1/openapi.json is a sound OpenAPI 3 document, and /api/v1/docs works offline."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client: Client, db: None) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    spec: dict[str, Any] = response.json()
    return spec


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references are expected: {ref}"
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_is_an_openapi_3_document(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] == "Talentloop API"
    assert document["info"]["version"] == "1"
    assert set(document) <= {
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    }


def test_every_operation_is_well_formed(document: dict[str, Any]) -> None:
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/")
        assert set(item) <= HTTP_METHODS | {"parameters", "summary", "description"}
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            assert operation["responses"], f"{method} {path} documents no response"
            assert all(re.fullmatch(r"[1-5]\d\d|default", code) for code in operation["responses"])
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), f"{method} {path}"
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                assert "schema" in parameter
                if parameter["in"] == "path":
                    assert parameter["required"] is True
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs = _refs(document)

    assert refs
    for ref in refs:
        assert isinstance(_resolve(document, ref), dict), ref


def test_declares_both_ways_to_authenticate(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]

    assert schemes["ApiKeyAuth"]["type"] == "http"
    assert schemes["ApiKeyAuth"]["scheme"] == "bearer"
    assert (schemes["MemberSessionAuth"]["type"], schemes["MemberSessionAuth"]["in"]) == (
        "apiKey",
        "cookie",
    )
    for path, item in document["paths"].items():
        for operation in item.values():
            if path.startswith("/api/v1/outreach/webhooks/"):
                # Mail providers call these with the shared inbound secret, nothing else.
                assert operation["security"] == [{"InboundSecretAuth": []}]
            else:
                assert operation["security"] == [{"ApiKeyAuth": []}, {"MemberSessionAuth": []}]


def test_documents_the_candidate_endpoints(document: dict[str, Any]) -> None:
    paths = document["paths"]
    methods = {path: set(item) for path, item in paths.items() if "/candidates" in path}

    assert methods == {
        "/api/v1/candidates": {"get", "post"},
        "/api/v1/candidates/{candidate_id}": {"get", "patch", "delete"},
        "/api/v1/candidates/{candidate_id}/export": {"get"},
        "/api/v1/candidates/{candidate_id}/freshness": {"get"},
        "/api/v1/candidates/{candidate_id}/confirm-current": {"post"},
        "/api/v1/candidates/{candidate_id}/email-status": {"post"},
        "/api/v1/candidates/{candidate_id}/phone-status": {"post"},
        "/api/v1/candidates/{candidate_id}/similar": {"get"},
        "/api/v1/candidates/{candidate_id}/timeline": {"get"},
        "/api/v1/candidates/{candidate_id}/touchpoints": {"post"},
        "/api/v1/candidates/{candidate_id}/notes": {"get", "post"},
        "/api/v1/candidates/{candidate_id}/consent": {"get", "post"},
        "/api/v1/candidates/{candidate_id}/resumes": {"get"},
    }
    listing = paths["/api/v1/candidates"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "q",
        "tag",
        "owner",
        "source",
        "updated_since",
        "include_archived",
        "sort",
        "cursor",
        "limit",
    }
    page = _resolve(
        document, listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    )
    assert set(page["properties"]) == {"items", "next_cursor"}


def test_the_create_schema_refuses_unknown_fields(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/v1/candidates"]["post"]["requestBody"]
    schema = _resolve(document, body["content"]["application/json"]["schema"]["$ref"])

    assert body["required"] is True
    assert schema["required"] == ["first_name"]
    assert schema["additionalProperties"] is False
    assert "emails" in schema["properties"]


class _Assets(HTMLParser):
    """Every URL a page makes the browser load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


def test_the_docs_page_loads_only_local_assets(client: Client, db: None) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    parser = _Assets()
    parser.feed(page)

    assert parser.urls
    assert [url for url in parser.urls if not url.startswith("/static/")] == []
    assert re.findall(r"(?:https?:)?//[\w.-]+\.\w+", page) == []
    for url in parser.urls:
        assert client.get(url).status_code == 200, url


def test_the_docs_do_not_call_the_online_validator(client: Client, db: None) -> None:
    # Swagger UI otherwise loads a badge from validator.swagger.io with our spec's address.
    page = client.get("/api/v1/docs").content.decode()
    settings = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', page, re.DOTALL
    )

    assert settings is not None
    assert json.loads(settings.group(1)) == {
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,
        "url": "/api/v1/openapi.json",
    }


def _schemas(base: type[Any]) -> list[type[Any]]:
    found: list[type[Any]] = []
    sub: type[Any]
    for sub in base.__subclasses__():
        if sub.__module__.startswith("talentloop."):
            found.append(sub)
        found += _schemas(sub)
    return found


def test_no_two_schemas_share_a_name() -> None:
    """The document names each component after its class, so two classes of one name would
    make one endpoint show the other's shape (pools' members once looked like workspace
    members)."""
    from ninja import Schema

    import talentloop.api  # noqa: F401 - imports every router and its schemas

    modules: dict[str, set[str]] = {}
    for schema in _schemas(Schema):
        modules.setdefault(schema.__name__, set()).add(schema.__module__)

    assert {name: found for name, found in modules.items() if len(found) > 1} == {}


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/imports/{job_id}/errors.csv", "text/csv"),
        ("/api/v1/bulk-actions/{action_id}/export.csv", "text/csv"),
        ("/api/v1/resumes/{resume_id}/file", "application/pdf"),
    ],
)
def test_a_file_answer_names_its_content_type(
    document: dict[str, Any], path: str, content_type: str
) -> None:
    content = document["paths"][path]["get"]["responses"]["200"]["content"]

    assert content_type in content
    assert "application/json" not in content


def test_the_inbound_webhook_documents_its_raw_mail_body(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/v1/outreach/webhooks/inbound"]["post"]

    assert set(operation["requestBody"]["content"]) == {"message/rfc822", "application/json"}
    assert "404" in operation["responses"]  # while inbound webhooks are not enabled
