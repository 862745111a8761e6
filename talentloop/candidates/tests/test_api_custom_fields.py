"""/api/v1/custom-fields: typed fields a workspace adds to its candidates (admins define them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate, CustomFieldDefinition
from talentloop.candidates.services import define_custom_field
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    READ_ONLY_KEY,
    UNAUTHENTICATED,
    assert_like_missing,
    assert_refused,
    bearer,
    call,
    error,
    invalid,
    stored_state,
)

NO_SUCH_FIELD = error("not_found", "No such custom field.")
NOTICE = {"key": "notice_weeks", "label": "Notice (weeks)", "field_type": "number", "choices": []}
ADMINS_ONLY = error("forbidden", "Your role does not allow this.")


@pytest.fixture
def notice(alice_actor: Actor) -> CustomFieldDefinition:
    return define_custom_field(
        actor=alice_actor, key="notice_weeks", label="Notice (weeks)", field_type="number"
    )


def test_lists_the_workspace_fields_in_order(
    alice_client: Client,
    notice: CustomFieldDefinition,
    alice_actor: Actor,
    charlie_actor: Actor,
) -> None:
    define_custom_field(
        actor=alice_actor, key="visa", label="Visa", field_type="choice", choices=["none", "H-1B"]
    )
    define_custom_field(actor=charlie_actor, key="globex_only", label="G", field_type="text")

    response = alice_client.get(f"{API}/custom-fields")

    assert response.status_code == 200
    assert response.json() == [
        NOTICE,
        {"key": "visa", "label": "Visa", "field_type": "choice", "choices": ["none", "H-1B"]},
    ]


def test_a_recruiter_lists_fields(bob_client: Client, notice: CustomFieldDefinition) -> None:
    assert bob_client.get(f"{API}/custom-fields").json() == [NOTICE]


def test_another_workspace_sees_none_of_the_fields(
    charlie_client: Client, notice: CustomFieldDefinition
) -> None:
    assert charlie_client.get(f"{API}/custom-fields").json() == []


def test_refuses_to_list_fields_without_authentication(client: Client) -> None:
    response = client.get(f"{API}/custom-fields")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("fields", [1, 8])
def test_lists_fields_in_the_same_number_of_queries_however_many(
    alice_client: Client, alice_actor: Actor, fields: int, django_assert_num_queries: Any
) -> None:
    for n in range(fields):
        define_custom_field(actor=alice_actor, key=f"field_{n}", label=f"F{n}", field_type="text")

    # session, user, membership; the definitions
    with django_assert_num_queries(4):
        response = alice_client.get(f"{API}/custom-fields")

    assert len(response.json()) == fields


# --- define ----------------------------------------------------------------------------------


def test_defines_a_field(alice_client: Client, alice: Any) -> None:
    response = call(alice_client, "post", "/custom-fields", NOTICE)

    assert response.status_code == 201
    assert response.json() == NOTICE
    definition = CustomFieldDefinition.objects.get()
    assert (definition.workspace.slug, definition.key) == ("acme", "notice_weeks")
    event = AuditEvent.objects.get(action="custom_field.changed")
    assert (event.actor_id, event.changes) == (
        alice.pk,
        {"key": [None, "notice_weeks"], "field_type": [None, "number"]},
    )


def test_refuses_a_recruiter_defining_fields(bob_client: Client) -> None:
    assert_refused(bob_client, "post", "/custom-fields", NOTICE, status=403, body=ADMINS_ONLY)


def test_refuses_to_define_without_authentication(client: Client, db: None) -> None:
    response = call(client, "post", "/custom-fields", NOTICE)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert CustomFieldDefinition.objects.exists() is False


def test_refuses_to_define_with_a_read_key(client: Client, api_key_factory: Any) -> None:
    secret = api_key_factory("read")

    response = call(client, "post", "/custom-fields", NOTICE, headers=bearer(secret))

    assert response.status_code == 403
    assert response.json() == READ_ONLY_KEY
    assert CustomFieldDefinition.objects.exists() is False


def test_the_same_key_in_another_workspace_is_another_field(
    charlie_client: Client, notice: CustomFieldDefinition
) -> None:
    assert call(charlie_client, "post", "/custom-fields", NOTICE).status_code == 201
    assert CustomFieldDefinition.objects.filter(key="notice_weeks").count() == 2


@pytest.mark.parametrize(
    ("changes", "status", "expected"),
    [
        (
            {"key": "Notice Weeks"},
            422,
            error("invalid", "Use lower-case letters, digits and _ (at most 50).", "key"),
        ),
        ({"label": "  "}, 422, error("invalid", "A label is 1 to 100 characters.", "label")),
        (
            {"field_type": "colour"},
            422,
            error(
                "invalid", "Type is one of: text, number, date, boolean, choice, url.", "field_type"
            ),
        ),
        (
            {"field_type": "choice"},
            422,
            error("invalid", "A choice field needs at least one choice.", "choices"),
        ),
        ({"choices": [1]}, 422, invalid("Input should be a valid string", "choices[0]")),
        (
            {"key": "notice_weeks"},
            409,
            error("conflict", "A custom field 'notice_weeks' exists already.", "key"),
        ),
    ],
)
def test_refuses_an_invalid_definition(
    alice_client: Client,
    notice: CustomFieldDefinition,
    changes: dict[str, Any],
    status: int,
    expected: dict[str, Any],
) -> None:
    before = stored_state()

    response = call(alice_client, "post", "/custom-fields", {**NOTICE, "key": "other", **changes})

    assert response.status_code == status
    assert response.json() == expected
    assert stored_state() == before


# --- values on candidates --------------------------------------------------------------------


def test_candidates_take_values_of_the_field_type(
    alice_client: Client, notice: CustomFieldDefinition, candidate: Candidate
) -> None:
    response = call(
        alice_client,
        "patch",
        f"/candidates/{candidate.pk}",
        {"custom_fields": {"notice_weeks": "4"}},
    )

    assert response.status_code == 200
    assert response.json()["custom_fields"] == {"notice_weeks": 4}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"notice_weeks": "soon"},
            error("invalid", "Must be a number.", "custom_fields.notice_weeks"),
        ),
        # Was a 500: NaN and infinity are not JSON, so the save failed.
        (
            {"notice_weeks": "NaN"},
            error("invalid", "Must be a number.", "custom_fields.notice_weeks"),
        ),
        (
            {"notice_weeks": "inf"},
            error("invalid", "Must be a number.", "custom_fields.notice_weeks"),
        ),
        (
            {"shoe_size": 44},
            error("invalid", "There is no custom field 'shoe_size'.", "custom_fields.shoe_size"),
        ),
    ],
)
def test_refuses_a_value_the_field_does_not_take(
    alice_client: Client,
    notice: CustomFieldDefinition,
    candidate: Candidate,
    value: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    assert_refused(
        alice_client,
        "patch",
        f"/candidates/{candidate.pk}",
        {"custom_fields": value},
        status=422,
        body=expected,
    )


# --- delete ----------------------------------------------------------------------------------


def test_deletes_a_field(alice_client: Client, notice: CustomFieldDefinition) -> None:
    response = call(alice_client, "delete", "/custom-fields/notice_weeks")

    assert response.status_code == 204
    assert CustomFieldDefinition.objects.exists() is False
    removed = AuditEvent.objects.filter(action="custom_field.changed").order_by("id")[1]
    assert removed.changes == {"key": ["notice_weeks", None]}


def test_refuses_a_recruiter_deleting_fields(
    bob_client: Client, notice: CustomFieldDefinition
) -> None:
    assert_refused(
        bob_client, "delete", "/custom-fields/notice_weeks", status=403, body=ADMINS_ONLY
    )


def test_refuses_to_delete_another_workspace_field_like_a_missing_one(
    charlie_client: Client, notice: CustomFieldDefinition
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "delete", "/custom-fields/notice_weeks"),
        lambda: call(charlie_client, "delete", "/custom-fields/no_such_key"),
        body=NO_SUCH_FIELD,
    )


def test_a_key_with_a_nul_character_is_not_found(alice_client: Client) -> None:
    # Was a 500 on PostgreSQL, which cannot compare text holding NUL.
    response = call(alice_client, "delete", "/custom-fields/a%00b")

    assert response.status_code == 404
    assert response.json() == NO_SUCH_FIELD


def test_refuses_to_delete_a_field_without_authentication(
    client: Client, notice: CustomFieldDefinition
) -> None:
    assert_refused(
        client, "delete", "/custom-fields/notice_weeks", status=401, body=UNAUTHENTICATED
    )
