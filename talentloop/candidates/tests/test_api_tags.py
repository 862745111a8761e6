"""/api/v1/tags: the workspace's tags, created, renamed and deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate, Tag
from talentloop.candidates.services import create_tag
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
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

NO_SUCH_TAG = error("not_found", "No such tag.")


@pytest.fixture
def cobol(candidate: Candidate) -> Tag:
    """The `candidate` fixture's tag."""
    return Tag.objects.get(name="cobol")


@pytest.fixture
def coordinator_client(acme: Workspace, member_factory: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))
    return client


def test_lists_the_workspace_tags_by_name(
    alice_client: Client, cobol: Tag, alice_actor: Actor, charlie_actor: Actor
) -> None:
    ada = create_tag(actor=alice_actor, name="Ada")
    create_tag(actor=charlie_actor, name="Globex only")

    response = alice_client.get(f"{API}/tags")

    assert response.status_code == 200
    assert response.json() == [{"id": ada.pk, "name": "Ada"}, {"id": cobol.pk, "name": "cobol"}]


def test_a_recruiter_lists_tags(bob_client: Client, cobol: Tag) -> None:
    assert bob_client.get(f"{API}/tags").json() == [{"id": cobol.pk, "name": "cobol"}]


def test_another_workspace_sees_none_of_the_tags(charlie_client: Client, cobol: Tag) -> None:
    assert charlie_client.get(f"{API}/tags").json() == []


def test_refuses_to_list_tags_without_authentication(client: Client, cobol: Tag) -> None:
    response = client.get(f"{API}/tags")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("tags", [1, 10])
def test_lists_tags_in_the_same_number_of_queries_however_many(
    alice_client: Client, alice_actor: Actor, tags: int, django_assert_num_queries: Any
) -> None:
    for n in range(tags):
        create_tag(actor=alice_actor, name=f"tag {n}")

    # session, user, membership; the tags
    with django_assert_num_queries(4):
        response = alice_client.get(f"{API}/tags")

    assert len(response.json()) == tags


# --- create ----------------------------------------------------------------------------------


def test_creates_a_tag(alice_client: Client) -> None:
    response = call(alice_client, "post", "/tags", {"name": "  Rust   lang "})

    assert response.status_code == 201
    tag = Tag.objects.get()
    assert response.json() == {"id": tag.pk, "name": "Rust lang"}
    assert (tag.workspace.slug, tag.name_key) == ("acme", "rust lang")


def test_creating_an_existing_name_returns_that_tag(alice_client: Client, cobol: Tag) -> None:
    response = call(alice_client, "post", "/tags", {"name": "COBOL"})

    assert response.status_code == 201
    assert response.json() == {"id": cobol.pk, "name": "cobol"}
    assert Tag.objects.count() == 1


def test_a_recruiter_creates_tags(bob_client: Client) -> None:
    assert call(bob_client, "post", "/tags", {"name": "Go"}).status_code == 201
    assert list(Tag.objects.values_list("name", flat=True)) == ["Go"]


def test_the_same_name_in_another_workspace_is_another_tag(
    charlie_client: Client, cobol: Tag, globex: Workspace
) -> None:
    response = call(charlie_client, "post", "/tags", {"name": "cobol"})

    assert response.status_code == 201
    assert response.json()["id"] != cobol.pk
    assert Tag.objects.get(pk=response.json()["id"]).workspace == globex


def test_refuses_to_create_a_tag_without_authentication(client: Client, db: None) -> None:
    response = call(client, "post", "/tags", {"name": "Go"})

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert Tag.objects.exists() is False


def test_refuses_to_create_a_tag_with_a_read_key(client: Client, api_key_factory: Any) -> None:
    secret = api_key_factory("read")

    response = call(client, "post", "/tags", {"name": "Go"}, headers=bearer(secret))

    assert response.status_code == 403
    assert response.json() == READ_ONLY_KEY
    assert Tag.objects.exists() is False


