"""The bad-input matrix: every error is {"error": {"code", "message", "field"}}, never a 500,
and a refused request stores nothing."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import ApiKey, Membership, User
from talentloop.accounts.services import create_api_key
from talentloop.api import api
from talentloop.candidates.models import Candidate, Note, Tag
from talentloop.candidates.services import add_note, create_candidate, define_custom_field
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    NO_SUCH_CANDIDATE,
    UNAUTHENTICATED,
    call,
    error,
    invalid,
    stored_state,
)
from talentloop.duplicates.models import DuplicateSuggestion
from talentloop.duplicates.services import check_candidate, merge_candidates, start_scan
from talentloop.imports.services import create_job
from talentloop.resumes import services as resume_services
from talentloop.resumes.models import SkillPhrase

MALFORMED = error("malformed", "The request body is not valid JSON.")
TOO_DEEP = error("malformed", "The request body nests deeper than 32 levels.")
NOT_AN_OBJECT = "Input should be a valid dictionary or object to extract fields from"
NUL = "Value error, Text cannot contain NUL characters."


@pytest.fixture
def ids(
    candidate: Candidate,
    candidate_factory: Callable[..., Candidate],
    charlie_candidate: Candidate,
) -> dict[str, int]:
    """Grace (with grace@navy.test), Ada, and charlie's candidate in Globex."""
    ada = candidate_factory(first_name="Ada", last_name="Lovelace", emails=["ada@example.test"])
    return {"grace": candidate.pk, "ada": ada.pk, "other": charlie_candidate.pk}


