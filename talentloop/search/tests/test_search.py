"""Search results through the real index on whichever database runs the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Candidate
from talentloop.candidates.services import delete_candidate, update_candidate
from talentloop.compliance.models import ConsentRecord
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.search import selectors, services
from talentloop.search.models import SearchDocument
from talentloop.search.selectors import QueryInvalid, SearchFilters, parse_filters

RESUME = {
    "basics": {"summary": "Builds <b>data</b> pipelines in Python & Rust."},
    "work": [{"name": "Initech", "position": "Data Engineer", "summary": "Airflow and Spark"}],
    "education": [{"institution": "Universität Zürich", "area": "Physics"}],
    "skills": [{"name": "Python"}, {"name": "C++"}, {"name": "Machine Learning"}],
}


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate], alice_actor: Actor) -> dict[str, Candidate]:
    ada = candidate_factory(
        first_name="Ada",
        last_name="Byron",
        current_title="Senior Software Engineer",
        current_company="Acme Corp",
        city="Berlin",
        country="DE",
        seniority="senior",
        years_experience=9,
        tags=["backend"],
    )
    Candidate.objects.filter(pk=ada.pk).update(resume=RESUME)
    services.refresh_candidate(ada.pk)
    bob = candidate_factory(
        first_name="Bob",
        last_name="Stone",
        current_title="Java Developer",
        current_company="Globex",
        city="London",
        country="GB",
        seniority="mid",
        years_experience=4,
        source="referral",
    )
    cleo = candidate_factory(
        first_name="Cleo",
        last_name="Park",
        headline="Engineering manager, ex-Acme",
        current_title="Engineering Manager",
        current_company="Hooli",
        city="Berlin",
        country="DE",
        seniority="manager",
        years_experience=15,
        tags=["backend", "leadership"],
    )
    return {"ada": ada, "bob": bob, "cleo": cleo}


def names(actor: Actor, query: str = "", **filters: Any) -> list[str]:
    page = selectors.search(actor, query=query, filters=parse_filters(filters))
    return [row["first_name"] for row in page.rows]


def test_keywords_and_fields(people: dict[str, Candidate], alice_actor: Actor) -> None:
    assert names(alice_actor, "engineer") == ["Ada"]  # the word, not "engineering"
    assert names(alice_actor, "engineer*") == ["Cleo", "Ada"]  # newest first
    assert names(alice_actor, "title:manager") == ["Cleo"]
    assert names(alice_actor, "company:acme") == ["Ada"]  # Cleo's "ex-Acme" is her headline
    assert names(alice_actor, "acme") == ["Cleo", "Ada"]
    assert names(alice_actor, "title:(java OR manager)") == ["Cleo", "Bob"]
    assert names(alice_actor, '"software engineer"') == ["Ada"]
    assert names(alice_actor, '"engineer software"') == []
    assert names(alice_actor, "skill:c++") == ["Ada"]
    assert names(alice_actor, "skill:python AND school:zurich") == ["Ada"]
    assert names(alice_actor, "location:germany") == ["Cleo", "Ada"]
    assert names(alice_actor, "name:stone OR title:initech") == ["Bob"]
    assert names(alice_actor, "company:initech") == ["Ada"]  # a past employer from the resume
    assert names(alice_actor, "airflow") == ["Ada"]


def test_not(people: dict[str, Candidate], alice_actor: Actor) -> None:
    assert names(alice_actor, "berlin -manager") == ["Ada"]
    assert names(alice_actor, "NOT java") == ["Cleo", "Ada"]
    assert names(alice_actor, "(NOT berlin) OR skill:python") == ["Bob", "Ada"]
    assert names(alice_actor, "location:berlin AND NOT (company:hooli OR name:ada)") == []


def test_filters(people: dict[str, Candidate], alice_actor: Actor) -> None:
    assert names(alice_actor, tags=["backend"]) == ["Cleo", "Ada"]
    assert names(alice_actor, tags="backend,leadership") == ["Cleo"]
    assert names(alice_actor, tags=["nobody-has-this"]) == []
    assert names(alice_actor, seniority=["senior", "mid"]) == ["Bob", "Ada"]
    assert names(alice_actor, years_min=5, years_max=10) == ["Ada"]
    assert names(alice_actor, source=["referral"]) == ["Bob"]
    assert names(alice_actor, country="de") == ["Cleo", "Ada"]
    assert names(alice_actor, location="london") == ["Bob"]
    assert names(alice_actor, skills=["machine learning"]) == ["Ada"]
    assert names(alice_actor, "berlin", seniority="manager") == ["Cleo"]
    assert names(alice_actor, "engineer*", tags="backend", years_min=10) == ["Cleo"]


def test_last_contacted_and_consent(people: dict[str, Candidate], alice_actor: Actor) -> None:
    Candidate.objects.filter(pk=people["bob"].pk).update(last_contacted_at="2026-03-01T00:00Z")
    assert names(alice_actor, contacted_since="2026-01-01") == ["Bob"]
    assert names(alice_actor, not_contacted_since="2026-01-01") == ["Cleo", "Ada"]
    assert names(alice_actor, not_contacted_since="2026-06-01") == ["Cleo", "Bob", "Ada"]
    for who, status in (("ada", "granted"), ("bob", "withdrawn")):
        ConsentRecord.objects.create(
            workspace=alice_actor.workspace,
            candidate=people[who],
            channel="email",
            purpose="recruiting",
            status=status,
            source="form",
        )
    Candidate.objects.filter(pk=people["cleo"].pk).update(is_do_not_contact=True)
    assert names(alice_actor, consent="granted") == ["Ada"]
    assert names(alice_actor, consent="contactable") == ["Ada"]


def test_index_follows_changes(people: dict[str, Candidate], alice_actor: Actor) -> None:
    bob = people["bob"]
    update_candidate(actor=alice_actor, candidate=bob, data={"current_title": "Kotlin Developer"})
    assert names(alice_actor, "kotlin") == ["Bob"]
    assert names(alice_actor, "java") == []
    delete_candidate(actor=alice_actor, candidate=bob)
    assert names(alice_actor, "kotlin") == []
    # The sweep drops the deleted candidate's document; the join already hid it.
    services.sweep_changed()
    assert not SearchDocument.objects.filter(candidate_id=bob.pk).exists()


def test_sweep_indexes_rows_written_behind_the_services(
    people: dict[str, Candidate], alice_actor: Actor
) -> None:
    services.sweep_changed()
    # As a bulk import does: straight to the table, updated_at moves.
    Candidate.objects.filter(pk=people["cleo"].pk).update(
        current_title="Staff Cartographer", updated_at="2030-01-01T00:00Z"
    )
    assert names(alice_actor, "cartographer") == []
    assert services.sweep_changed() == 1
    assert names(alice_actor, "cartographer") == ["Cleo"]
    assert services.sweep_changed() == 0  # nothing new: nothing rewritten


def test_reindex_all(people: dict[str, Candidate], alice_actor: Actor) -> None:
    SearchDocument.objects.all().delete()
    assert names(alice_actor, "engineer") == []
    seen: list[int] = []
    assert services.reindex_all(progress=seen.append) == 3
    assert sum(seen) == 3
    assert names(alice_actor, "engineer") == ["Ada"]


def test_pages_and_count(candidate_factory: Callable[..., Candidate], alice_actor: Actor) -> None:
    made = [candidate_factory(current_title="Welder") for _ in range(5)]
    page = selectors.search(alice_actor, query="welder", filters=SearchFilters(), limit=2)
    assert [r["id"] for r in page.rows] == [made[4].pk, made[3].pk]
    assert page.count == 5 and not page.count_capped
    assert page.next_cursor is not None
    second = selectors.search(
        alice_actor, query="welder", filters=SearchFilters(), limit=2, cursor=page.next_cursor
    )
    assert [r["id"] for r in second.rows] == [made[2].pk, made[1].pk]
    assert second.count is None
    page = selectors.search(alice_actor, query="", filters=parse_filters({}), limit=10)
    assert [r["id"] for r in page.rows] == [c.pk for c in reversed(made)]


def test_count_is_capped(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _ in range(5):
        candidate_factory(current_title="Welder")
    page = selectors.search(alice_actor, query="welder", filters=SearchFilters(), limit=2)
    assert (page.count, page.count_capped) == (3, True)


def test_snippets_mark_matches_and_escape_html(
    people: dict[str, Candidate], alice_actor: Actor
) -> None:
    page = selectors.search(
        alice_actor, query="data pipelines* title:engineer -java", filters=SearchFilters()
    )
    (row,) = page.rows
    marks = row["highlights"]
    assert marks["title"] == "Senior Software <mark>Engineer</mark>"
    assert marks["text"] == (
        "Builds &lt;b&gt;<mark>data</mark>&lt;/b&gt; <mark>pipelines</mark> in Python &amp; Rust."
    )
    page = selectors.search(alice_actor, query="skill:c++", filters=SearchFilters())
    assert page.rows[0]["highlights"]["skills"] == "Python, <mark>C++</mark>, Machine Learning"


def test_workspaces_and_roles_are_isolated(
    people: dict[str, Candidate], charlie_actor: Actor, charlie_candidate: Candidate
) -> None:
    assert names(charlie_actor, "engineer*") == []
    assert names(charlie_actor, "") == ["Other"]
    assert names(charlie_actor, "NOT zzz") == ["Other"]


def test_hiring_manager_sees_only_own(
    people: dict[str, Candidate], acme: Any, member_factory: Callable[..., Any]
) -> None:
    from talentloop.core.tests.fixtures import actor_for

    manager = member_factory("hm@acme.test", acme, "hiring_manager")
    assert names(actor_for(manager), "engineer*") == []


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "'; DROP TABLE candidates_candidate; --",
        "a.*b+ [x] {y} ^z $",
        '"NEAR(a b)" OR col:x',
        "title:NEAR",
        "\\\" \\'",
        "x0all",
        "🙂 java",
    ],
)
def test_odd_text_is_data(people: dict[str, Candidate], alice_actor: Actor, query: str) -> None:
    try:
        selectors.search(alice_actor, query=query, filters=SearchFilters())
    except QueryInvalid as error:
        assert error.position >= 0 and error.message
    assert Candidate.objects.count() == 3


def test_bad_filters(alice_actor: Actor) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"colour": "red"}, "colour"),
        ({"seniority": ["wizard"]}, "seniority"),
        ({"years_min": "lots"}, "years_min"),
        ({"years_min": 9, "years_max": 2}, "years_min"),
        ({"contacted_since": "2026-02-30"}, "contacted_since"),
        ({"country": "Germany"}, "country"),
        ({"consent": "maybe"}, "consent"),
        ({"tags": [1, 2]}, "tags"),
        ({"skills": ["+++"]}, "skills"),
        ({"include_archived": "perhaps"}, "include_archived"),
    ]
    for raw, field in cases:
        with pytest.raises(InvalidInput) as caught:
            parse_filters(raw)
        assert caught.value.field == field


def test_bad_cursor_and_limit(alice_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        selectors.search(alice_actor, query="x", filters=SearchFilters(), cursor="nope")
    assert caught.value.field == "cursor"
    with pytest.raises(InvalidInput) as caught:
        selectors.search(alice_actor, query="x", filters=SearchFilters(), limit=0)
    assert caught.value.field == "limit"


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"years_min": 4.5}, [4.5, 9, 11, 41, 80]),
        ({"years_min": 9.5}, [11, 41, 80]),
        ({"years_min": 41}, [41, 80]),
        ({"years_max": 4.4}, [0, 4]),
        ({"years_min": 4.2, "years_max": 11}, [4.5, 9, 11]),
        ({"years_min": 0, "years_max": 80}, [0, 4, 4.5, 9, 11, 41, 80]),
    ],
)
def test_years_bounds_are_exact(
    candidate_factory: Callable[..., Candidate],
    alice_actor: Actor,
    bounds: dict[str, float],
    expected: list[float],
) -> None:
    for years in (0, 4, 4.5, 9, 11, 41, 80):
        candidate_factory(current_title="Welder", years_experience=years)
    candidate_factory(current_title="Welder")  # years unknown: never in a range
    page = selectors.search(alice_actor, query="welder", filters=parse_filters(bounds))
    assert sorted(float(row["years_experience"]) for row in page.rows) == expected