def test_refuses_to_create_a_tag_for_a_role_that_may_not_edit(
    coordinator_client: Client,
) -> None:
    response = call(coordinator_client, "post", "/tags", {"name": "Go"})

    assert response.status_code == 403
    assert response.json() == error("forbidden", "Your role does not allow this.")
    assert Tag.objects.exists() is False


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"name": "   "}, error("invalid", "A tag is 1 to 50 characters.", "tags[0]")),
        ({"name": "x" * 51}, invalid("String should have at most 50 characters", "name")),
        ({}, invalid("Field required", "name")),
    ],
)
def test_refuses_an_invalid_tag_name(
    alice_client: Client, payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = call(alice_client, "post", "/tags", payload)

    assert response.status_code == 422
    assert response.json() == expected
    assert Tag.objects.exists() is False


# --- rename ----------------------------------------------------------------------------------


def test_renames_a_tag_on_every_candidate(
    alice_client: Client, cobol: Tag, candidate: Candidate
) -> None:
    response = call(alice_client, "patch", f"/tags/{cobol.pk}", {"name": "COBOL-85"})

    assert response.status_code == 200
    assert response.json() == {"id": cobol.pk, "name": "COBOL-85"}
    assert alice_client.get(f"{API}/candidates/{candidate.pk}").json()["tags"] == ["COBOL-85"]
    event = AuditEvent.objects.get(action="tag.changed")
    assert (event.actor_label, event.changes) == (
        "alice@acme.test",
        {"name": ["cobol", "COBOL-85"]},
    )


def test_refuses_a_name_another_tag_has(
    alice_client: Client, cobol: Tag, alice_actor: Actor
) -> None:
    create_tag(actor=alice_actor, name="Fortran")
    assert_refused(
        alice_client,
        "patch",
        f"/tags/{cobol.pk}",
        {"name": "fortran"},
        status=409,
        body=error("conflict", "A tag named 'fortran' exists already.", "name"),
    )


def test_a_recruiter_renames_tags(bob_client: Client, cobol: Tag) -> None:
    assert call(bob_client, "patch", f"/tags/{cobol.pk}", {"name": "Cobol"}).status_code == 200
    cobol.refresh_from_db()
    assert cobol.name == "Cobol"


def test_refuses_to_rename_another_workspace_tag_like_a_missing_one(
    charlie_client: Client, cobol: Tag
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "patch", f"/tags/{cobol.pk}", {"name": "Mine"}),
        lambda: call(charlie_client, "patch", f"/tags/{MISSING_ID}", {"name": "Mine"}),
        body=NO_SUCH_TAG,
    )


def test_refuses_to_rename_without_authentication(client: Client, cobol: Tag) -> None:
    assert_refused(
        client, "patch", f"/tags/{cobol.pk}", {"name": "Anyone"}, status=401, body=UNAUTHENTICATED
    )


def test_refuses_to_rename_for_a_role_that_may_not_edit(
    coordinator_client: Client, cobol: Tag
) -> None:
    before = stored_state()

    response = call(coordinator_client, "patch", f"/tags/{cobol.pk}", {"name": "Nope"})

    assert response.status_code == 403
    assert stored_state() == before


# --- delete ----------------------------------------------------------------------------------


def test_deletes_a_tag_from_every_candidate(
    alice_client: Client, cobol: Tag, candidate: Candidate
) -> None:
    response = call(alice_client, "delete", f"/tags/{cobol.pk}")

    assert response.status_code == 204
    assert Tag.objects.exists() is False
    assert alice_client.get(f"{API}/candidates/{candidate.pk}").json()["tags"] == []
    event = AuditEvent.objects.get(action="tag.changed")
    assert event.changes == {"name": ["cobol", None]}


def test_a_recruiter_deletes_tags(bob_client: Client, cobol: Tag) -> None:
    assert call(bob_client, "delete", f"/tags/{cobol.pk}").status_code == 204
    assert Tag.objects.exists() is False


def test_refuses_to_delete_another_workspace_tag_like_a_missing_one(
    charlie_client: Client, cobol: Tag
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "delete", f"/tags/{cobol.pk}"),
        lambda: call(charlie_client, "delete", f"/tags/{MISSING_ID}"),
        body=NO_SUCH_TAG,
    )


def test_refuses_to_delete_a_tag_without_authentication(client: Client, cobol: Tag) -> None:
    assert_refused(client, "delete", f"/tags/{cobol.pk}", status=401, body=UNAUTHENTICATED)


def test_refuses_to_delete_a_tag_with_a_read_key(
    client: Client, cobol: Tag, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "delete",
        f"/tags/{cobol.pk}",
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )
