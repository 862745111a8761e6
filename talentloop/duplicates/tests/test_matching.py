"""The pure matcher: names with nicknames, typos, initials, transliteration and swaps; keys."""

from __future__ import annotations

import pytest

from talentloop.duplicates.matching import (
    Person,
    Stats,
    blocking_keys,
    build_stats,
    close_given_names,
    compare,
    email_mailbox,
    given_level,
    prepare,
    soundex,
    worth_comparing,
)
from talentloop.duplicates.nicknames import formal_names, pair_count

THRESHOLD = 0.75


def _hows(left: Person, right: Person) -> dict[str, str]:
    return {e["field"]: e["how"] for e in compare(left, right).evidence}


@pytest.mark.parametrize(
    ("short", "formal"),
    [
        ("bob", "robert"),
        ("bill", "william"),
        ("liz", "elizabeth"),
        ("peggy", "margaret"),
        ("dick", "richard"),
        ("sasha", "alexander"),
        ("chuck", "charles"),
    ],
)
def test_nicknames_map_to_their_formal_name(short: str, formal: str) -> None:
    assert formal in formal_names(short)


def test_the_nickname_table_is_large() -> None:
    assert pair_count() >= 500


def test_a_name_in_no_family_is_its_own_formal_name() -> None:
    assert formal_names("zbigniew") == frozenset({"zbigniew"})


def test_nickname_and_same_surname_is_suggested() -> None:
    match = compare(Person("Bill", "Gates"), Person("William", "Gates"))

    assert match.score >= THRESHOLD
    assert match.evidence[:2] == [
        {
            "field": "first_name",
            "left": "Bill",
            "right": "William",
            "how": "nickname",
            "weight": 6.6,
        },
        {"field": "last_name", "left": "Gates", "right": "Gates", "how": "exact", "weight": 11.4},
    ]


def test_typos_in_both_names_count_as_typos_and_need_one_more_fact() -> None:
    left, right = Person("Jonathon", "Smiht"), Person("Jonathan", "Smith")

    assert _hows(left, right) == {"first_name": "typo", "last_name": "typo"}
    assert compare(left, right).score < THRESHOLD
    assert (
        compare(
            Person("Jonathon", "Smiht", city="Leeds"), Person("Jonathan", "Smith", city="Leeds")
        ).score
        >= THRESHOLD
    )


def test_an_initial_matches_the_full_given_name() -> None:
    match = compare(Person("J.", "Smith", city="Leeds"), Person("John", "Smith", city="Leeds"))

    assert _hows(Person("J.", "Smith"), Person("John", "Smith"))["first_name"] == "initial"
    assert match.score >= THRESHOLD


def test_an_initial_of_another_letter_does_not_match() -> None:
    assert given_level(prepare(Person("K.")).given, prepare(Person("John")).given) == "different"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Person("José", "Müller"), Person("Jose", "Mueller")),
        (Person("Łukasz", "Wałęsa"), Person("Lukasz", "Walesa")),
        (Person("Александр", "Иванов"), Person("Aleksandr", "Ivanov")),
    ],
)
def test_transliterated_names_are_the_same(left: Person, right: Person) -> None:
    assert _hows(left, right) == {"first_name": "transliteration", "last_name": "transliteration"}
    assert compare(left, right).score >= THRESHOLD


def test_swapped_first_and_last_name_is_noticed() -> None:
    match = compare(Person("Wei", "Zhang"), Person("Zhang", "Wei"))

    assert [e["how"] for e in match.evidence] == [
        "swapped first/last, exact",
        "swapped first/last, exact",
    ]
    assert match.score >= THRESHOLD


def test_location_company_and_title_raise_the_score() -> None:
    bare = compare(Person("Ann", "Lee"), Person("Ann", "Lee")).score
    confirmed = compare(
        Person("Ann", "Lee", city="Boston", country="US", company="Acme Inc", title="CTO"),
        Person("Ann", "Lee", city="Boston", country="us", company="ACME", title="CTO"),
    )

    assert confirmed.score > bare
    assert {e["field"]: e["how"] for e in confirmed.evidence[2:]} == {
        "city": "same",
        "country": "same",
        "company": "same",
        "title": "same",
    }


def test_a_common_name_elsewhere_at_another_company_is_not_suggested() -> None:
    match = compare(
        Person("John", "Smith", city="Leeds", country="GB", company="Acme", title="Nurse"),
        Person("John", "Smith", city="Austin", country="US", company="Globex", title="Pilot"),
    )

    assert match.score < THRESHOLD


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Person("Mary", "Jones"), Person("Peter", "Brown")),
        (Person("Anna", "Schmidt"), Person("Hanna", "Schneider")),
        (Person("Robert", "Smith"), Person("Roberta", "Smithers")),
    ],
)
def test_different_people_score_below_the_threshold(left: Person, right: Person) -> None:
    assert compare(left, right).score < THRESHOLD


