"""The template list and editor (with its preview) and the snippet pages."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.outreach.models import Snippet, Template
from talentloop.outreach.tests.template_fixtures import *  # noqa: F403 - fixtures
from talentloop.outreach.tests.template_fixtures import (
    INTRO_BODY,
    TEST_URLS,
    reloaded,
    sequence_using,
)

pytestmark = pytest.mark.urls(TEST_URLS)

FORM = {
    "name": "First touch",
    "kind": "email",
    "subject": "Hi {{ candidate.first_name }}",
    "body": '<p>Hello {{ candidate.first_name|default:"there" }}</p>',
    "text_body": "",
}


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lists_templates_with_a_link_to_each(
    bob_client: Client, saved_template_factory: Callable[..., Template]
) -> None:
    template = saved_template_factory(name="Intro")

    response = bob_client.get(reverse("outreach_templates:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("outreach_templates:edit", args=[template.pk]) in body
    assert reverse("outreach_templates:create") in body


def test_the_list_page_costs_a_fixed_number_of_queries(
    alice_client: Client,
    saved_template_factory: Callable[..., Template],
    django_assert_num_queries: Any,
) -> None:
    for _ in range(5):
        saved_template_factory()
    alice_client.get(reverse("outreach_templates:list"))

    # session, user, membership, messages/nav, templates: the same for 5 or 50 templates
    with django_assert_num_queries(4):
        response = alice_client.get(reverse("outreach_templates:list"))

    assert len(response.context["templates"]) == 5


def test_creates_a_template_from_the_editor(alice_client: Client) -> None:
    response = alice_client.post(reverse("outreach_templates:create"), {**FORM, "action": "save"})

    template = Template.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach_templates:edit", args=[template.pk])
    assert template.body == FORM["body"]


def test_a_syntax_error_shows_on_its_field_with_the_line(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("outreach_templates:create"),
        {**FORM, "body": "<p>Hi</p>\n{{ candidate.frist_name }}", "action": "save"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["body"] == [
        "Line 2: unknown token candidate.frist_name. Did you mean candidate.first_name?"
    ]
    assert Template.objects.exists() is False


def test_preview_renders_the_draft_for_a_chosen_candidate_without_saving(
    alice_client: Client, candidate: Candidate
) -> None:
    response = alice_client.post(
        reverse("outreach_templates:create"),
        {**FORM, "candidate": str(candidate.pk), "action": "preview"},
    )

    assert response.status_code == 200
    assert response.context["rendered"].subject == "Hi Grace"
    body = response.content.decode()
    assert 'sandbox=""' in body
    assert html.escape("<p>Hello Grace</p>") in body  # inside srcdoc, escaped as an attribute
    assert Template.objects.exists() is False


def test_the_editor_shows_a_stored_template_and_its_preview(
    bob_client: Client, saved_template: Template
) -> None:
    response = bob_client.get(reverse("outreach_templates:edit", args=[saved_template.pk]))

    assert response.status_code == 200
    assert response.context["form"].initial["body"] == INTRO_BODY
    assert response.context["rendered"].subject == "A role for you, Ada"
    assert "outreach/template-editor.js" in response.content.decode()


def test_saves_changes_to_a_template(alice_client: Client, saved_template: Template) -> None:
    response = alice_client.post(
        reverse("outreach_templates:edit", args=[saved_template.pk]),
        {**FORM, "name": "Renamed", "action": "save"},
    )

    assert response.status_code == 302
    assert (reloaded(saved_template).name, reloaded(saved_template).subject) == (
        "Renamed",
        "Hi {{ candidate.first_name }}",
    )


def test_live_preview_answers_json(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.post(
        reverse("outreach_templates:preview_new"), {**FORM, "candidate": str(candidate.pk)}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["subject"], body["text"]) == ("Hi Grace", "Hello Grace")
    assert "<p>Hello Grace</p>" in body["html"]


def test_live_preview_reports_the_problem(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("outreach_templates:preview_new"), {**FORM, "subject": "{% load x %}"}
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": {"field": "subject", "message": "Line 1: {% load %} is not allowed in messages"}
    }


def test_preview_of_another_workspaces_candidate_is_a_404(
    alice_client: Client, charlie_candidate: Candidate, saved_template: Template
) -> None:
    for url in (
        reverse("outreach_templates:preview", args=[saved_template.pk]),
        reverse("outreach_templates:create"),
    ):
        response = alice_client.post(url, {**FORM, "candidate": str(charlie_candidate.pk)})
        assert response.status_code == 404


def test_another_workspaces_template_is_a_404(
    charlie_client: Client, saved_template: Template
) -> None:
    pk = saved_template.pk
    responses = [
        charlie_client.get(reverse("outreach_templates:edit", args=[pk])),
        charlie_client.post(
            reverse("outreach_templates:edit", args=[pk]), {**FORM, "action": "save"}
        ),
        charlie_client.post(reverse("outreach_templates:preview", args=[pk]), FORM),
        charlie_client.post(reverse("outreach_templates:delete", args=[pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert reloaded(saved_template).name == "Intro"


def test_an_auditor_sees_but_cannot_save(auditor_member: User, saved_template: Template) -> None:
    client = client_of(auditor_member)

    page = client.get(reverse("outreach_templates:edit", args=[saved_template.pk]))
    save = client.post(
        reverse("outreach_templates:edit", args=[saved_template.pk]),
        {**FORM, "name": "Mine", "action": "save"},
    )

    assert page.status_code == 200
    assert 'value="save"' not in page.content.decode()
    assert save.status_code == 403
    assert reloaded(saved_template).name == "Intro"


def test_a_hiring_manager_is_refused(manager_member: User) -> None:
    response = client_of(manager_member).get(reverse("outreach_templates:list"))

    assert response.status_code == 403


def test_deleting_a_template_in_use_explains_why(
    alice_client: Client, saved_template: Template
) -> None:
    sequence_using(saved_template, name="Backend outreach")

    response = alice_client.post(
        reverse("outreach_templates:delete", args=[saved_template.pk]), follow=True
    )

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        'This template is used by sequence "Backend outreach" (step 2): choose another template '
        "there first."
    ]
    assert Template.objects.filter(pk=saved_template.pk).exists()


def test_deletes_an_unused_template(alice_client: Client, saved_template: Template) -> None:
    response = alice_client.post(reverse("outreach_templates:delete", args=[saved_template.pk]))

    assert response.status_code == 302
    assert Template.objects.exists() is False


# --- snippets -------------------------------------------------------------------------------


def test_creates_and_lists_snippets(alice_client: Client) -> None:
    created = alice_client.post(
        reverse("outreach_templates:snippet_create"),
        {"name": "signature", "body": "<p>{{ sender.full_name }}</p>"},
    )
    listed = alice_client.get(reverse("outreach_templates:snippet_list"))

    assert created.status_code == 302
    snippet = Snippet.objects.get()
    assert reverse("outreach_templates:snippet_edit", args=[snippet.pk]) in listed.content.decode()


def test_a_bad_snippet_shows_its_error(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("outreach_templates:snippet_create"),
        {"name": "signature", "body": "<p>\n{{ sender.age }}</p>"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["body"] == ["Line 2: unknown token sender.age"]
    assert Snippet.objects.exists() is False


def test_the_snippet_page_names_the_templates_that_include_it(
    alice_client: Client,
    saved_snippet_factory: Callable[..., Snippet],
    saved_template_factory: Callable[..., Template],
) -> None:
    snippet = saved_snippet_factory()
    template = saved_template_factory(name="Intro", body='<p>Hi</p>{% snippet "signature" %}')

    page = alice_client.get(reverse("outreach_templates:snippet_edit", args=[snippet.pk]))
    deleted = alice_client.post(
        reverse("outreach_templates:snippet_delete", args=[snippet.pk]), follow=True
    )

    assert page.context["used_by"] == [template]
    assert [str(m) for m in deleted.context["messages"]] == [
        'Templates "Intro" include this snippet, so it cannot be deleted.'
    ]
    assert Snippet.objects.filter(pk=snippet.pk).exists()


def test_another_workspaces_snippet_is_a_404(
    charlie_client: Client, saved_snippet_factory: Callable[..., Snippet]
) -> None:
    snippet = saved_snippet_factory()

    page = charlie_client.get(reverse("outreach_templates:snippet_edit", args=[snippet.pk]))
    delete = charlie_client.post(reverse("outreach_templates:snippet_delete", args=[snippet.pk]))

    assert (page.status_code, delete.status_code) == (404, 404)
    assert Snippet.objects.filter(pk=snippet.pk).exists()