# (method, path, body, status, expected body); {grace}, {ada} and {other} are candidate ids.
MATRIX: list[tuple[str, str, Any, int, dict[str, Any]]] = [
    # Not JSON at all
    ("post", "/candidates", '{"first_name": ', 400, MALFORMED),
    ("patch", "/candidates/{grace}", "{first_name: 'Ada'}", 400, MALFORMED),
    ("post", "/candidates/{grace}/notes", "body=hello", 400, MALFORMED),
    # JSON nested so deep that a validator's recursion would run out of stack (was a 500)
    (
        "post",
        "/candidates",
        '{"custom_fields": {"x": ' + "[" * 500 + "]" * 500 + "}}",
        400,
        TOO_DEEP,
    ),
    (
        "patch",
        "/candidates/{grace}",
        '{"custom_fields":' + '{"a":' * 40 + "1" + "}" * 41,
        400,
        TOO_DEEP,
    ),
    ("post", "/candidates", "[" * 100_000 + "]" * 100_000, 400, TOO_DEEP),
    # JSON, but not an object
    ("post", "/candidates", "[1, 2]", 422, invalid(NOT_AN_OBJECT, None)),
    ("post", "/candidates", "null", 422, invalid(NOT_AN_OBJECT, None)),
    # Wrong types, named by field
    (
        "post",
        "/candidates",
        {"first_name": 42},
        422,
        invalid("Input should be a valid string", "first_name"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "emails": "ada@new.test"},
        422,
        invalid("Input should be a valid list", "emails"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "emails": [7]},
        422,
        invalid("Input should be a valid string", "emails[0]"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "phones": ["+1 415 555 2671"]},
        422,
        invalid(NOT_AN_OBJECT, "phones[0]"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"is_archived": "maybe"},
        422,
        invalid("Value error, Expected true or false.", "is_archived"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"years_experience": "lots"},
        422,
        invalid(
            "Input should be a valid number, unable to parse string as a number", "years_experience"
        ),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"custom_fields": ["a"]},
        422,
        invalid("Input should be a valid dictionary", "custom_fields"),
    ),
    (
        "post",
        "/candidates/{grace}/notes",
        {"body": "Hi", "remind_at": "tomorrow"},
        422,
        invalid("Input should be a valid datetime or date, input is too short", "remind_at"),
    ),
    # Missing and unknown fields
    (
        "post",
        "/candidates",
        {"last_name": "Lovelace"},
        422,
        invalid("Field required", "first_name"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "nickname": "Countess"},
        422,
        invalid("Extra inputs are not permitted", "nickname"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "phones": [{"number": "+1 415 555 2671", "extension": "12"}]},
        422,
        invalid("Extra inputs are not permitted", "phones[0].extension"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"salary": 100},
        422,
        invalid("Extra inputs are not permitted", "salary"),
    ),
    (
        "post",
        "/candidates/{grace}/notes",
        {"body": "Hi", "pinned": True},
        422,
        invalid("Extra inputs are not permitted", "pinned"),
    ),
    # Too long
    (
        "post",
        "/candidates",
        {"first_name": "A" * 101},
        422,
        invalid("String should have at most 100 characters", "first_name"),
    ),
    # Contact data that does not validate
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "emails": ["ada@new.test", "not-an-email"]},
        422,
        error("invalid", "'not-an-email' is not a valid e-mail address.", "emails[1]"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"emails": ["grace@"]},
        422,
        error("invalid", "'grace@' is not a valid e-mail address.", "emails[0]"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "phones": [{"number": "12"}]},
        422,
        error("invalid", "'12' is not a valid phone number.", "phones[0].number"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "phones": [{"number": "call me"}]},
        422,
        error("invalid", "'call me' is not a phone number.", "phones[0].number"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"phones": [{"number": "+1 415 555 2671", "kind": "pager"}]},
        422,
        error("invalid", "'pager' is not a phone kind.", "phones[0].kind"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "links": [{"url": "not a link"}]},
        422,
        error("invalid", "'not a link' is not a valid link.", "links[0].url"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "country": "Germany"},
        422,
        error("invalid", "'Germany' is not a two-letter country code (ISO 3166).", "country"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "timezone": "Mars/Olympus"},
        422,
        error(
            "invalid", "'Mars/Olympus' is not a time zone name such as Europe/Berlin.", "timezone"
        ),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "seniority": "wizard"},
        422,
        error(
            "invalid",
            "'wizard' is not one of: intern, junior, mid, senior, lead, principal, "
            "manager, director, executive.",
            "seniority",
        ),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"years_experience": 120},
        422,
        error("invalid", "Must be between 0 and 80.", "years_experience"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        '{"years_experience": NaN}',
        422,  # was a 500
        error("invalid", "Must be between 0 and 80.", "years_experience"),
    ),
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "owner_id": 10**30},
        422,  # was a 500
        error("invalid", "The owner must be a member of this workspace.", "owner_id"),
    ),
    # A yes/no is true or false, a number is no boolean (pydantic took "yes" and 1 as true)
    (
        "patch",
        "/candidates/{grace}",
        {"is_do_not_contact": "yes"},
        422,
        invalid("Value error, Expected true or false.", "is_do_not_contact"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"is_archived": 1},
        422,
        invalid("Value error, Expected true or false.", "is_archived"),
    ),
    (
        "patch",
        "/candidates/{grace}",
        {"years_experience": True},
        422,
        invalid("Value error, Expected a number, not true or false.", "years_experience"),
    ),
    # Text PostgreSQL cannot store (was a 500 there)
    ("post", "/candidates", {"first_name": "A\u0000da"}, 422, invalid(NUL, "first_name")),
    ("post", "/candidates", {"first_name": "Ada", "tags": ["a\u0000b"]}, 422, invalid(NUL, "tags")),
    ("post", "/tags", {"name": "a\u0000b"}, 422, invalid(NUL, "name")),
    ("get", "/candidates?tag=a%00b", None, 422, invalid(NUL, "tag")),
    # Taken e-mails
    (
        "post",
        "/candidates",
        {"first_name": "Ada", "emails": ["GRACE@navy.test"]},
        409,
        error("duplicate", "grace@navy.test already belongs to candidate {grace}.", "emails"),
    ),
    (
        "patch",
        "/candidates/{ada}",
        {"emails": ["ada@example.test", "grace@navy.test"]},
        409,
        error("duplicate", "grace@navy.test already belongs to candidate {grace}.", "emails"),
    ),
    # Another workspace's ids, and ids that are not ids
    ("get", "/candidates/{other}", None, 404, NO_SUCH_CANDIDATE),
    ("patch", "/candidates/{other}", {"headline": "Mine"}, 404, NO_SUCH_CANDIDATE),
    ("delete", "/candidates/{other}", None, 404, NO_SUCH_CANDIDATE),
    ("post", "/candidates/{other}/notes", {"body": "Hi"}, 404, NO_SUCH_CANDIDATE),
    ("get", "/candidates/99999999999999999999999", None, 404, NO_SUCH_CANDIDATE),
    (
        "get",
        "/candidates/abc",
        None,
        422,
        invalid(
            "Input should be a valid integer, unable to parse string as an integer", "candidate_id"
        ),
    ),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "expected"),
    MATRIX,
    ids=[f"{m} {p} {status}" for m, p, _, status, _ in MATRIX],
)
def test_refuses_bad_input_with_a_clear_error_and_stores_nothing(
    alice_client: Client,
    ids: dict[str, int],
    method: str,
    path: str,
    body: Any,
    status: int,
    expected: dict[str, Any],
) -> None:
    before = stored_state()

    response = call(alice_client, method, _fill(path, ids), body)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == _fill(expected, ids)
    assert stored_state() == before


