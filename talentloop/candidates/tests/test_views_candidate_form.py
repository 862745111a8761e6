"""Adding and editing a candidate: the form page, field errors (422) and nothing half-saved."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent

NEW = "/candidates/new"


def _edit(candidate: Candidate) -> str:
    return f"/candidates/{candidate.pk}/edit"


def _form_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Katherine",
        "last_name": "Johnson",
        "headline": "",
        "current_title": "Mathematician",
        "current_company": "NASA",
        "seniority": "senior",
        "years_experience": "33",
        "city": "Hampton",
        "region": "Virginia",
        "country": "us",
        "timezone": "America/New_York",
        "emails": "Katherine@NASA.test\nkj@example.test",
        "phones": "(415) 555-2672",
        "links": "https://www.linkedin.com/in/KJohnson/",
        "tags": "orbital mechanics, math",
        "source": "referral",
        "source_detail": "Dorothy",
        "owner": "",
    }
    data.update(overrides)
    return data


def _field_errors(response: Any, name: str) -> list[str]:
    """The error messages rendered inside the form field `name`."""
    match = re.search(
        rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', response.content.decode()
    )
    return (
        [html_lib.unescape(m) for m in re.findall(r"<li>(.*?)</li>", match.group(1))]
        if (match)
        else []
    )


def _snapshot(candidate: Candidate) -> dict[str, Any]:
    candidate = Candidate.objects.get(pk=candidate.pk)
    return {
        "first_name": candidate.first_name,
        "current_company": candidate.current_company,
        "emails": [e.email for e in candidate.emails.all()],
        "phones": [p.number for p in candidate.phones.all()],
        "tags": sorted(t.name for t in candidate.tags.all()),
        "updated_at": candidate.updated_at,
    }


# --- adding -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Client, db: None) -> None:
    get = client.get(NEW)
    post = client.post(NEW, _form_data())

    assert get["Location"] == "/accounts/login/?next=/candidates/new"
    assert post.status_code == HTTPStatus.FOUND
    assert Candidate.objects.exists() is False


def test_form_starts_with_me_as_owner(alice_client: Client, alice: User) -> None:
    response = alice_client.get(NEW)

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"]["owner"].value() == alice.pk
    assert 'name="is_archived"' not in response.content.decode()


def test_adds_a_candidate_with_normalized_contacts(
    alice_client: Client, alice: User, bob: User
) -> None:
    response = alice_client.post(NEW, _form_data(owner=str(bob.pk)))

    candidate = Candidate.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert (candidate.full_name, candidate.current_company, candidate.country) == (
        "Katherine Johnson",
        "NASA",
        "US",
    )
    assert (candidate.seniority, str(candidate.years_experience), candidate.owner) == (
        "senior",
        "33.0",
        bob,
    )
    assert [e.email for e in candidate.emails.all()] == ["katherine@nasa.test", "kj@example.test"]
    assert [p.number for p in candidate.phones.all()] == ["+14155552672"]
    assert [link.url for link in candidate.links.all()] == ["https://linkedin.com/in/kjohnson"]
    assert sorted(t.name for t in candidate.tags.all()) == ["math", "orbital mechanics"]
    created = AuditEvent.objects.filter(action="candidate.created", target_id=candidate.pk)
    assert created.count() == 1
    page = alice_client.get(response["Location"])
    assert "Added Katherine Johnson." in page.content.decode()


def test_recruiter_can_add(bob_client: Client, bob: User) -> None:
    response = bob_client.post(NEW, _form_data(owner=str(bob.pk)))

    assert response.status_code == HTTPStatus.FOUND
    assert Candidate.objects.get().owner == bob


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"emails": "kj@example.test\nnot-an-address"},
            "emails",
            "'not-an-address' is not a valid e-mail address.",
        ),
        ({"phones": "+1 415 555 26"}, "phones", "'+1 415 555 26' is not a valid phone number."),
        ({"phones": "call me"}, "phones", "'call me' is not a phone number."),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"country": "D1"}, "country", "'D1' is not a two-letter country code (ISO 3166)."),
        (
            {"timezone": "Mars/Olympus"},
            "timezone",
            "'Mars/Olympus' is not a time zone name such as Europe/Berlin.",
        ),
        ({"links": "not a link"}, "links", "'not a link' is not a valid link."),
        (
            {"years_experience": "-1"},
            "years_experience",
            "Ensure this value is greater than or equal to 0.",
        ),
    ],
)
def test_invalid_value_is_shown_on_its_field_and_nothing_is_saved(
    alice_client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    response = alice_client.post(NEW, _form_data(**overrides))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {field: [message]}
    assert _field_errors(response, field) == [message]
    assert Candidate.objects.exists() is False
    assert AuditEvent.objects.exists() is False


def test_duplicate_e_mail_is_shown_on_the_e_mail_field(
    alice_client: Client, candidate: Candidate
) -> None:
    before = Candidate.objects.count()

    response = alice_client.post(NEW, _form_data(emails="new@example.test\nGRACE@navy.test"))

    message = f"grace@navy.test already belongs to candidate {candidate.pk}."
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {"emails": [message]}
    assert _field_errors(response, "emails") == [message]
    assert Candidate.objects.count() == before
    assert Candidate.objects.filter(first_name="Katherine").exists() is False
    # What was typed stays in the form.
    assert "new@example.test\nGRACE@navy.test</textarea>" in response.content.decode()


def test_owner_from_another_workspace_is_refused(alice_client: Client, charlie: User) -> None:
    response = alice_client.post(NEW, _form_data(owner=str(charlie.pk)))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {
        "owner": [f"Select a valid choice. {charlie.pk} is not one of the available choices."]
    }
    assert Candidate.objects.exists() is False


def test_role_without_edit_rights_cannot_add(
    client: Client, acme: Workspace, member_factory: Callable[..., User]
) -> None:
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))

    assert client.get(NEW).status_code == HTTPStatus.FORBIDDEN
    assert client.post(NEW, _form_data()).status_code == HTTPStatus.FORBIDDEN
    assert Candidate.objects.exists() is False


# --- editing ----------------------------------------------------------------------------------


def test_edit_form_is_filled_in(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.get(_edit(candidate))

    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert (form["first_name"].value(), form["emails"].value(), form["phones"].value()) == (
        "Grace",
        "grace@navy.test",
        "+14155552671",
    )
    assert form["tags"].value() == "cobol"
    assert 'name="is_archived"' in response.content.decode()


def test_edit_saves_changes(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.post(
        _edit(candidate),
        _form_data(
            first_name="Grace",
            last_name="Hopper",
            emails="grace@navy.test",
            phones="+1 415 555 2671",
            current_company="Yale",
            tags="cobol, compilers",
            is_archived="on",
        ),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    candidate.refresh_from_db()
    assert (candidate.current_company, candidate.is_archived) == ("Yale", True)
    assert sorted(t.name for t in candidate.tags.all()) == ["cobol", "compilers"]
    event = AuditEvent.objects.get(action="candidate.updated")
    assert event.changes["current_company"] == ["US Navy", "Yale"]
    assert event.changes["tags"] == [["cobol"], ["cobol", "compilers"]]


def test_recruiter_can_edit(bob_client: Client, candidate: Candidate) -> None:
    response = bob_client.post(
        _edit(candidate), _form_data(first_name="Amazing", emails="grace@navy.test")
    )

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert candidate.first_name == "Amazing"


def test_edit_with_a_taken_e_mail_changes_nothing(
    alice_client: Client, candidate: Candidate, candidate_factory: Callable[..., Candidate]
) -> None:
    other = candidate_factory(first_name="Ada", emails=["ada@analytical.test"])
    before = _snapshot(candidate)

    response = alice_client.post(
        _edit(candidate),
        _form_data(first_name="Changed", emails="ada@analytical.test", current_company="Yale"),
    )

    message = f"ada@analytical.test already belongs to candidate {other.pk}."
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert _field_errors(response, "emails") == [message]
    assert _snapshot(candidate) == before
    assert AuditEvent.objects.filter(action="candidate.updated").exists() is False


def test_edit_with_an_invalid_phone_changes_nothing(
    alice_client: Client, candidate: Candidate
) -> None:
    before = _snapshot(candidate)

    response = alice_client.post(
        _edit(candidate), _form_data(first_name="Changed", phones="12", emails="")
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert _field_errors(response, "phones") == ["'12' is not a valid phone number."]
    assert _snapshot(candidate) == before


def test_other_workspace_gets_404_on_edit(charlie_client: Client, candidate: Candidate) -> None:
    before = _snapshot(candidate)

    get = charlie_client.get(_edit(candidate))
    post = charlie_client.post(_edit(candidate), _form_data(emails=""))

    assert get.status_code == post.status_code == HTTPStatus.NOT_FOUND
    assert _snapshot(candidate) == before


def test_role_without_edit_rights_cannot_edit(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))
    before = _snapshot(candidate)

    get = client.get(_edit(candidate))
    post = client.post(_edit(candidate), _form_data(emails=""))

    assert get.status_code == post.status_code == HTTPStatus.FORBIDDEN
    assert _snapshot(candidate) == before


def test_anonymous_edit_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    before = _snapshot(candidate)

    response = client.post(_edit(candidate), _form_data(emails=""))

    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/edit"
    assert _snapshot(candidate) == before
