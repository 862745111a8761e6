"""Corrections: kept as such, carried to the candidate, audited, and never overwritten by
parsing again; bad values are refused with the field and nothing changes."""

from __future__ import annotations

import pytest

from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.resumes import services
from talentloop.resumes.models import Correction, Resume
from talentloop.resumes.tests.fixtures import ADA, ParseFiles


@pytest.fixture
def resume(alice_actor: Actor, parse_files: ParseFiles) -> Resume:
    parse_files(alice_actor, {"ada.txt": ADA.encode()})
    return Resume.objects.select_related("candidate").get()


def test_a_correction_is_kept_and_carried_to_the_candidate(
    alice_actor: Actor, resume: Resume
) -> None:
    services.correct_field(actor=alice_actor, resume=resume, field="name", value="Ada  Quill-Byron")

    correction = Correction.objects.get()
    assert (correction.field, correction.parsed_value, correction.value) == (
        "name",
        "Ada Quill",
        "Ada Quill-Byron",
    )
    assert correction.actor == alice_actor.user
    resume.refresh_from_db()
    assert resume.parsed["basics"]["name"] == "Ada Quill-Byron"
    assert resume.parsed["meta"]["talentloop"]["corrected"] == ["name"]
    candidate = resume.candidate
    assert candidate is not None
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.last_name) == ("Ada", "Quill-Byron")
    event = AuditEvent.objects.get(action=AuditEvent.Action.RESUME_CORRECTED)
    assert event.changes == {"name": ["Ada Quill", "Ada Quill-Byron"]}


def test_parsing_again_keeps_every_correction(alice_actor: Actor, resume: Resume) -> None:
    work = [
        {
            "name": "Lumen Analytics",
            "position": "Principal Engineer",
            "location": "London",
            "startDate": "2019-03",
            "endDate": "",
            "summary": "",
        }
    ]
    services.correct_field(actor=alice_actor, resume=resume, field="work", value=work)
    services.correct_field(actor=alice_actor, resume=resume, field="skills", value=["Rust"])

    resume = services.reparse_resume(actor=alice_actor, resume=resume)

    assert resume.status == "parsed"
    assert resume.parsed["work"] == work
    assert [s["name"] for s in resume.parsed["skills"]] == ["Rust"]
    candidate = resume.candidate
    assert candidate is not None
    candidate.refresh_from_db()
    assert (candidate.current_title, candidate.current_company) == (
        "Principal Engineer",
        "Lumen Analytics",
    )
    assert candidate.resume["work"] == work


def test_removing_a_wrong_email_removes_it_from_the_candidate(
    alice_actor: Actor, resume: Resume
) -> None:
    services.correct_field(
        actor=alice_actor, resume=resume, field="emails", value=["ada@quill.example"]
    )

    candidate = resume.candidate
    assert candidate is not None
    assert [e.email for e in candidate.emails.all()] == ["ada@quill.example"]


@pytest.mark.parametrize(
    ("field", "value", "error_field", "message"),
    [
        (
            "emails",
            ["ada@example.test", "nope"],
            "emails.1",
            "'nope' is not a valid e-mail address.",
        ),
        ("name", "  ", "name", "The name cannot be empty."),
        ("years_experience", "lots", "years_experience", "Must be a number of years."),
        (
            "work",
            [{"name": "X", "startDate": "March"}],
            "work.0.startDate",
            "A date is YYYY or YYYY-MM.",
        ),
        (
            "work",
            [{"salary": "1"}],
            "work.0",
            "Unknown key 'salary'; keys are name, position, location, startDate, endDate, summary.",
        ),
        (
            "favourite_colour",
            "blue",
            "field",
            "Field is one of: name, headline, emails, phones, links, location, summary, work, "
            "education, skills, languages, certifications, years_experience.",
        ),
    ],
)
def test_bad_values_are_refused_with_the_field(
    alice_actor: Actor, resume: Resume, field: str, value: object, error_field: str, message: str
) -> None:
    before = resume.parsed

    with pytest.raises(InvalidInput) as raised:
        services.correct_field(actor=alice_actor, resume=resume, field=field, value=value)

    assert (raised.value.field, raised.value.message) == (error_field, message)
    resume.refresh_from_db()
    assert resume.parsed == before
    assert not Correction.objects.exists()


def test_an_auditor_cannot_correct(resume: Resume, member_factory: object, acme: object) -> None:
    from talentloop.accounts.roles import Role
    from talentloop.core.tests.fixtures import actor_for

    auditor = member_factory("audrey@acme.test", acme, Role.AUDITOR, "Audrey")  # type: ignore[operator]

    with pytest.raises(Forbidden):
        services.correct_field(actor=actor_for(auditor), resume=resume, field="name", value="X")

    assert not Correction.objects.exists()
