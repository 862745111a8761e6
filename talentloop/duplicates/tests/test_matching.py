"""The pure matcher: names with nicknames, typos, initials, transliteration and swaps; keys."""

from __future__ import annotations

import pytest

from talentloop.duplicates.matching import (
    Person,
    blocking_keys,
    compare,
    email_mailbox,
    given_similarity,
    soundex,
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
            "weight": 0.278,
        },
        {"field": "last_name", "left": "Gates", "right": "Gates", "how": "exact", "weight": 0.358},
    ]


def test_typos_in_both_names_count_as_typos() -> None:
    assert _hows(Person("Jonathon", "Smiht"), Person("Jonathan", "Smith")) == {
        "first_name": "typo",
        "last_name": "typo",
    }
    assert compare(Person("Jonathon", "Smiht"), Person("Jonathan", "Smith")).score >= THRESHOLD


def test_an_initial_matches_the_full_given_name() -> None:
    match = compare(Person("J.", "Smith", city="Leeds"), Person("John", "Smith", city="Leeds"))

    assert _hows(Person("J.", "Smith"), Person("John", "Smith"))["first_name"] == "initial"
    assert match.score >= THRESHOLD


def test_an_initial_of_another_letter_does_not_match() -> None:
    assert given_similarity("K.", "John") == (0.0, "different")


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
    same_job = {"city": "Paris", "company": "Acme", "title": "Engineer"}

    assert (
        compare(Person("Marie", "Curie", **same_job), Person("Ada", "Byron", **same_job)).score
        < 0.5
    )


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

    assert keys == {"n:L000:a", "n:A500:l", "l:A500:boston", "c:acme:anne", "e:annlee"}


def test_the_same_common_name_in_another_city_at_another_employer_is_not_suggested() -> None:
    berlin = Person(first_name="John", last_name="Smith", city="Berlin", company="Initech")
    munich = Person(first_name="John", last_name="Smith", city="Munich", company="Globex")

    match = compare(berlin, munich)

    assert match.score < 0.75
    assert match.evidence[-1]["field"] == "city+company"


def test_the_same_name_at_the_same_employer_elsewhere_is_still_suggested() -> None:
    berlin = Person(first_name="John", last_name="Smith", city="Berlin", company="Initech")
    moved = Person(first_name="John", last_name="Smith", city="Munich", company="Initech")

    assert compare(berlin, moved).score >= 0.75
