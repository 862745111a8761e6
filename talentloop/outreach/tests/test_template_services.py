"""template_services: templates and snippets are compiled before they are stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.jobs.models import Job
from talentloop.outreach import template_services as services
from talentloop.outreach.models import Snippet, Template
from talentloop.outreach.rendering import TemplateSyntaxProblem
from talentloop.outreach.tests.template_fixtures import *  # noqa: F403 - fixtures
from talentloop.outreach.tests.template_fixtures import (
    INTRO_BODY,
    campaign_using,
    reloaded,
    role_actor,
    sequence_using,
)

GOOD = {"name": "Intro", "subject": "Hi {{ candidate.first_name }}", "body": "<p>Hi</p>"}


# --- create ---------------------------------------------------------------------------------


def test_stores_the_sanitized_body(alice_actor: Actor, alice: User) -> None:
    template = services.create_template(
        actor=alice_actor,
        data={
            "name": "  Intro   note ",
            "subject": "Hi  {{ candidate.first_name }}\n",
            "body": '<p onclick="x()">Hi {{ candidate.first_name|default:"there" }}</p>'
            "<script>alert(1)</script>",
            "text_body": "",
        },
    )

    stored = reloaded(template)
    assert (stored.name, stored.kind, stored.subject) == (
        "Intro note",
        "email",
        "Hi {{ candidate.first_name }}",
    )
    assert stored.body == '<p>Hi {{ candidate.first_name|default:"there" }}</p>'
    assert (stored.workspace_id, stored.created_by_id) == (alice_actor.workspace.pk, alice.pk)


def test_a_template_with_an_unknown_token_is_not_stored(alice_actor: Actor) -> None:
    with pytest.raises(TemplateSyntaxProblem) as caught:
        services.create_template(
            actor=alice_actor, data={**GOOD, "body": "<p>Hi</p>\n<p>{{ candidate.frist_name }}</p>"}
        )

    assert (caught.value.field, caught.value.message) == (
        "body",
        "Line 2: unknown token candidate.frist_name. Did you mean candidate.first_name?",
    )
    assert Template.objects.exists() is False


def test_line_numbers_are_those_the_author_wrote(alice_actor: Actor) -> None:
    # Sanitizing drops the script's lines; the error still names the line as typed.
    body = "<script>\n\n\n</script>\n<p>{{ job.salary }}</p>"

    with pytest.raises(TemplateSyntaxProblem) as caught:
        services.create_template(actor=alice_actor, data={**GOOD, "body": body})

    assert caught.value.message == "Line 5: unknown token job.salary"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": " "}, "name", "A name is 1 to 120 characters."),
        ({"name": "x" * 121}, "name", "A name is 1 to 120 characters."),
        ({"kind": "fax"}, "kind", "Kind is email or sms."),
        ({"subject": ""}, "subject", "An e-mail needs a subject."),
        ({"body": "  "}, "body", "Write the message."),
        ({"subject": "x" * 301}, "subject", "At most 300 characters."),
        ({"body": "<p>\x00</p>"}, "body", "Text cannot contain NUL characters."),
        ({"subject": "{% load x %}"}, "subject", "Line 1: {% load %} is not allowed in messages"),
        ({"text_body": "\n{{ sender.phone }}"}, "text_body", "Line 2: unknown token sender.phone"),
        ({"kind": "sms", "text_body": "Hi"}, "subject", "An SMS has only a text part."),
        ({"kind": "sms", "subject": "", "text_body": ""}, "body", "An SMS has only a text part."),
        (
            {"kind": "sms", "subject": "", "body": "", "text_body": ""},
            "text_body",
            "Write the message.",
        ),
        (
            {"kind": "sms", "subject": "", "body": "", "text_body": "x" * 1601},
            "text_body",
            "An SMS is at most 1,600 characters.",
        ),
    ],
)
def test_bad_input_names_the_field(
    alice_actor: Actor, data: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_template(actor=alice_actor, data={**GOOD, **data})

    assert (caught.value.field, caught.value.message) == (field, message)
    assert Template.objects.exists() is False


def test_names_are_unique_in_a_workspace_whatever_the_case(
    alice_actor: Actor, charlie_actor: Actor
) -> None:
    services.create_template(actor=alice_actor, data=GOOD)
    services.create_template(actor=charlie_actor, data=GOOD)  # another workspace may

    with pytest.raises(InvalidInput) as caught:
        services.create_template(actor=alice_actor, data={**GOOD, "name": "INTRO"})

    assert (caught.value.field, caught.value.message) == (
        "name",
        "A template named 'INTRO' exists already.",
    )
    assert Template.objects.count() == 2


def test_an_sms_template_keeps_only_its_text(bob_actor: Actor) -> None:
    template = services.create_template(
        actor=bob_actor,
        data={"name": "Nudge", "kind": "sms", "text_body": "\nHi {{ candidate.first_name }} \n"},
    )

    assert (template.subject, template.body, template.text_body) == (
        "",
        "",
        "Hi {{ candidate.first_name }}",
    )


def test_roles_without_outreach_may_not_write(auditor_member: User, manager_member: User) -> None:
    for user in (auditor_member, manager_member):
        with pytest.raises(Forbidden):
            services.create_template(actor=role_actor(user), data=GOOD)

    assert Template.objects.exists() is False


def test_a_template_may_include_a_snippet_that_exists(
    alice_actor: Actor, saved_snippet_factory: Callable[..., Snippet]
) -> None:
    with pytest.raises(TemplateSyntaxProblem) as caught:
        services.create_template(
            actor=alice_actor, data={**GOOD, "body": '{% snippet "signature" %}'}
        )
    assert caught.value.message == 'Line 1: unknown snippet "signature"'

    saved_snippet_factory()
    template = services.create_template(
        actor=alice_actor, data={**GOOD, "body": '<p>Hi</p>{% snippet "signature" %}'}
    )

    assert template.body == '<p>Hi</p>{% snippet "signature" %}'


# --- update and delete ----------------------------------------------------------------------


def test_updates_the_fields_given(bob_actor: Actor, saved_template: Template) -> None:
    before = saved_template.updated_at

    services.update_template(
        actor=bob_actor, template=saved_template, data={"subject": "New {{ job.title }}"}
    )

    stored = reloaded(saved_template)
    assert (stored.name, stored.subject, stored.body) == (
        "Intro",
        "New {{ job.title }}",
        INTRO_BODY,
    )
    assert stored.updated_at > before


def test_a_bad_update_changes_nothing(alice_actor: Actor, saved_template: Template) -> None:
    with pytest.raises(TemplateSyntaxProblem):
        services.update_template(
            actor=alice_actor,
            template=saved_template,
            data={"name": "Renamed", "body": "{% if job.title %}"},
        )

    assert reloaded(saved_template).name == "Intro"


def test_a_template_keeps_its_kind_and_its_name_stays_unique(
    alice_actor: Actor, saved_template_factory: Callable[..., Template]
) -> None:
    first, second = saved_template_factory(name="One"), saved_template_factory(name="Two")

    with pytest.raises(InvalidInput) as kind:
        services.update_template(actor=alice_actor, template=first, data={"kind": "sms"})
    with pytest.raises(InvalidInput) as name:
        services.update_template(actor=alice_actor, template=second, data={"name": "one"})

    assert (kind.value.field, name.value.field) == ("kind", "name")
    assert name.value.message == "A template named 'one' exists already."
    services.update_template(
        actor=alice_actor, template=first, data={"name": "ONE", "kind": "email"}
    )
    assert reloaded(first).name == "ONE"


def test_deletes_an_unused_template(alice_actor: Actor, saved_template: Template) -> None:
    services.delete_template(actor=alice_actor, template=saved_template)

    assert Template.objects.exists() is False


def test_a_template_in_use_cannot_be_deleted(alice_actor: Actor, saved_template: Template) -> None:
    sequence_using(saved_template, name="Backend outreach")
    campaign_using(saved_template, name="Autumn news")

    with pytest.raises(Conflict) as caught:
        services.delete_template(actor=alice_actor, template=saved_template)

    assert caught.value.field == "template"
    assert caught.value.message == (
        'This template is used by sequence "Backend outreach" (step 2), campaign "Autumn news" '
        "(drop 1): choose another template there first."
    )
    assert Template.objects.filter(pk=saved_template.pk).exists()


def test_an_auditor_may_not_delete(auditor_member: User, saved_template: Template) -> None:
    with pytest.raises(Forbidden):
        services.delete_template(actor=role_actor(auditor_member), template=saved_template)

    assert Template.objects.filter(pk=saved_template.pk).exists()


# --- preview --------------------------------------------------------------------------------


def test_previews_for_a_candidate_from_the_actor(
    bob_actor: Actor, saved_template: Template, candidate: Candidate
) -> None:
    rendered = services.preview(actor=bob_actor, template=saved_template, candidate=candidate)

    assert rendered.subject == "A role for you, Grace"
    assert rendered.text == "Hi Grace,\n\nYour work at US Navy caught my eye."
    assert "<p>Your work at US Navy caught my eye.</p>" in rendered.html


def test_previews_with_a_job_a_sender_and_the_marketing_footer(
    alice_actor: Actor,
    bob: User,
    candidate: Candidate,
    saved_template_factory: Callable[..., Template],
) -> None:
    job = Job.objects.create(workspace=alice_actor.workspace, title="Staff Engineer", city="Berlin")
    template = saved_template_factory(
        subject="{{ job.title }} in {{ job.location }}", body="<p>{{ sender.first_name }}</p>"
    )

    rendered = services.preview(
        actor=alice_actor,
        template=template,
        candidate=candidate,
        sender=bob,
        job=job,
        marketing=True,
    )

    assert rendered.subject == "Staff Engineer in Berlin"
    assert rendered.text.startswith("Bob\n\n-- \nYou are receiving this e-mail from Acme Talent.")
    assert f"Unsubscribe: {services.PREVIEW_UNSUBSCRIBE_URL}" in rendered.text


def test_previews_an_unsaved_draft_as_saving_would_clean_it(alice_actor: Actor) -> None:
    draft = Template(subject="Hi", body='<p onmouseover="x()">Hi {{ candidate.first_name }}</p>')

    rendered = services.preview(actor=alice_actor, template=draft, candidate=None)

    assert "<p>Hi Ada</p>" in rendered.html
    assert "onmouseover" not in rendered.html
    assert Template.objects.exists() is False


def test_preview_reports_the_drafts_problem(alice_actor: Actor) -> None:
    draft = Template(subject="Hi", body="<p>{{ candidate.middle_name }}</p>")

    with pytest.raises(TemplateSyntaxProblem) as caught:
        services.preview(actor=alice_actor, template=draft, candidate=None)

    assert caught.value.message == "Line 1: unknown token candidate.middle_name"


def test_a_hiring_manager_may_not_preview(manager_member: User, saved_template: Template) -> None:
    with pytest.raises(Forbidden):
        services.preview(actor=role_actor(manager_member), template=saved_template, candidate=None)


def test_compile_template_is_cached_until_the_content_or_snippets_change(
    saved_template: Template,
) -> None:
    first = services.compile_template(saved_template, snippets={})

    assert services.compile_template(saved_template, snippets={}) is first
    assert services.compile_template(saved_template, snippets={"a": "<p>x</p>"}) is not first
    saved_template.subject = "Changed"
    assert services.compile_template(saved_template, snippets={}) is not first


# --- snippets -------------------------------------------------------------------------------


def test_creates_a_sanitized_snippet(alice_actor: Actor) -> None:
    snippet = services.create_snippet(
        actor=alice_actor,
        data={
            "name": "signature",
            "body": '<p onclick="x()">{{ sender.full_name }}</p><script></script>',
        },
    )

    assert (reloaded(snippet).name, reloaded(snippet).body) == (
        "signature",
        "<p>{{ sender.full_name }}</p>",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "My Signature"},
            "name",
            "A snippet name is 1 to 60 lower-case letters, digits, - and _ (like signature).",
        ),
        ({"body": " "}, "body", "Write the snippet."),
        ({"body": "<p>\n{{ sender.phone }}</p>"}, "body", "Line 2: unknown token sender.phone"),
        (
            {"body": '{% snippet "other" %}'},
            "body",
            "Line 1: a snippet cannot include another snippet",
        ),
        ({"body": "{% include 'x' %}"}, "body", "Line 1: {% include %} is not allowed in messages"),
    ],
)
def test_bad_snippets_are_refused(
    alice_actor: Actor, data: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_snippet(
            actor=alice_actor, data={"name": "signature", "body": "<p>x</p>", **data}
        )

    assert (caught.value.field, caught.value.message) == (field, message)
    assert Snippet.objects.exists() is False


def test_snippet_names_are_unique(
    alice_actor: Actor, saved_snippet_factory: Callable[..., Snippet]
) -> None:
    saved_snippet_factory()

    with pytest.raises(InvalidInput) as caught:
        services.create_snippet(actor=alice_actor, data={"name": "signature", "body": "<p>x</p>"})

    assert caught.value.message == "A snippet named 'signature' exists already."


def test_a_snippet_in_use_keeps_its_name_and_cannot_be_deleted(
    alice_actor: Actor,
    saved_snippet_factory: Callable[..., Snippet],
    saved_template_factory: Callable[..., Template],
) -> None:
    snippet = saved_snippet_factory()
    saved_template_factory(name="Intro", body='<p>Hi</p>{% snippet "signature" %}')

    with pytest.raises(Conflict) as renamed:
        services.update_snippet(actor=alice_actor, snippet=snippet, data={"name": "sig"})
    with pytest.raises(Conflict) as deleted:
        services.delete_snippet(actor=alice_actor, snippet=snippet)

    assert (
        renamed.value.message == 'Templates "Intro" include this snippet, so it cannot be renamed.'
    )
    assert (
        deleted.value.message == 'Templates "Intro" include this snippet, so it cannot be deleted.'
    )
    assert reloaded(snippet).name == "signature"


def test_a_changed_snippet_changes_the_templates_that_include_it(
    alice_actor: Actor,
    saved_snippet_factory: Callable[..., Snippet],
    saved_template_factory: Callable[..., Template],
) -> None:
    snippet = saved_snippet_factory()
    template = saved_template_factory(body='<p>Hi</p>{% snippet "signature" %}')

    services.update_snippet(
        actor=alice_actor, snippet=snippet, data={"body": "<p>Cheers, {{ sender.first_name }}</p>"}
    )
    rendered = services.preview(actor=alice_actor, template=template, candidate=None)

    assert rendered.text == "Hi\n\nCheers, Alice"


def test_an_unused_snippet_may_be_renamed_and_deleted(
    alice_actor: Actor, saved_snippet_factory: Callable[..., Snippet]
) -> None:
    snippet = saved_snippet_factory()

    services.update_snippet(actor=alice_actor, snippet=snippet, data={"name": "sign-off"})
    assert reloaded(snippet).name == "sign-off"
    services.delete_snippet(actor=alice_actor, snippet=snippet)

    assert Snippet.objects.exists() is False
