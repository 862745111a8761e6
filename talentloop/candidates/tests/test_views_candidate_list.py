"""The candidate list: search box, filters, sort and keyset 'Next page' links."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates import views
from talentloop.candidates.models import Candidate
from talentloop.candidates.selectors import SORTS
from talentloop.candidates.services import create_tag, delete_candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.fixtures import actor_for

LIST = "/candidates/"
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
Factory = Callable[..., Candidate]


def _names(response: Any) -> list[str]:
    assert response.status_code == HTTPStatus.OK
    return [row["full_name"] for row in response.context["candidates"]]


def _next_link(response: Any) -> str | None:
    match = re.search(r'<a href="(\?[^"]*)" rel="next">Next page', response.content.decode())
    return LIST + html.unescape(match.group(1)) if match else None


@pytest.fixture
def clock(time_machine: Any) -> Callable[[int], None]:
    """Move the frozen clock to NOW + `minutes`: each candidate gets its own timestamps."""

    def move(minutes: int) -> None:
        time_machine.move_to(NOW + dt.timedelta(minutes=minutes), tick=False)

    move(0)
    return move


@pytest.fixture
def cast(
    candidate_factory: Factory, clock: Callable[[int], None], bob: User, bob_actor: Actor
) -> dict[str, Candidate]:
    """Four Acme candidates, changed one minute apart (Grace last, so first by default)."""
    clock(1)
    ada = candidate_factory(
        first_name="Ada",
        last_name="Lovelace",
        emails=["ada@analytical.test"],
        current_company="Babbage Engines",
        tags=["Python", "math"],
        source="referral",
    )
    clock(2)
    alan = candidate_factory(
        first_name="Alan",
        last_name="Turing",
        emails=["alan@bletchley.test"],
        current_title="Cryptanalyst",
        current_company="Bletchley Park",
        tags=["math"],
        owner_id=bob.pk,
    )
    clock(3)
    linus = candidate_factory(
        actor=bob_actor,
        first_name="Linus",
        last_name="Torvalds",
        emails=["linus@kernel.test"],
        current_company="Linux Foundation",
        tags=["c"],
        source="event",
    )
    clock(4)
    grace = candidate_factory(
        first_name="Grace",
        last_name="Hopper",
        emails=["grace@navy.test"],
        current_company="US Navy",
        tags=["cobol"],
    )
    return {"ada": ada, "alan": alan, "linus": linus, "grace": grace}


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST, {"q": "ada"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/candidates/%3Fq%3Dada"


def test_lists_recently_changed_first(alice_client: Client, cast: dict[str, Candidate]) -> None:
    response = alice_client.get(LIST)

    assert _names(response) == ["Grace Hopper", "Linus Torvalds", "Alan Turing", "Ada Lovelace"]
    assert _next_link(response) is None


def test_hides_archived_and_deleted_unless_archived_asked_for(
    alice_client: Client,
    alice_actor: Actor,
    candidate_factory: Factory,
    cast: dict[str, Candidate],
    clock: Callable[[int], None],
) -> None:
    clock(5)
    candidate_factory(first_name="Old", last_name="Archived", is_archived=True)
    delete_candidate(actor=alice_actor, candidate=cast["grace"])

    default = alice_client.get(LIST)
    with_archived = alice_client.get(LIST, {"archived": "1"})

    assert _names(default) == ["Linus Torvalds", "Alan Turing", "Ada Lovelace"]
    assert _names(with_archived) == [
        "Old Archived",
        "Linus Torvalds",
        "Alan Turing",
        "Ada Lovelace",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lovel", ["Ada Lovelace"]),  # last-name prefix
        ("ALA", ["Alan Turing"]),  # first-name prefix, any case
        ("analyt", ["Ada Lovelace"]),  # e-mail prefix
        ("grace@navy", ["Grace Hopper"]),  # e-mail as typed
        ("babb", ["Ada Lovelace"]),  # company prefix
        ("crypt", ["Alan Turing"]),  # title prefix
        ("linus found", ["Linus Torvalds"]),  # every word must match
        ("linus navy", []),
        ("ovelace", []),  # prefixes, not infixes
    ],
)
def test_search_matches_word_prefixes(
    alice_client: Client, cast: dict[str, Candidate], query: str, expected: list[str]
) -> None:
    assert _names(alice_client.get(LIST, {"q": query})) == expected


def test_search_box_keeps_the_query(alice_client: Client, cast: dict[str, Candidate]) -> None:
    response = alice_client.get(LIST, {"q": "lovel"})

    assert 'name="q" value="lovel"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "math"}, ["Alan Turing", "Ada Lovelace"]),
        ({"tag": "PYTHON"}, ["Ada Lovelace"]),
        ({"tag": "nosuchtag"}, []),
        ({"source": "event"}, ["Linus Torvalds"]),
        ({"source": "referral", "tag": "math"}, ["Ada Lovelace"]),
        ({"tag": "math", "q": "tur"}, ["Alan Turing"]),
    ],
)
def test_filters_by_tag_and_source(
    alice_client: Client,
    cast: dict[str, Candidate],
    params: dict[str, str],
    expected: list[str],
) -> None:
    assert _names(alice_client.get(LIST, params)) == expected


def test_filters_by_owner(
    alice_client: Client, bob_client: Client, bob: User, cast: dict[str, Candidate]
) -> None:
    by_id = alice_client.get(LIST, {"owner": str(bob.pk)})
    mine_for_alice = alice_client.get(LIST, {"owner": "me"})
    mine_for_bob = bob_client.get(LIST, {"owner": "me"})

    assert _names(by_id) == ["Linus Torvalds", "Alan Turing"]
    assert _names(mine_for_alice) == ["Grace Hopper", "Ada Lovelace"]
    assert _names(mine_for_bob) == ["Linus Torvalds", "Alan Turing"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("last_name", ["Grace Hopper", "Ada Lovelace", "Linus Torvalds", "Alan Turing"]),
        ("-last_name", ["Alan Turing", "Linus Torvalds", "Ada Lovelace", "Grace Hopper"]),
        ("-created_at", ["Grace Hopper", "Linus Torvalds", "Alan Turing", "Ada Lovelace"]),
        ("-updated_at", ["Grace Hopper", "Linus Torvalds", "Alan Turing", "Ada Lovelace"]),
    ],
)
def test_sorts(
    alice_client: Client, cast: dict[str, Candidate], sort: str, expected: list[str]
) -> None:
    response = alice_client.get(LIST, {"sort": sort})

    assert _names(response) == expected
    assert f'<option value="{sort}" selected>' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"sort": "salary"},
            "Sort is one of: -updated_at, updated_at, -created_at, created_at, "
            "last_name, -last_name.",
        ),
        ({"owner": "someone"}, "Owner is a user id or &#x27;me&#x27;."),
        (
            {"source": "carrier-pigeon"},
            "Source is one of: sourced, past_applicant, referral, "
            "event, career_site, import, api, other.",
        ),
        ({"q": "x" * 201}, "At most 200 characters."),
    ],
)
def test_bad_parameters_show_an_error(
    alice_client: Client, cast: dict[str, Candidate], params: dict[str, str], message: str
) -> None:
    response = alice_client.get(LIST, params)

    assert _names(response) == []
    assert f'<div class="alert" role="alert">{message}</div>' in response.content.decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        "WzEsMl0",  # [1,2]: valid JSON of the wrong size
        "WyIyMDI2LTEzLTQ1VDAwOjAwOjAwIiwxXQ",  # ["2026-13-45T00:00:00",1]: no such date
        "WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsInNldmVuIl0",  # id "seven"
    ],
)
def test_bad_cursor_shows_an_error_not_a_500(
    alice_client: Client, cast: dict[str, Candidate], cursor: str
) -> None:
    response = alice_client.get(LIST, {"cursor": cursor})

    assert response.status_code == HTTPStatus.OK
    assert response.context["error"] == "This cursor is not valid."
    assert _names(response) == []
    assert '<a href="?">« First page</a>' in response.content.decode()


@pytest.mark.parametrize("sort", ["-updated_at", "last_name", "created_at"])
def test_next_page_links_walk_every_row_once(
    alice_client: Client,
    candidate_factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
    clock: Callable[[int], None],
    sort: str,
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    # Same clock and, for pairs, same names: only the id breaks ties, as in a bulk import.
    created = [
        candidate_factory(first_name=f"P{i // 2}", last_name=f"Same{i % 3}", tags=["walk"])
        for i in range(8)
    ]
    candidate_factory(first_name="Not", last_name="Tagged")
    expected = [
        c.pk
        for c in Candidate.objects.filter(pk__in=[c.pk for c in created]).order_by(*SORTS[sort])
    ]

    seen: list[int] = []
    pages = 0
    url: str | None = f"{LIST}?tag=walk&sort={sort}"
    while url:
        response = alice_client.get(url)
        seen += [row["id"] for row in response.context["candidates"]]
        pages += 1
        url = _next_link(response)
        if url:
            assert "tag=walk" in url
            assert f"sort={sort}" in url

    assert seen == expected
    assert pages == 3


def test_later_pages_link_back_to_the_first(
    alice_client: Client,
    candidate_factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
    clock: Callable[[int], None],
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(3):
        candidate_factory(first_name=f"C{i}", tags=["x"])

    first = alice_client.get(LIST, {"tag": "x"})
    next_url = _next_link(first)
    assert next_url is not None
    second = alice_client.get(next_url)

    assert "« First page" not in first.content.decode()
    assert '<a href="?tag=x">« First page</a>' in second.content.decode()
    assert _names(second) == ["C0 Lovelace1"]


def test_recruiter_sees_every_acme_candidate(
    bob_client: Client, cast: dict[str, Candidate]
) -> None:
    assert _names(bob_client.get(LIST)) == [
        "Grace Hopper",
        "Linus Torvalds",
        "Alan Turing",
        "Ada Lovelace",
    ]


def test_hiring_manager_sees_only_their_own(
    client: Client,
    acme: Workspace,
    member_factory: Callable[..., User],
    cast: dict[str, Candidate],
) -> None:
    hank = member_factory("hank@acme.test", acme, Role.HIRING_MANAGER)
    Candidate.objects.filter(pk=cast["ada"].pk).update(owner=hank)
    client.force_login(hank)

    assert _names(client.get(LIST)) == ["Ada Lovelace"]


def test_other_workspace_sees_only_its_own(
    charlie_client: Client, cast: dict[str, Candidate], charlie_candidate: Candidate
) -> None:
    response = charlie_client.get(LIST)

    assert _names(response) == ["Other"]
    assert "Grace" not in response.content.decode()
    assert _names(charlie_client.get(LIST, {"q": "grace"})) == []


@pytest.mark.parametrize("count", [10, 60])
def test_query_count_does_not_grow_with_rows(
    alice_client: Client,
    alice_actor: Actor,
    bob: User,
    candidate_factory: Factory,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    for i in range(count):
        candidate_factory(
            emails=[f"person{i}@example.test"],
            phones=[{"number": f"+1 415 555 {1000 + i}"}],
            links=[{"url": f"https://github.com/person{i}"}],
            tags=["python", f"t{i % 4}"],
            owner_id=bob.pk if i % 2 else alice_actor.user_id,
        )

    # session, user, membership, candidates, their contacts and tags, members, tags
    with django_assert_num_queries(7):
        response = alice_client.get(LIST)

    assert len(response.context["candidates"]) == min(count, views.PAGE_SIZE)
    assert (_next_link(response) is not None) is (count > views.PAGE_SIZE)


def test_actor_of_bob_is_a_recruiter(bob: User, acme: Workspace) -> None:
    # Guards the cast the other tests rely on.
    assert actor_for(bob).role == Role.RECRUITER


def test_the_menus_offer_this_workspace_s_tags_and_members(
    alice_client: Client,
    cast: dict[str, Candidate],
    charlie: User,
    member_factory: Callable[..., User],
    acme: Workspace,
) -> None:
    nameless = member_factory("zed@acme.test", acme, Role.SOURCER, "")
    create_tag(actor=actor_for(charlie), name="Acquisitions")  # Globex's: not offered

    response = alice_client.get(LIST, {"tag": "PYTHON"})

    assert response.context["tag_choices"] == [
        ("c", "c"),
        ("cobol", "cobol"),
        ("math", "math"),
        ("Python", "Python"),
    ]
    assert response.context["selected_tag"] == "Python"
    owners = response.context["owner_choices"]
    assert owners[0] == ("me", "Me")
    assert [label for _, label in owners[1:]] == ["Alice Admin", "Bob Recruiter", "zed"]
    assert owners[-1] == (nameless.pk, "zed")
    assert '<option value="Python" selected>Python</option>' in response.content.decode()
