"""`talentloop seed`: realistic demo candidates that look exactly like service-written ones."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import phonenumbers
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from talentloop.accounts.models import Membership, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, CandidatePhone
from talentloop.candidates.normalize import build_search_text, normalize_email, normalize_url
from talentloop.candidates.selectors import CandidateFilters, filtered_ids
from talentloop.core.actor import Actor

pytestmark = pytest.mark.django_db


def _seed(count: int, workspace: str = "acme") -> str:
    out = io.StringIO()
    call_command("seed", candidates=count, workspace=workspace, stdout=out)
    return out.getvalue()


def _actor(email: str = "alice@acme.test") -> Actor:
    membership = Membership.objects.select_related("workspace", "user").get(user__email=email)
    return Actor(workspace=membership.workspace, role=Role(membership.role), user=membership.user)


def _search(actor: Actor, text: str) -> list[int]:
    filters = CandidateFilters(text=text, include_archived=True)
    return filtered_ids(actor, filters, limit=1_000)


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    # Seeding takes about a second (Faker name pools): do it once for the module, inside a
    # transaction that is rolled back at the end. Each test's own transaction nests in it.
    with django_db_blocker.unblock(), transaction.atomic():
        output = _seed(50)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once: str) -> Workspace:
    assert _seeded_once.startswith("Added 50 candidates to Acme Talent in ")
    return Workspace.objects.get(slug="acme")


def test_creates_the_requested_number_of_candidates(seeded: Workspace) -> None:
    assert Candidate.objects.filter(workspace=seeded).count() == 50
    assert Candidate.objects.exclude(workspace=seeded).count() == 0


def test_creates_the_demo_cast(seeded: Workspace) -> None:
    roles = dict(Membership.objects.values_list("user__email", "role"))

    assert roles == {
        "alice@acme.test": "admin",
        "bob@acme.test": "recruiter",
        "sam@acme.test": "sourcer",
        "cora@acme.test": "coordinator",
        "hank@acme.test": "hiring_manager",
        "audrey@acme.test": "auditor",
        "charlie@globex.test": "admin",
    }


def test_emails_are_valid_normalized_and_unique(seeded: Workspace) -> None:
    emails = list(CandidateEmail.objects.filter(workspace=seeded).values_list("email", flat=True))

    assert len(emails) == 50
    assert [normalize_email(e) for e in emails] == emails
    assert len(set(emails)) == 50
    primaries = Counter(
        CandidateEmail.objects.filter(is_primary=True).values_list("candidate_id", flat=True)
    )
    assert set(primaries.values()) == {1}


def test_phones_are_valid_e164_numbers(seeded: Workspace) -> None:
    numbers = list(CandidatePhone.objects.filter(workspace=seeded).values_list("number", flat=True))

    assert numbers  # about 70 % of the US candidates have one
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_links_are_in_canonical_form(seeded: Workspace) -> None:
    for candidate in Candidate.objects.filter(workspace=seeded).prefetch_related("links"):
        for link in candidate.links.all():
            assert normalize_url(link.url) == link.url
            assert link.kind == "linkedin"


def test_search_text_is_what_the_services_would_write(seeded: Workspace) -> None:
    for candidate in Candidate.objects.filter(workspace=seeded).prefetch_related("emails"):
        emails = " ".join(e.email for e in candidate.emails.all())
        expected = build_search_text(
            candidate.first_name,
            candidate.last_name,
            emails,
            candidate.current_title,
            candidate.current_company,
        )
        assert candidate.search_text == expected, candidate.pk


def test_search_finds_seeded_candidates(seeded: Workspace) -> None:
    alice = _actor()
    candidates = Candidate.objects.filter(workspace=seeded).prefetch_related("emails")

    for candidate in candidates[:10]:
        email = candidate.emails.all()[0].email
        assert candidate.pk in _search(alice, f"{candidate.first_name} {candidate.last_name}")
        assert candidate.pk in _search(alice, candidate.last_name[:3])
        assert _search(alice, email) == [candidate.pk]
        assert candidate.pk in _search(alice, candidate.current_company)


def test_another_workspace_does_not_find_them(seeded: Workspace) -> None:
    charlie = _actor("charlie@globex.test")
    first = Candidate.objects.filter(workspace=seeded).first()
    assert first is not None

    assert _search(charlie, first.last_name) == []


def test_every_candidate_starts_its_timeline(seeded: Workspace) -> None:
    created = Counter(
        Activity.objects.filter(workspace=seeded, type=Activity.Type.CREATED).values_list(
            "candidate_id", flat=True
        )
    )

    assert set(created) == set(
        Candidate.objects.filter(workspace=seeded).values_list("pk", flat=True)
    )
    assert set(created.values()) == {1}
    for activity in Activity.objects.filter(workspace=seeded).select_related("candidate"):
        assert activity.occurred_at >= activity.candidate.created_at


def test_seeding_again_with_the_same_count_adds_nothing(seeded: Workspace) -> None:
    before = (Candidate.objects.count(), Activity.objects.count(), CandidateEmail.objects.count())

    output = _seed(50)

    assert output == "Acme Talent has 50 candidates already.\n"
    after = (Candidate.objects.count(), Activity.objects.count(), CandidateEmail.objects.count())
    assert after == before


def test_seeding_a_higher_count_adds_only_the_difference(seeded: Workspace) -> None:
    output = _seed(60)

    assert output.startswith("Added 10 candidates to Acme Talent in ")
    assert Candidate.objects.filter(workspace=seeded).count() == 60
    emails = CandidateEmail.objects.filter(workspace=seeded).values_list("email", flat=True)
    assert len(set(emails)) == 60


def test_unknown_workspace_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"^No workspace 'initech': use acme or globex\.$"):
        _seed(5, workspace="initech")


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(CommandError, match=r"^--candidates must be 0 or more\.$"):
        _seed(-1)


_POOLS_SCRIPT = """
import django, json
django.setup()
from talentloop.core.seeding import Pools
pools = Pools.build(42)
print(json.dumps([pools.companies[:20], pools.names["pl_PL"][0][:20]]))
"""


def test_the_same_seed_draws_the_same_names_in_every_process() -> None:
    # Python salts string hashes per process: anything taken from a set in set order would
    # make `seed --seed 42` produce different people on every run.
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "DJANGO_SETTINGS_MODULE": "talentloop.settings",
        }
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _POOLS_SCRIPT],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs.add(result.stdout)

    assert len(outputs) == 1