@functools.cache
def _document() -> dict[str, Any]:
    """The OpenAPI document, built once for the module (about a quarter second each time)."""
    return dict(api.get_openapi_schema(path_prefix="/api/v1"))


def _documented(method: str, path: str) -> set[str]:
    """The statuses the OpenAPI document lists for the operation `path` reaches."""
    document = _document()
    bare = "/api/v1" + path.split("?")[0]
    for template in sorted(document["paths"], key=lambda t: t.count("{")):
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, bare) and method in document["paths"][template]:
            return {str(code) for code in document["paths"][template][method]["responses"]}
    raise AssertionError(f"no operation {method} {bare}")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [(m, p, status) for m, p, _, status, _ in MATRIX],
    ids=[f"{m} {p} {status}" for m, p, _, status, _ in MATRIX],
)
def test_the_document_lists_each_error_an_operation_answers(
    method: str, path: str, status: int
) -> None:
    assert str(status) in _documented(method, path.format(grace=1, ada=2, other=3))


def test_the_document_lists_404_for_an_id_named_in_the_body(
    alice_client: Client, ids: dict[str, int]
) -> None:
    body = {"survivor_id": ids["grace"], "other_id": ids["other"]}

    response = call(alice_client, "post", "/merges", body)

    assert response.status_code == 404
    assert "404" in _documented("post", "/merges")


def test_lists_every_problem_in_the_details(alice_client: Client, ids: dict[str, int]) -> None:
    response = call(
        alice_client,
        "post",
        "/candidates",
        {"first_name": 42, "emails": "x", "nickname": "Countess"},
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "first_name", "message": "Input should be a valid string"},
        {"field": "emails", "message": "Input should be a valid list"},
        {"field": "nickname", "message": "Extra inputs are not permitted"},
    ]


def test_refuses_a_10_mb_body(alice_client: Client, ids: dict[str, int]) -> None:
    before = stored_state()
    body = json.dumps({"first_name": "Ada", "headline": "x" * 10_000_000})

    response = call(alice_client, "post", "/candidates", body)

    assert response.status_code == 413
    assert response.json() == error("too_large", "The request body is too large.")
    assert stored_state() == before


@pytest.mark.parametrize("path", ["/imports", "/resumes"])
@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", 'multipart/form-data; boundary=""'],
)
def test_refuses_an_upload_with_no_usable_boundary(
    alice_client: Client, ids: dict[str, int], path: str, content_type: str
) -> None:
    before = stored_state()

    response = alice_client.post(f"/api/v1{path}", b"hello", content_type=content_type)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
    assert response.json()["error"]["message"].startswith(
        "The multipart/form-data body cannot be read: Invalid boundary in multipart"
    )
    assert stored_state() == before


def test_refuses_a_form_encoded_body(alice_client: Client, ids: dict[str, int]) -> None:
    before = stored_state()

    response = alice_client.post("/api/v1/candidates", {"first_name": "Ada"})

    assert response.status_code == 400
    assert response.json() == MALFORMED
    assert stored_state() == before


# --- every endpoint needs authentication -----------------------------------------------------


