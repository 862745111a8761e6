"""/api/v1/candidates: list (filters, cursor pages), create, get, patch, delete and export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import ApiKey, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.candidates.selectors import SORTS
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    NO_SUCH_CANDIDATE,
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
from talentloop.core.tests.fixtures import PASSWORD, actor_for

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
STAMP = "2026-03-01T09:00:00Z"
LATER_STAMP = "2026-03-02T09:00:00Z"

PAYLOAD = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "current_title": "Rear Admiral",
    "current_company": "US Navy",
    "emails": ["Grace@Navy.test"],
    "phones": [{"number": "+1 415 555 2671"}],
    "tags": ["cobol"],
}


def _profile(candidate_id: int, owner_id: int | None, **changes: Any) -> dict[str, Any]:
    """The API's view of a candidate made from PAYLOAD at NOW."""
    return {
        "id": candidate_id,
        "first_name": "Grace",
        "last_name": "Hopper",
        "full_name": "Grace Hopper",
        "headline": "",
        "city": "",
        "region": "",
        "country": "",
        "timezone": "",
        "current_title": "Rear Admiral",
        "current_company": "US Navy",
        "seniority": "",
        "years_experience": None,
        "source": "api",
        "source_detail": "",
        "owner_id": owner_id,
        "emails": [{"email": "grace@navy.test", "is_primary": True}],
        "phones": [{"number": "+14155552671", "kind": "mobile", "is_primary": True}],
        "links": [],
        "tags": ["cobol"],
        "custom_fields": {},
        "is_do_not_contact": False,
        "is_archived": False,
        "last_contacted_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        **changes,
    }


@pytest.fixture
def grace(alice_actor: Actor) -> Candidate:
    from talentloop.candidates.services import create_candidate

    with time_machine.travel(NOW, tick=False):
        return create_candidate(actor=alice_actor, data={**PAYLOAD, "source": "api"})


@pytest.fixture
def coordinator_client(acme: Workspace, member_factory: Callable[..., User]) -> Client:
    """A teammate who sees every candidate but may not change them."""
    client = Client()
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))
    return client


def _audit(action: str, candidate_id: int) -> list[tuple[str | None, dict[str, Any]]]:
    events = AuditEvent.objects.filter(action=action, target_id=candidate_id).order_by("id")
    return [(e.actor_label, e.changes) for e in events]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- list ------------------------------------------------------------------------------------


def test_lists_the_workspace_candidates_for_alice(alice_client: Client, grace: Candidate) -> None:
    response = alice_client.get(f"{API}/candidates")

    assert response.status_code == 200
    assert response.json() == {"items": [_profile(grace.pk, grace.owner_id)], "next_cursor": None}


def test_lists_every_candidate_for_a_recruiter(
    bob_client: Client, grace: Candidate, candidate_factory: Callable[..., Candidate], bob: User
) -> None:
    bobs = candidate_factory(actor=actor_for(bob))

    assert sorted(_ids(bob_client.get(f"{API}/candidates"))) == sorted([grace.pk, bobs.pk])


def test_lists_only_their_own_candidates_for_a_hiring_manager(
    acme: Workspace,
    member_factory: Callable[..., User],
    grace: Candidate,
    candidate_factory: Callable[..., Candidate],
) -> None:
    manager = member_factory("hank@acme.test", acme, Role.HIRING_MANAGER)
    theirs = candidate_factory(owner_id=manager.pk)
    client = Client()
    client.force_login(manager)

    assert _ids(client.get(f"{API}/candidates")) == [theirs.pk]


def test_never_lists_another_workspace_candidates(
    charlie_client: Client, grace: Candidate, charlie_candidate: Candidate
) -> None:
    assert _ids(charlie_client.get(f"{API}/candidates")) == [charlie_candidate.pk]


def test_refuses_to_list_without_authentication(client: Client, grace: Candidate) -> None:
    response = client.get(f"{API}/candidates")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_lists_with_a_read_key(client: Client, grace: Candidate, api_key_factory: Any) -> None:
    response = client.get(f"{API}/candidates", headers=bearer(api_key_factory("read")))

    assert _ids(response) == [grace.pk]


@pytest.fixture
def crowd(candidate_factory: Callable[..., Candidate], bob: User) -> dict[str, Candidate]:
    """Candidates that differ in one filterable way each, changed at NOW or LATER."""
    with time_machine.travel(NOW, tick=False):
        made = {
            "grace": candidate_factory(
                first_name="Grace",
                last_name="Hopper",
                current_title="Rear Admiral",
                tags=["COBOL"],
                emails=["grace@navy.test"],
            ),
            "ada": candidate_factory(first_name="Ada", last_name="Lovelace", source="referral"),
            "bobs": candidate_factory(first_name="Barbara", last_name="Liskov", owner_id=bob.pk),
            "archived": candidate_factory(first_name="Alan", last_name="Turing", is_archived=True),
        }
    with time_machine.travel(LATER, tick=False):
        made["later"] = candidate_factory(first_name="Katherine", last_name="Johnson")
    return made


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["later", "grace", "ada", "bobs"]),
        ({"q": "hop"}, ["grace"]),
        ({"q": "rear adm"}, ["grace"]),
        ({"q": "navy"}, ["grace"]),
        ({"q": "nobody"}, []),
        ({"tag": "cobol"}, ["grace"]),
        ({"tag": "fortran"}, []),
        ({"source": "referral"}, ["ada"]),
        ({"updated_since": "2026-03-02T00:00:00+00:00"}, ["later"]),
        ({"updated_since": "2026-03-02T00:00:00"}, ["later"]),
        ({"include_archived": "true"}, ["later", "grace", "ada", "bobs", "archived"]),
        ({"q": "turing", "include_archived": "true"}, ["archived"]),
    ],
)
def test_filters_the_list(
    alice_client: Client,
    crowd: dict[str, Candidate],
    params: dict[str, str],
    expected: list[str],
) -> None:
    response = alice_client.get(f"{API}/candidates", params)

    assert sorted(_ids(response)) == sorted(crowd[name].pk for name in expected)


def test_filters_by_owner_id(alice_client: Client, crowd: dict[str, Candidate], bob: User) -> None:
    response = alice_client.get(f"{API}/candidates", {"owner": str(bob.pk)})

    assert _ids(response) == [crowd["bobs"].pk]


def test_filters_by_owner_me(bob_client: Client, crowd: dict[str, Candidate]) -> None:
    assert _ids(bob_client.get(f"{API}/candidates", {"owner": "me"})) == [crowd["bobs"].pk]


def test_sorts_newest_change_first_by_default(
    alice_client: Client, crowd: dict[str, Candidate]
) -> None:
    assert _ids(alice_client.get(f"{API}/candidates"))[0] == crowd["later"].pk


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"limit": "0"}, "limit", "Limit is 1 to 200."),
        ({"limit": "201"}, "limit", "Limit is 1 to 200."),
        (
            {"sort": "salary"},
            "sort",
            "Sort is one of: -updated_at, updated_at, -created_at, created_at, last_name, "
            "-last_name.",
        ),
        ({"cursor": "not-a-cursor"}, "cursor", "This cursor is not valid."),
        # base64 of ["2026-02-30T00:00:00", 1]: well-formed, but no such day
        ({"cursor": "WyIyMDI2LTAyLTMwVDAwOjAwOjAwIiwgMV0"}, "cursor", "This cursor is not valid."),
        # base64 of [["a"], null, 1] for the name sort: values of the wrong type
        (
            {"sort": "last_name", "cursor": "W1siYSJdLCBudWxsLCAxXQ"},
            "cursor",
            "This cursor is not valid.",
        ),
        ({"owner": "someone"}, "owner", "Owner is a user id or 'me'."),
        ({"owner": "²"}, "owner", "Owner is a user id or 'me'."),
        ({"owner": "99999999999999999999999"}, "owner", "Owner is a user id or 'me'."),
        (
            {"source": "carrier-pigeon"},
            "source",
            "Source is one of: sourced, past_applicant, referral, event, career_site, import, api, "
            "other.",
        ),
        (
            {"updated_since": "last week"},
            "updated_since",
            "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.",
        ),
        (
            {"updated_since": "2026-02-30T00:00:00Z"},
            "updated_since",
            "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.",
        ),
        ({"q": "x" * 201}, "q", "At most 200 characters."),
    ],
)
def test_refuses_bad_list_parameters(
    alice_client: Client, grace: Candidate, params: dict[str, str], field: str, message: str
) -> None:
    response = alice_client.get(f"{API}/candidates", params)

    assert response.status_code == 422
    assert response.json() == error("invalid", message, field)


def test_refuses_a_limit_that_is_not_a_number(alice_client: Client) -> None:
    response = alice_client.get(f"{API}/candidates", {"limit": "many"})

    assert response.status_code == 422
    assert response.json() == invalid(
        "Input should be a valid integer, unable to parse string as an integer", "limit"
    )


@pytest.fixture
def ties(candidate_factory: Callable[..., Candidate]) -> list[Candidate]:
    """Nine candidates whose sort values collide, so only the id breaks the ties."""
    names = [
        ("Ada", "Byron"),
        ("Ada", "Byron"),
        ("Zed", "Byron"),
        ("Marie", "Curie"),
        ("Ada", "Lovelace"),
    ]
    made = []
    with time_machine.travel(NOW, tick=False):
        made += [candidate_factory(first_name=f, last_name=last) for f, last in names]
    with time_machine.travel(LATER, tick=False):
        made += [candidate_factory(first_name=f, last_name=last) for f, last in names[:4]]
    return made


def _expected_order(candidates: list[Candidate], sort: str) -> list[int]:
    fields = [f.lstrip("-") for f in SORTS[sort]]
    ordered = sorted(candidates, key=lambda c: tuple(getattr(c, f) for f in fields))
    return [c.pk for c in (reversed(ordered) if sort.startswith("-") else ordered)]


def _walk(client: Client, **params: Any) -> tuple[list[int], int]:
    """Follow next_cursor to the end; return the ids in order and the number of pages."""
    ids: list[int] = []
    cursor, pages = "", 0
    while True:
        response = client.get(f"{API}/candidates", {**params, "cursor": cursor})
        ids += _ids(response)
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 20, "the cursor does not advance"


@pytest.mark.parametrize("sort", list(SORTS))
def test_cursor_pages_give_every_candidate_once_in_order(
    alice_client: Client, ties: list[Candidate], sort: str
) -> None:
    ids, pages = _walk(alice_client, sort=sort, limit=2)

    assert ids == _expected_order(ties, sort)
    assert pages == 5


def test_cursor_pages_keep_the_filters(alice_client: Client, ties: list[Candidate]) -> None:
    ids, pages = _walk(alice_client, q="byron", sort="last_name", limit=2)

    byrons = [c for c in ties if c.last_name == "Byron"]
    assert ids == _expected_order(byrons, "last_name")
    assert pages == 3


