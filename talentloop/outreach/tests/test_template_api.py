"""/api/v1/outreach/templates, /snippets and /tokens."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.tests.api_helpers import (
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    bearer,
    call,
    error,
)
from talentloop.outreach import rendering
from talentloop.outreach.models import Snippet, Template
from talentloop.outreach.tests.template_fixtures import *  # noqa: F403 - fixtures
from talentloop.outreach.tests.template_fixtures import (
    INTRO_BODY,
    TEST_URLS,
    sequence_using,
)

pytestmark = pytest.mark.urls(TEST_URLS)

NEW = {
    "name": "First touch",
    "subject": 'Hi {{ candidate.first_name|default:"there" }}',
    "body": "<p>Hello {{ candidate.first_name }}</p><script>x()</script>",
}
NO_SUCH_TEMPLATE = error("not_found", "No such template.")
NO_SUCH_SNIPPET = error("not_found", "No such snippet.")


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- templates ------------------------------------------------------------------------------


def test_creates_a_template(alice_client: Client, alice: User) -> None:
    response = call(alice_client, "post", "/outreach/templates", NEW)

    assert response.status_code == 201
    body = response.json()
    template = Template.objects.get()
    assert body == {
        "id": template.pk,
        "name": "First touch",
        "kind": "email",
        "subject": 'Hi {{ candidate.first_name|default:"there" }}',
        "body": "<p>Hello {{ candidate.first_name }}</p>",
        "text_body": "",
        "created_by_id": alice.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_a_syntax_error_is_a_422_naming_the_field_and_line(alice_client: Client) -> None:
    assert_refused(
        alice_client,
        "post",
        "/outreach/templates",
        {**NEW, "body": "<p>Hi</p>\n<p>{% if job.title %}x</p>"},
        status=422,
        body=error("invalid", "Line 2: {% if %} is not closed (add {% endif %})", "body"),
    )
    assert_refused(
        alice_client,
        "post",
        "/outreach/templates",
        {**NEW, "subject": "Hi {{ candidate.email }}"},
        status=422,
        body=error("invalid", "Line 1: unknown token candidate.email", "subject"),
    )


def test_schema_errors_name_the_field(alice_client: Client) -> None:
    response = call(alice_client, "post", "/outreach/templates", {**NEW, "colour": "red"})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "colour"


def test_lists_templates_by_name(
    bob_client: Client, saved_template_factory: Callable[..., Template], charlie_actor: Any
) -> None:
    saved_template_factory(name="Beta")
    saved_template_factory(name="Alpha")
    saved_template_factory(name="Nudge", kind="sms")
    saved_template_factory(actor=charlie_actor, name="Theirs")

    everything = call(bob_client, "get", "/outreach/templates").json()
    sms = call(bob_client, "get", "/outreach/templates?kind=sms").json()

    assert [t["name"] for t in everything] == ["Alpha", "Beta", "Nudge"]
    assert [t["name"] for t in sms] == ["Nudge"]
    assert_refused(
        bob_client,
        "get",
        "/outreach/templates?kind=fax",
        status=422,
        body=error("invalid", "Kind is email or sms.", "kind"),
    )


def test_listing_templates_costs_a_fixed_number_of_queries(
    alice_client: Client,
    saved_template_factory: Callable[..., Template],
    django_assert_num_queries: Any,
) -> None:
    for _ in range(5):
        saved_template_factory()

    # session, user, membership (auth) + the templates
    with django_assert_num_queries(4):
        response = call(alice_client, "get", "/outreach/templates")

    assert len(response.json()) == 5


def test_updates_and_deletes_a_template(alice_client: Client, saved_template: Template) -> None:
    path = f"/outreach/templates/{saved_template.pk}"

    patched = call(alice_client, "patch", path, {"subject": "New {{ job.title }}"})
    deleted = call(alice_client, "delete", path)

    assert patched.status_code == 200
    assert (patched.json()["subject"], patched.json()["body"]) == (
        "New {{ job.title }}",
        INTRO_BODY,
    )
    assert deleted.status_code == 204
    assert Template.objects.exists() is False


def test_a_template_in_use_is_a_409_naming_where(
    alice_client: Client, saved_template: Template
) -> None:
    sequence_using(saved_template, name="Backend outreach")

    assert_refused(
        alice_client,
        "delete",
        f"/outreach/templates/{saved_template.pk}",
        status=409,
        body=error(
            "conflict",
            'This template is used by sequence "Backend outreach" (step 2): choose another '
            "template there first.",
            "template",
        ),
    )


def test_another_workspaces_template_looks_missing(
    charlie_client: Client, saved_template: Template
) -> None:
    for method, suffix, data in [
        ("get", "", None),
        ("patch", "", {"name": "Mine"}),
        ("delete", "", None),
        ("post", "/preview", {}),
    ]:
        assert_like_missing(
            partial(
                call,
                charlie_client,
                method,
                f"/outreach/templates/{saved_template.pk}{suffix}",
                data,
            ),
            partial(
                call, charlie_client, method, f"/outreach/templates/{MISSING_ID}{suffix}", data
            ),
            body=NO_SUCH_TEMPLATE,
        )


def test_an_auditor_reads_but_may_not_write(auditor_member: User, saved_template: Template) -> None:
    client = client_of(auditor_member)

    assert call(client, "get", f"/outreach/templates/{saved_template.pk}").status_code == 200
    assert_refused(
        client,
        "patch",
        f"/outreach/templates/{saved_template.pk}",
        {"name": "Mine"},
        status=403,
        body=error("forbidden", "Your role does not allow outreach."),
    )
    assert_refused(
        client,
        "post",
        "/outreach/templates",
        NEW,
        status=403,
        body=error("forbidden", "Your role does not allow outreach."),
    )


def test_a_read_key_may_list_but_not_create(
    client: Client, api_key_factory: Callable[..., str], saved_template: Template
) -> None:
    read = bearer(api_key_factory("read"))

    assert call(client, "get", "/outreach/templates", headers=read).status_code == 200
    assert_refused(
        client,
        "post",
        "/outreach/templates",
        NEW,
        headers=read,
        status=403,
        body=error("read_only_key", "This API key is read-only."),
    )


# --- preview --------------------------------------------------------------------------------


def test_previews_a_stored_template_for_a_candidate(
    bob_client: Client, saved_template: Template, candidate: Candidate
) -> None:
    response = call(
        bob_client,
        "post",
        f"/outreach/templates/{saved_template.pk}/preview",
        {"candidate_id": candidate.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "A role for you, Grace"
    assert body["text"] == "Hi Grace,\n\nYour work at US Navy caught my eye."
    assert body["html"].startswith("<!DOCTYPE html>")


def test_previews_a_draft_with_the_marketing_footer(bob_client: Client) -> None:
    response = call(
        bob_client,
        "post",
        "/outreach/templates/preview",
        {"subject": "News", "body": "<p>Hi {{ candidate.first_name }}</p>", "marketing": True},
    )

    assert response.status_code == 200
    assert response.json()["text"] == (
        "Hi Ada\n\n-- \nYou are receiving this e-mail from Acme Talent.\n"
        "Unsubscribe: https://unsubscribe.invalid/preview\n"
        "E-mail preferences: https://preferences.invalid/preview"
    )
    assert Template.objects.exists() is False


def test_a_drafts_problem_is_a_422(bob_client: Client) -> None:
    assert_refused(
        bob_client,
        "post",
        "/outreach/templates/preview",
        {"subject": "x", "body": "<p>\n\n{{ job.pay }}</p>"},
        status=422,
        body=error("invalid", "Line 3: unknown token job.pay", "body"),
    )
    assert_refused(
        bob_client,
        "post",
        "/outreach/templates/preview",
        {"kind": "fax", "subject": "x", "body": "<p>x</p>"},
        status=422,
        body=error("invalid", "Kind is email or sms.", "kind"),
    )


def test_preview_for_another_workspaces_candidate_or_job_looks_missing(
    alice_client: Client, saved_template: Template, charlie_candidate: Candidate
) -> None:
    path = f"/outreach/templates/{saved_template.pk}/preview"

    assert_like_missing(
        partial(call, alice_client, "post", path, {"candidate_id": charlie_candidate.pk}),
        partial(call, alice_client, "post", path, {"candidate_id": MISSING_ID}),
        body=error("not_found", "No such candidate."),
    )
    assert_refused(
        alice_client,
        "post",
        path,
        {"job_id": MISSING_ID},
        status=404,
        body=error("not_found", "No such job."),
    )


def test_lists_the_tokens(bob_client: Client) -> None:
    response = call(bob_client, "get", "/outreach/tokens")

    assert response.status_code == 200
    tokens = response.json()
    assert [t["token"] for t in tokens] == list(rendering.TOKENS)
    assert tokens[0] == {
        "token": "candidate.first_name",
        "description": "The candidate's first name",
        "insert": '{{ candidate.first_name|default:"there" }}',
    }


# --- snippets -------------------------------------------------------------------------------


def test_snippet_crud(alice_client: Client) -> None:
    created = call(
        alice_client,
        "post",
        "/outreach/snippets",
        {"name": "signature", "body": "<p>{{ sender.full_name }}</p>"},
    )
    snippet_id = created.json()["id"]
    listed = call(alice_client, "get", "/outreach/snippets")
    patched = call(
        alice_client, "patch", f"/outreach/snippets/{snippet_id}", {"body": "<p>Bye</p>"}
    )
    fetched = call(alice_client, "get", f"/outreach/snippets/{snippet_id}")
    deleted = call(alice_client, "delete", f"/outreach/snippets/{snippet_id}")

    assert created.status_code == 201
    assert [s["name"] for s in listed.json()] == ["signature"]
    assert patched.json()["body"] == "<p>Bye</p>"
    assert fetched.json()["body"] == "<p>Bye</p>"
    assert deleted.status_code == 204
    assert Snippet.objects.exists() is False


def test_bad_snippets_and_used_snippets_are_refused(
    alice_client: Client,
    saved_snippet_factory: Callable[..., Snippet],
    saved_template_factory: Callable[..., Template],
) -> None:
    snippet = saved_snippet_factory()
    saved_template_factory(name="Intro", body='<p>Hi</p>{% snippet "signature" %}')

    assert_refused(
        alice_client,
        "post",
        "/outreach/snippets",
        {"name": "footer", "body": "<p>{{ sender.age }}</p>"},
        status=422,
        body=error("invalid", "Line 1: unknown token sender.age", "body"),
    )
    assert_refused(
        alice_client,
        "delete",
        f"/outreach/snippets/{snippet.pk}",
        status=409,
        body=error(
            "conflict",
            'Templates "Intro" include this snippet, so it cannot be deleted.',
            "snippet",
        ),
    )


def test_another_workspaces_snippet_looks_missing(
    charlie_client: Client, saved_snippet_factory: Callable[..., Snippet]
) -> None:
    snippet = saved_snippet_factory()

    for method, data in [("get", None), ("patch", {"body": "<p>x</p>"}), ("delete", None)]:
        assert_like_missing(
            partial(call, charlie_client, method, f"/outreach/snippets/{snippet.pk}", data),
            partial(call, charlie_client, method, f"/outreach/snippets/{MISSING_ID}", data),
            body=NO_SUCH_SNIPPET,
        )