def _operations() -> list[tuple[str, str]]:
    """Every operation that members and API keys call. The inbound webhooks are left out:
    their credential is the shared inbound secret (outreach/tests/test_webhooks.py)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return [
        (method, path)
        for path, ops in schema["paths"].items()
        for method in ops
        if not path.startswith("/api/v1/outreach/webhooks/")
    ]


@pytest.fixture
def every_object(
    candidate: Candidate, alice_actor: Actor, bob: User, tmp_path: Path
) -> dict[str, str]:
    """An existing id for each path parameter, so a 401 cannot come from a missing object."""
    note: Note = add_note(actor=alice_actor, candidate=candidate, body="Hi")
    definition = define_custom_field(
        actor=alice_actor, key="notice", label="N", field_type="number"
    )
    key: ApiKey = create_api_key(actor=alice_actor, name="K", scope="read")[0]
    twin = create_candidate(
        actor=alice_actor,
        data={
            "first_name": "Grace",
            "last_name": "Hopper",
            "current_title": "Rear Admiral",
            "current_company": "US Navy",
        },
    )
    check_candidate(candidate_id=candidate.pk)
    check_candidate(candidate_id=twin.pk)
    suggestion = DuplicateSuggestion.objects.get()
    other = create_candidate(actor=alice_actor, data={"first_name": "Ada", "last_name": "Byron"})
    merge = merge_candidates(actor=alice_actor, survivor=candidate, other=other)
    scan = start_scan(actor=alice_actor)
    import_path = tmp_path / "people.csv"
    import_path.write_text("First Name,Email\nAda,ada@x.test\n", encoding="utf-8")
    job = create_job(actor=alice_actor, path=import_path)
    batch = resume_services.create_batch(
        actor=alice_actor,
        uploads=[resume_services.Upload(name="ada.txt", data=b"Ada Quill\nada@quill.test\n")],
        name="ada.txt",
        enqueue=False,
    )
    resume = resume_services.run_batch(batch, alice_actor).resumes.get()
    skill = resume_services.add_skill(actor=alice_actor, name="Zorblax")
    phrase = SkillPhrase.objects.create(
        workspace=alice_actor.workspace, phrase="quux", example="Quux", occurrences=1
    )
    from talentloop.jobs.services import create_job as open_job
    from talentloop.matching.services import start_rediscovery
    from talentloop.pools import services as pool_services
    from talentloop.search.services import create_saved_search

    pool = pool_services.create_pool(actor=alice_actor, data={"name": "Pool"})
    stage = pool_services.ensure_default_stages(alice_actor.workspace)[0]
    segment = pool_services.create_segment(
        actor=alice_actor,
        data={"name": "S", "rules": {"all": [{"field": "city", "op": "eq", "value": "X"}]}},
    )
    action = pool_services.start_bulk_action(
        actor=alice_actor, kind="tag", candidate_ids=[candidate.pk], tag="t"
    )
    rediscovery = start_rediscovery(open_job(actor=alice_actor, data={"title": "Chef"}))
    saved = create_saved_search(actor=alice_actor, data={"name": "S", "query": "chef"})
    from talentloop.outreach import services as outreach
    from talentloop.outreach import template_services

    template = template_services.create_template(
        actor=alice_actor, data={"name": "T", "subject": "Hi", "body": "<p>Hi</p>"}
    )
    snippet = template_services.create_snippet(
        actor=alice_actor, data={"name": "sig", "body": "<p>A</p>"}
    )
    sequence = outreach.create_sequence(
        actor=alice_actor,
        data={"name": "Seq", "steps": [{"channel": "email", "template_id": template.pk}]},
    )
    from talentloop.outreach.models import Enrollment

    enrollment = Enrollment.objects.create(
        workspace=alice_actor.workspace, sequence=sequence, candidate=candidate
    )
    campaign = outreach.create_campaign(
        actor=alice_actor, data={"name": "C", "pool_id": pool.pk, "drops": []}
    )
    return {
        "template_id": str(template.pk),
        "snippet_id": str(snippet.pk),
        "sequence_id": str(sequence.pk),
        "enrollment_id": str(enrollment.pk),
        "campaign_id": str(campaign.pk),
        "pool_id": str(pool.pk),
        "stage_id": str(stage.pk),
        "segment_id": str(segment.pk),
        "action_id": str(action.pk),
        "rediscovery_id": str(rediscovery.pk),
        "saved_search_id": str(saved.pk),
        "batch_id": str(batch.pk),
        "resume_id": str(resume.pk),
        "skill_id": str(skill.pk),
        "phrase_id": str(phrase.pk),
        "job_id": str(job.pk),
        "suggestion_id": str(suggestion.pk),
        "merge_id": str(merge.pk),
        "scan_id": str(scan.pk),
        "candidate_id": str(candidate.pk),
        "note_id": str(note.pk),
        "tag_id": str(Tag.objects.order_by("id").first().pk),  # type: ignore[union-attr]
        "key": definition.key,
        "membership_id": str(Membership.objects.get(user=bob).pk),
        "key_id": str(key.pk),
    }


@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_endpoint_refuses_a_request_without_credentials(
    client: Client, every_object: dict[str, str], method: str, path: str
) -> None:
    before = stored_state()
    url = re.sub(r"\{(\w+)\}", lambda m: every_object[m.group(1)], path)

    response = client.generic(method.upper(), url, "{}", content_type="application/json")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert stored_state() == before


def test_the_endpoint_list_comes_from_the_api() -> None:
    # New endpoints join the test above by themselves; this guards against an empty list.
    operations = _operations()
    assert ("get", "/api/v1/candidates") in operations
    assert ("delete", "/api/v1/api-keys/{key_id}") in operations