def test_a_full_last_page_has_no_next_cursor(alice_client: Client, ties: list[Candidate]) -> None:
    response = alice_client.get(f"{API}/candidates", {"limit": len(ties)})

    assert len(response.json()["items"]) == len(ties)
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize("rows", [1, 12])
def test_lists_in_the_same_number_of_queries_however_many_rows(
    alice_client: Client,
    candidate_factory: Callable[..., Candidate],
    rows: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(rows):
        candidate_factory(
            emails=[f"person{n}@example.test"],
            phones=[{"number": f"+1 415 555 {2600 + n}"}],
            links=[{"url": f"https://github.com/person{n}"}],
            tags=["python", f"t{n}"],
        )

    # session, user, membership; the page; its e-mails, phones, links and tags in one query
    with django_assert_num_queries(5):
        response = alice_client.get(f"{API}/candidates", {"limit": 50})

    assert len(response.json()["items"]) == rows


# --- create ----------------------------------------------------------------------------------


def test_creates_a_candidate(alice_client: Client, alice: User) -> None:
    with time_machine.travel(NOW, tick=False):
        response = call(alice_client, "post", "/candidates", PAYLOAD)

    assert response.status_code == 201
    created = Candidate.objects.get()
    assert response.json() == _profile(created.pk, alice.pk)
    assert created.workspace.slug == "acme"


def test_the_create_response_is_the_profile(alice_client: Client) -> None:
    # Both must carry the same timestamps (the create's used to be cut to milliseconds).
    created = call(alice_client, "post", "/candidates", PAYLOAD)

    profile = alice_client.get(f"{API}/candidates/{created.json()['id']}")

    assert created.json() == profile.json()


def test_audits_a_created_candidate_with_its_values(alice_client: Client, alice: User) -> None:
    response = call(alice_client, "post", "/candidates", PAYLOAD)

    event = AuditEvent.objects.get(action="candidate.created")
    assert (event.actor_id, event.target_type, event.target_id, event.ip) == (
        alice.pk,
        "candidate",
        response.json()["id"],
        "127.0.0.1",
    )
    assert event.changes == {
        "first_name": [None, "Grace"],
        "last_name": [None, "Hopper"],
        "current_title": [None, "Rear Admiral"],
        "current_company": [None, "US Navy"],
        "source": [None, "api"],
        "owner_id": [None, alice.pk],
        "emails": [None, ["grace@navy.test"]],
        "phones": [None, ["+14155552671"]],
        "tags": [None, ["cobol"]],
    }


def test_a_recruiter_creates_candidates(bob_client: Client, bob: User) -> None:
    response = call(bob_client, "post", "/candidates", PAYLOAD)

    assert response.status_code == 201
    assert Candidate.objects.get().owner_id == bob.pk


def test_creates_in_the_caller_workspace_only(
    charlie_client: Client, globex: Workspace, grace: Candidate
) -> None:
    response = call(charlie_client, "post", "/candidates", PAYLOAD)

    # The same e-mail is free in another workspace.
    assert response.status_code == 201
    assert Candidate.objects.get(pk=response.json()["id"]).workspace == globex


def test_refuses_an_owner_from_another_workspace(charlie_client: Client, alice: User) -> None:
    before = stored_state()

    response = call(charlie_client, "post", "/candidates", {**PAYLOAD, "owner_id": alice.pk})

    assert response.status_code == 422
    assert response.json() == error(
        "invalid", "The owner must be a member of this workspace.", "owner_id"
    )
    assert stored_state() == before


def test_refuses_to_create_without_authentication(client: Client, alice: User) -> None:
    assert_refused(client, "post", "/candidates", PAYLOAD, status=401, body=UNAUTHENTICATED)


def test_refuses_to_create_with_a_read_key(client: Client, api_key_factory: Any) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "post",
        "/candidates",
        PAYLOAD,
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_creates_with_a_write_key_as_the_key(client: Client, api_key_factory: Any) -> None:
    response = call(client, "post", "/candidates", PAYLOAD, headers=bearer(api_key_factory()))

    assert response.status_code == 201
    assert response.json()["owner_id"] is None
    event = AuditEvent.objects.get(action="candidate.created")
    key = ApiKey.objects.get()
    assert (event.actor_id, event.api_key_id, event.actor_label) == (
        None,
        key.pk,
        f"API key write key ({key.prefix})",
    )


def test_refuses_a_role_that_may_not_edit(coordinator_client: Client) -> None:
    assert_refused(
        coordinator_client,
        "post",
        "/candidates",
        PAYLOAD,
        status=403,
        body=error("forbidden", "Your role does not allow this."),
    )


# --- get -------------------------------------------------------------------------------------


def test_returns_the_profile(alice_client: Client, grace: Candidate, alice: User) -> None:
    response = alice_client.get(f"{API}/candidates/{grace.pk}")

    assert response.status_code == 200
    assert response.json() == _profile(grace.pk, alice.pk)


def test_audits_every_profile_view(
    alice_client: Client, bob_client: Client, grace: Candidate
) -> None:
    alice_client.get(f"{API}/candidates/{grace.pk}")
    bob_client.get(f"{API}/candidates/{grace.pk}")

    assert _audit("candidate.viewed", grace.pk) == [("alice@acme.test", {}), ("bob@acme.test", {})]


def test_a_recruiter_sees_a_teammate_candidate(bob_client: Client, grace: Candidate) -> None:
    response = bob_client.get(f"{API}/candidates/{grace.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == grace.pk


def test_another_workspace_gets_the_same_404_as_a_missing_id(
    charlie_client: Client, grace: Candidate
) -> None:
    before = stored_state()

    theirs = charlie_client.get(f"{API}/candidates/{grace.pk}")
    missing = charlie_client.get(f"{API}/candidates/{MISSING_ID}")

    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.json() == missing.json() == NO_SUCH_CANDIDATE
    assert stored_state() == before  # not even a view is audited


def test_a_hiring_manager_gets_404_for_a_candidate_they_do_not_own(
    acme: Workspace, member_factory: Callable[..., User], grace: Candidate
) -> None:
    client = Client()
    client.force_login(member_factory("hank@acme.test", acme, Role.HIRING_MANAGER))

    response = client.get(f"{API}/candidates/{grace.pk}")

    assert response.status_code == 404
    assert response.json() == NO_SUCH_CANDIDATE


def test_refuses_to_get_without_authentication(client: Client, grace: Candidate) -> None:
    before = stored_state()

    response = client.get(f"{API}/candidates/{grace.pk}")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert stored_state() == before


def test_a_deleted_candidate_is_not_found(
    alice_client: Client, grace: Candidate, alice_actor: Actor
) -> None:
    from talentloop.candidates.services import delete_candidate

    delete_candidate(actor=alice_actor, candidate=grace)

    response = alice_client.get(f"{API}/candidates/{grace.pk}")

    assert response.status_code == 404
    assert response.json() == NO_SUCH_CANDIDATE


# --- patch -----------------------------------------------------------------------------------


def test_changes_the_fields_sent(alice_client: Client, grace: Candidate, alice: User) -> None:
    with time_machine.travel(LATER, tick=False):
        response = call(
            alice_client,
            "patch",
            f"/candidates/{grace.pk}",
            {"current_title": "Commodore", "city": "Arlington"},
        )

    assert response.status_code == 200
    assert response.json() == _profile(
        grace.pk, alice.pk, current_title="Commodore", city="Arlington", updated_at=LATER_STAMP
    )
    grace.refresh_from_db()
    assert (grace.current_title, grace.city) == ("Commodore", "Arlington")


def test_audits_a_change_with_old_and_new_values(alice_client: Client, grace: Candidate) -> None:
    call(
        alice_client,
        "patch",
        f"/candidates/{grace.pk}",
        {"current_title": "Commodore", "emails": ["grace@navy.test", "amazing@grace.test"]},
    )

    assert _audit("candidate.updated", grace.pk) == [
        (
            "alice@acme.test",
            {
                "current_title": ["Rear Admiral", "Commodore"],
                "emails": [["grace@navy.test"], ["grace@navy.test", "amazing@grace.test"]],
            },
        )
    ]


def test_a_patch_that_changes_nothing_is_not_audited(
    alice_client: Client, grace: Candidate
) -> None:
    response = call(
        alice_client, "patch", f"/candidates/{grace.pk}", {"current_title": "Rear Admiral"}
    )

    assert response.status_code == 200
    assert _audit("candidate.updated", grace.pk) == []


def test_a_list_sent_as_null_is_emptied(alice_client: Client, grace: Candidate) -> None:
    # Was a 500: the service iterated over None.
    response = call(
        alice_client,
        "patch",
        f"/candidates/{grace.pk}",
        {"emails": None, "phones": None, "links": None, "tags": None},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["emails"], body["phones"], body["links"], body["tags"]) == ([], [], [], [])
    assert grace.emails.count() == grace.phones.count() == grace.tags.count() == 0


def test_a_recruiter_changes_a_teammate_candidate(bob_client: Client, grace: Candidate) -> None:
    response = call(bob_client, "patch", f"/candidates/{grace.pk}", {"headline": "Pioneer"})

    assert response.status_code == 200
    grace.refresh_from_db()
    assert grace.headline == "Pioneer"
    assert _audit("candidate.updated", grace.pk) == [
        ("bob@acme.test", {"headline": ["", "Pioneer"]})
    ]


def test_refuses_to_patch_another_workspace_candidate_like_a_missing_one(
    charlie_client: Client, grace: Candidate
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "patch", f"/candidates/{grace.pk}", {"headline": "Mine"}),
        lambda: call(charlie_client, "patch", f"/candidates/{MISSING_ID}", {"headline": "Mine"}),
        body=NO_SUCH_CANDIDATE,
    )


def test_refuses_to_patch_without_authentication(client: Client, grace: Candidate) -> None:
    assert_refused(
        client,
        "patch",
        f"/candidates/{grace.pk}",
        {"headline": "Anyone"},
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_to_patch_with_a_read_key(
    client: Client, grace: Candidate, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "patch",
        f"/candidates/{grace.pk}",
        {"headline": "Read"},
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_refuses_to_patch_for_a_role_that_may_only_look(
    coordinator_client: Client, grace: Candidate
) -> None:
    assert_refused(
        coordinator_client,
        "patch",
        f"/candidates/{grace.pk}",
        {"headline": "No"},
        status=403,
        body=error("forbidden", "Your role does not allow changing candidates."),
    )


def test_refuses_an_invalid_change_whole(alice_client: Client, grace: Candidate) -> None:
    assert_refused(
        alice_client,
        "patch",
        f"/candidates/{grace.pk}",
        {"headline": "Pioneer", "first_name": ""},
        status=422,
        body=error("invalid", "The first name cannot be empty.", "first_name"),
    )


# --- delete ----------------------------------------------------------------------------------


def test_deletes_a_candidate(alice_client: Client, grace: Candidate) -> None:
    response = call(alice_client, "delete", f"/candidates/{grace.pk}")

    assert response.status_code == 204
    assert response.content == b""
    grace.refresh_from_db()
    assert grace.deleted_at is not None
    assert _ids(alice_client.get(f"{API}/candidates")) == []
    assert alice_client.get(f"{API}/candidates/{grace.pk}").status_code == 404
    assert _audit("candidate.deleted", grace.pk) == [("alice@acme.test", {})]


def test_deleting_twice_is_a_404(alice_client: Client, grace: Candidate) -> None:
    call(alice_client, "delete", f"/candidates/{grace.pk}")

    response = call(alice_client, "delete", f"/candidates/{grace.pk}")

    assert response.status_code == 404
    assert response.json() == NO_SUCH_CANDIDATE
    assert len(_audit("candidate.deleted", grace.pk)) == 1


def test_a_recruiter_deletes_candidates(bob_client: Client, grace: Candidate) -> None:
    assert call(bob_client, "delete", f"/candidates/{grace.pk}").status_code == 204
    assert _audit("candidate.deleted", grace.pk) == [("bob@acme.test", {})]


def test_refuses_to_delete_another_workspace_candidate_like_a_missing_one(
    charlie_client: Client, grace: Candidate
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "delete", f"/candidates/{grace.pk}"),
        lambda: call(charlie_client, "delete", f"/candidates/{MISSING_ID}"),
        body=NO_SUCH_CANDIDATE,
    )


def test_refuses_to_delete_without_authentication(client: Client, grace: Candidate) -> None:
    assert_refused(client, "delete", f"/candidates/{grace.pk}", status=401, body=UNAUTHENTICATED)


def test_refuses_to_delete_with_a_read_key(
    client: Client, grace: Candidate, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "delete",
        f"/candidates/{grace.pk}",
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_refuses_to_delete_for_a_role_that_may_only_look(
    coordinator_client: Client, grace: Candidate
) -> None:
    before = stored_state()

    response = call(coordinator_client, "delete", f"/candidates/{grace.pk}")

    assert response.status_code == 403
    assert stored_state() == before


# --- export ----------------------------------------------------------------------------------


def test_exports_everything_stored_about_the_candidate(
    alice_client: Client, grace: Candidate, alice: User
) -> None:
    with time_machine.travel(LATER, tick=False):
        response = alice_client.get(f"{API}/candidates/{grace.pk}/export")

    assert response.status_code == 200
    assert response.json() == {
        "candidate": {
            "id": grace.pk,
            "first_name": "Grace",
            "last_name": "Hopper",
            "headline": "",
            "city": "",
            "region": "",
            "current_title": "Rear Admiral",
            "current_company": "US Navy",
            "source_detail": "",
            "country": "",
            "timezone": "",
            "seniority": "",
            "years_experience": None,
            "source": "api",
            "owner_id": alice.pk,
            "is_do_not_contact": False,
            "is_archived": False,
            "emails": ["grace@navy.test"],
            "phones": ["+14155552671"],
            "links": [],
            "tags": ["cobol"],
            "custom_fields": {},
        },
        "resume": {},
        "timeline": [
            {
                "type": "created",
                "channel": "internal",
                "summary": "Added by alice@acme.test (source: API)",
                "payload": {},
                "occurred_at": "2026-03-01T09:00:00+00:00",
            }
        ],
        "consent": [],
        "resume_files": [],
        "exported_at": "2026-03-02T09:00:00+00:00",
    }


def test_audits_every_export(alice_client: Client, bob_client: Client, grace: Candidate) -> None:
    alice_client.get(f"{API}/candidates/{grace.pk}/export")
    response = bob_client.get(f"{API}/candidates/{grace.pk}/export")

    assert response.status_code == 200
    assert _audit("candidate.exported", grace.pk) == [
        ("alice@acme.test", {}),
        ("bob@acme.test", {}),
    ]


def test_refuses_to_export_another_workspace_candidate_like_a_missing_one(
    charlie_client: Client, grace: Candidate
) -> None:
    before = stored_state()

    theirs = charlie_client.get(f"{API}/candidates/{grace.pk}/export")
    missing = charlie_client.get(f"{API}/candidates/{MISSING_ID}/export")

    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.json() == missing.json() == NO_SUCH_CANDIDATE
    assert stored_state() == before


def test_refuses_to_export_without_authentication(client: Client, grace: Candidate) -> None:
    before = stored_state()

    response = client.get(f"{API}/candidates/{grace.pk}/export")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert stored_state() == before


def test_signs_in_with_a_password_too(client: Client, alice: User, grace: Candidate) -> None:
    assert client.login(username="alice@acme.test", password=PASSWORD)

    assert _ids(client.get(f"{API}/candidates")) == [grace.pk]