def test_the_same_company_does_not_lift_different_names() -> None:
    def at_acme(first: str, last: str) -> Person:
        return Person(first, last, city="Paris", company="Acme", title="Engineer")

    assert compare(at_acme("Marie", "Curie"), at_acme("Ada", "Byron")).score < 0.5


def test_soundex() -> None:
    assert [soundex(w) for w in ("Robert", "Rupert", "Ashcraft", "Tymczak", "Pfister", "")] == [
        "R163",
        "R163",
        "A261",
        "T522",
        "P236",
        "",
    ]


def test_email_mailbox_drops_dots_and_tags() -> None:
    assert email_mailbox("J.Smith+jobs@Example.com") == "jsmith"


def test_nickname_typo_and_swap_share_a_blocking_key() -> None:
    robert = blocking_keys(Person("Robert", "Smith"))

    assert robert & blocking_keys(Person("Bob", "Smyth"))
    assert robert & blocking_keys(Person("Smith", "Robert"))
    assert robert & blocking_keys(Person("R.", "Smith"))


def test_unrelated_people_share_no_blocking_key() -> None:
    assert not blocking_keys(Person("Robert", "Smith")) & blocking_keys(Person("Maria", "Garcia"))


def test_email_and_company_keys() -> None:
    keys = blocking_keys(
        Person("Ann", "Lee", city="Boston", company="Acme Inc."),
        ["ann.lee+x@gmail.com", "info@acme.test"],
    )

    assert keys == {"f:lee:a", "n:L000:anne"} | {
        "s:ann:lee",
        "c:acme:L000",
        "e:annlee",
    }, "the mailbox info@ is shared by many and makes no key"


def test_the_same_common_name_in_another_city_at_another_employer_is_not_suggested() -> None:
    berlin = Person(first_name="John", last_name="Smith", city="Berlin", company="Initech")
    munich = Person(first_name="John", last_name="Smith", city="Munich", company="Globex")

    match = compare(berlin, munich)

    assert match.score < THRESHOLD
    assert [(e["field"], e["how"]) for e in match.evidence[2:]] == [
        ("city", "different"),
        ("company", "different"),
    ]


def test_the_same_name_at_the_same_employer_elsewhere_is_still_suggested() -> None:
    berlin = Person(first_name="John", last_name="Smith", city="Berlin", company="Initech")
    moved = Person(first_name="John", last_name="Smith", city="Munich", company="Initech")

    assert compare(berlin, moved).score >= 0.75


def _crowd(count: int, city: str = "", country: str = "") -> list[Person]:
    """`count` different people named from small pools, like a big city of one nationality."""
    given = ["John", "Mary", "Ann", "Peter", "Paul", "Kate", "Mark", "Lucy"]
    family = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans"]
    return [
        Person(given[i % 8], family[i // 8 % 6], city=city, country=country, company=f"C{i}")
        for i in range(count)
    ]


def test_a_name_common_in_the_workspace_weighs_less() -> None:
    crowd = _crowd(2_000, city="Leeds", country="GB")
    stats = build_stats([prepare(p) for p in crowd])
    john = Person("John", "Smith", city="Leeds", country="GB", company="Acme")
    namesake = Person("John", "Smith", city="Leeds", country="GB", company="Globex")

    without, with_stats = compare(john, namesake), compare(john, namesake, stats)

    assert without.evidence[1]["weight"] > with_stats.evidence[1]["weight"]
    assert with_stats.score < THRESHOLD


def test_a_shared_identifier_in_a_custom_field_is_strong_evidence() -> None:
    left = Person("Jon", "", city="Bega", custom=(("date_of_birth", "19560409"),))
    right = Person("John", "Grene", city="Bega", custom=(("date_of_birth", "19560409"),))
    other = Person("John", "Grene", city="Bega", custom=(("date_of_birth", "19710102"),))

    assert compare(left, right).score >= THRESHOLD
    assert compare(right, other).score < compare(right, right).score
    assert blocking_keys(left) & blocking_keys(right) == {"x:date_of_birth:19560409"}


def test_statistics_round_trip_through_json() -> None:
    stats = build_stats([prepare(p) for p in _crowd(1_200, country="GB")])

    assert Stats.from_json(stats.to_json()) == stats
    assert stats.records == 1_200
    assert stats.u_levels["given"]["different"] > 0.5


def test_namesakes_are_compared_under_their_s_key_only() -> None:
    john, namesake = prepare(Person("John", "Smith")), prepare(Person("John", "Smith"))

    assert [key[0] for key in sorted(blocking_keys(john) & blocking_keys(namesake))] == [
        "f",
        "n",
        "s",
    ]
    assert worth_comparing("s:john:smith", john, namesake)
    assert not worth_comparing("f:smith:j", john, namesake)
    assert not worth_comparing("n:S530:john", john, namesake)


def test_close_given_names() -> None:
    def close(a: str, b: str) -> bool:
        return close_given_names(prepare(Person(a)).given, prepare(Person(b)).given)

    assert close("Tanya", "Tnaya")
    assert close("Tanya", "T.")
    assert close("Bob", "Robert")
    assert not close("Tanya", "Theodore")
