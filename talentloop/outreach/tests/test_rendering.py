"""rendering.py: compiling, rendering, sanitizing and the text part (no database)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from talentloop.accounts.models import User, Workspace
from talentloop.candidates.models import Candidate
from talentloop.jobs.models import Job
from talentloop.outreach import rendering
from talentloop.outreach.rendering import (
    TemplateSyntaxProblem,
    compile_message,
    html_to_text,
    message_context,
    sanitize_html,
)


def context(**candidate: str) -> dict[str, Any]:
    values = rendering.sample_context()
    values["candidate"] = {**values["candidate"], **candidate}
    return values


def body_of(html: str) -> str:
    """The author's part of a rendered document (between the wrapper's cell and its end)."""
    start = html.index('class="tl-body"')
    start = html.index(">", start) + 1
    return html[start : html.index("\n</td></tr>\n</table>\n", start)].strip()


def problem(**parts: Any) -> TemplateSyntaxProblem:
    parts.setdefault("subject", "Hello")
    parts.setdefault("html", "<p>Hi</p>")
    with pytest.raises(TemplateSyntaxProblem) as caught:
        compile_message(**parts)
    return caught.value


# --- tokens and fallbacks -------------------------------------------------------------------


def test_renders_tokens_and_falls_back_when_a_value_is_missing() -> None:
    compiled = compile_message(
        subject='Hi {{ candidate.first_name|default:"there" }}',
        html='<p>Hello {{ candidate.first_name|default:"there" }} at {{ job.title }}!</p>',
    )

    named = compiled.render(context(first_name="Grace"))
    unnamed = compiled.render(context(first_name=""))

    assert (named.subject, body_of(named.html)) == (
        "Hi Grace",
        "<p>Hello Grace at Staff Engineer!</p>",
    )
    assert (unnamed.subject, body_of(unnamed.html)) == (
        "Hi there",
        "<p>Hello there at Staff Engineer!</p>",
    )


def test_a_token_without_a_value_renders_empty() -> None:
    compiled = compile_message(subject="x", html="<p>[{{ job.title }}]</p>")
    values = context()
    values["job"] = {}

    assert body_of(compiled.render(values).html) == "<p>[]</p>"


def test_candidate_values_are_escaped_in_html_but_not_in_subject_or_text() -> None:
    compiled = compile_message(
        subject="For {{ candidate.first_name }}", html="<p>{{ candidate.first_name }}</p>"
    )

    rendered = compiled.render(context(first_name='<img src=x onerror="alert(1)">'))

    assert body_of(rendered.html) == "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>"
    assert rendered.subject == 'For <img src=x onerror="alert(1)">'
    assert rendered.text == '<img src=x onerror="alert(1)">'


def test_a_literal_fallback_is_escaped_too() -> None:
    # Django marks quoted literals safe; a fallback must not smuggle markup past the sanitizer.
    compiled = compile_message(
        subject="x", html='<p>{{ job.title|default:"<script>x()</script>" }}</p>'
    )
    values = context()
    values["job"] = {}

    assert body_of(compiled.render(values).html) == "<p>&lt;script&gt;x()&lt;/script&gt;</p>"


def test_subject_is_one_line() -> None:
    compiled = compile_message(subject="Hi {{ candidate.first_name }}", html="<p>x</p>")

    assert (
        compiled.render(context(first_name="Ada\r\nBcc: x@evil.test")).subject
        == "Hi Ada Bcc: x@evil.test"
    )


def test_if_firstof_with_and_filters() -> None:
    html = (
        "{% if job.title %}<p>{{ job.title|upper }}</p>{% else %}<p>no job</p>{% endif %}"
        '<p>{% firstof candidate.headline candidate.current_title "friend" %}</p>'
        "{% with name=candidate.first_name %}<p>{{ name|lower }}</p>{% endwith %}"
        "{# a note #}{% comment %}hidden{% endcomment %}"
        "<p>{{ candidate.last_name|truncatechars:4 }}</p>"
    )
    compiled = compile_message(subject="x", html=html)

    rendered = compiled.render(
        context(headline="", current_title="Analyst", first_name="ADA", last_name="Lovelace")
    )

    assert body_of(rendered.html) == "<p>STAFF ENGINEER</p><p>Analyst</p><p>ada</p><p>Lov…</p>"


def test_fast_token_path_matches_djangos(monkeypatch: pytest.MonkeyPatch) -> None:
    subject = '{{ candidate.first_name|default:"you" }} & {{ job.title }}'
    html = (
        '<p>{{ candidate.first_name }} {{ candidate.last_name|default:"&" }} '
        '{{ job.department|default:"-" }}{% with n=candidate.city %}{{ n }}{% endwith %}'
        "{{ workspace.name }} {{ sender.email }}</p>"
        '<a href="{{ unsubscribe_url }}">Stop</a>'
    )
    values = context(first_name="O'Brien <b>", last_name="")
    values["sender"] = {}
    values["job"] = {"title": None}
    fast = compile_message(subject=subject, html=html).render(values, marketing=True)

    monkeypatch.setattr(rendering, "_speed_up", lambda nodelist: None)
    slow = compile_message(subject=subject, html=html).render(values, marketing=True)

    assert fast == slow
    assert "O&#x27;Brien &lt;b&gt; &amp;" in fast.html
    assert fast.subject == "O'Brien <b> & None"


def test_message_context_reads_loaded_objects() -> None:
    candidate = Candidate(
        first_name="Grace",
        last_name="Hopper",
        headline="Compiler pioneer",
        current_title="Rear Admiral",
        current_company="US Navy",
        city="Arlington",
        region="VA",
        country="US",
    )
    sender = User(email="bob@acme.test", full_name="Bob Recruiter")
    job = Job(title="Staff Engineer", department="Platform", city="Berlin", country="DE")

    values = message_context(
        candidate=candidate,
        sender=sender,
        job=job,
        workspace=Workspace(name="Acme Talent"),
        unsubscribe_url="https://t.test/u/1",
    )

    assert values == {
        "candidate": {
            "first_name": "Grace",
            "last_name": "Hopper",
            "full_name": "Grace Hopper",
            "headline": "Compiler pioneer",
            "current_title": "Rear Admiral",
            "current_company": "US Navy",
            "location": "Arlington, VA, US",
            "city": "Arlington",
        },
        "sender": {"first_name": "Bob", "full_name": "Bob Recruiter", "email": "bob@acme.test"},
        "job": {"title": "Staff Engineer", "department": "Platform", "location": "Berlin, DE"},
        "workspace": {"name": "Acme Talent"},
        "unsubscribe_url": "https://t.test/u/1",
        "preferences_url": "",
    }
    assert set(rendering.TOKENS) == {
        f"{group}.{name}"
        for group, names in values.items()
        if isinstance(names, dict)
        for name in names
    } | {"unsubscribe_url", "preferences_url"}


def test_message_context_without_sender_or_job() -> None:
    values = message_context(
        candidate=Candidate(first_name="Ada"), sender=None, job=None, workspace=Workspace(name="A")
    )
    compiled = compile_message(
        subject='{{ sender.first_name|default:"The team" }}', html="<p>{{ job.title }}</p>"
    )

    rendered = compiled.render(values)

    assert (rendered.subject, body_of(rendered.html)) == ("The team", "<p></p>")


# --- errors ---------------------------------------------------------------------------------


def test_unknown_token_names_its_line_and_a_likely_token() -> None:
    error = problem(html="<p>Hi</p>\n<p>\n{{ candidate.frist_name }}</p>")

    assert (error.field, error.line) == ("body", 3)
    assert (
        error.message
        == "Line 3: unknown token candidate.frist_name. Did you mean candidate.first_name?"
    )


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        ({"subject": "Hi {{ name }}"}, "subject", "Line 1: unknown token name"),
        ({"text": "Hi\n\n{{ job.salary }}"}, "text_body", "Line 3: unknown token job.salary"),
        (
            {"html": "{{ candidate }}"},
            "body",
            "Line 1: unknown token candidate: use one of its fields, such as candidate.first_name",
        ),
        (
            {"html": "<p>{% if candidate.first_name %}x</p>"},
            "body",
            "Line 1: {% if %} is not closed (add {% endif %})",
        ),
        (
            {"html": "{% if job.title %}{% endfor %}"},
            "body",
            "Line 1: unexpected {% endfor %} (expected elif, else or endif)",
        ),
        ({"html": "<p>\n{% blink %}</p>"}, "body", "Line 2: unknown tag {% blink %}"),
        ({"html": "{{ job.title|shout }}"}, "body", "Line 1: unknown filter |shout"),
        ({"html": "{{ }}"}, "body", "Line 1: Empty variable tag"),
        (
            {"html": "{% with n=candidate.city %}{{ m }}{% endwith %}"},
            "body",
            "Line 1: unknown token m",
        ),
        (
            {"html": "{{ job.title|default:candidate.nope }}"},
            "body",
            "Line 1: unknown token candidate.nope",
        ),
        (
            {"html": "{% if candidate.secret == 1 %}{% endif %}"},
            "body",
            "Line 1: unknown token candidate.secret",
        ),
    ],
)
def test_bad_templates_are_refused_at_compile_time(
    parts: dict[str, str], field: str, message: str
) -> None:
    error = problem(**parts)

    assert (error.field, error.message) == (field, message)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% load static %}", "Line 1: {% load %} is not allowed in messages"),
        ("{% include 'base.html' %}", "Line 1: {% include %} is not allowed in messages"),
        ("{% extends 'base.html' %}", "Line 1: {% extends %} is not allowed in messages"),
        ("{% debug %}", "Line 1: {% debug %} is not allowed in messages"),
        ("{% ssi '/etc/passwd' %}", "Line 1: {% ssi %} is not allowed in messages"),
        (
            "{% autoescape off %}{% endautoescape %}",
            "Line 1: {% autoescape %} is not allowed in messages",
        ),
        (
            "{% for c in candidate.first_name %}{% endfor %}",
            "Line 1: {% for %} is not allowed in messages",
        ),
        ("{% url 'core:home' %}", "Line 1: {% url %} is not allowed in messages"),
        ("{{ candidate.first_name|safe }}", "Line 1: the filter |safe is not allowed in messages"),
        (
            "{{ candidate.first_name|ljust:'99999999' }}",
            "Line 1: the filter |ljust is not allowed in messages",
        ),
        ("{% now 'Y' as year %}", "Line 1: {% now … as … %} is not supported in messages"),
        ('{% now "\\<\\b\\>" %}', "Line 1: a {% now %} format cannot contain < > & or quotes"),
        (
            "{% firstof job.title as t %}",
            "Line 1: {% firstof … as … %} is not supported in messages",
        ),
    ],
)
def test_forbidden_tags_and_filters(source: str, message: str) -> None:
    assert problem(html=source).message == message


def test_an_sms_needs_text_and_ignores_html() -> None:
    assert problem(subject="", html="", text="", kind="sms").message == "An SMS needs its text."

    compiled = compile_message(
        subject="", html="", text="Hi {{ candidate.first_name }}", kind="sms"
    )

    assert compiled.render(context(first_name="Ada")) == rendering.Rendered("", "", "Hi Ada")


def test_source_size_is_bounded() -> None:
    error = problem(html="x" * (rendering.MAX_SOURCE + 1))

    assert (error.field, error.message) == ("body", "At most 200,000 characters.")


# --- snippets -------------------------------------------------------------------------------

SIGNATURE = (
    '<p>Best,<br>{{ sender.full_name }}<br><a href="mailto:{{ sender.email }}">Write to me</a></p>'
)


def test_snippets_render_in_place_as_html_and_as_text() -> None:
    compiled = compile_message(
        subject="x", html='<p>Hi</p>\n{% snippet "signature" %}', snippets={"signature": SIGNATURE}
    )

    rendered = compiled.render(context())

    assert body_of(rendered.html) == (
        '<p>Hi</p>\n<p>Best,<br>Sam Sender<br><a href="mailto:sam@example.com">Write to me</a></p>'
    )
    assert rendered.text == "Hi\n\nBest,\nSam Sender\nWrite to me (sam@example.com)"
    assert "sender.email" in compiled.tokens


@pytest.mark.parametrize(
    ("source", "snippets", "message"),
    [
        ('<p>\n{% snippet "footer" %}</p>', {}, 'Line 2: unknown snippet "footer"'),
        (
            "{% snippet signature %}",
            {},
            'Line 1: write {% snippet "name" %} with the name in quotes',
        ),
        (
            '{% snippet "a" %}',
            {"a": '{% snippet "b" %}', "b": "x"},
            'Line 1: in snippet "a", line 1: a snippet cannot include another snippet',
        ),
        (
            '{% snippet "a" %}',
            {"a": "<p>ok</p>\n{{ candidate.age }}"},
            'Line 1: in snippet "a", line 2: unknown token candidate.age',
        ),
        (
            '{% snippet "a" %}',
            {"a": "{% load x %}"},
            'Line 1: in snippet "a", line 1: {% load %} is not allowed in messages',
        ),
    ],
)
def test_snippet_problems(source: str, snippets: dict[str, str], message: str) -> None:
    assert problem(html=source, snippets=snippets).message == message


def test_check_snippet_reports_its_own_lines() -> None:
    assert rendering.check_snippet("<p>{{ sender.full_name }}</p>") == frozenset(
        {"sender.full_name"}
    )
    with pytest.raises(TemplateSyntaxProblem) as caught:
        rendering.check_snippet("<p>\n\n{{ sender.phone }}</p>")

    assert (caught.value.field, caught.value.message) == (
        "body",
        "Line 3: unknown token sender.phone",
    )


def test_blocks_nested_too_deep_are_a_problem_not_a_crash() -> None:
    # Django's template parser recursed once per open block: 600 ran it out of stack.
    deep = "{% with a=1 %}" * 600 + "x" + "{% endwith %}" * 600
    fifty = "{% if candidate.city %}" * 50 + "x" + "{% endif %}" * 50

    assert (problem(html=deep).field, problem(html=deep).message) == (
        "body",
        "Blocks nest at most 50 deep.",
    )
    with pytest.raises(TemplateSyntaxProblem, match="at most 50 deep"):
        rendering.check_snippet(deep)
    assert "x" in compile_message(subject="Hi", html=fifty).render(context()).html


def test_snippet_names_finds_inclusions() -> None:
    assert rendering.snippet_names("{% snippet \"a\" %} {%snippet 'b-2'%}", "{% snippet c %}") == {
        "a",
        "b-2",
    }


# --- sanitizing -----------------------------------------------------------------------------


def test_sanitize_strips_scripts_handlers_and_javascript_links() -> None:
    dirty = (
        '<h1 onclick="steal()">Hi {{ candidate.first_name|default:"there" }}</h1>'
        "<script>alert(1)</script><style>p{}</style>"
        '<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:alert(1)">b</a>'
        '<a href="/relative">c</a><a href="data:text/html,x">d</a>'
        '<iframe src="https://evil.test"></iframe><form action="https://evil.test"><input></form>'
        "<!-- a comment -->"
    )

    assert sanitize_html(dirty) == (
        '<h1>Hi {{ candidate.first_name|default:"there" }}</h1><a>a</a><a>b</a><a>c</a><a>d</a>'
    )


def test_sanitize_keeps_formatting_links_https_images_and_tables() -> None:
    clean = (
        '<p style="color:#333;text-align:center">A <b>bold</b> <i>move</i> &amp; '
        '<a href="https://jobs.example.com/1?ref=mail&amp;x=1" title="Job">link</a> '
        '<a href="mailto:bob@acme.test">mail</a> <a href="tel:+4930123">call</a></p>'
        '<img src="https://cdn.example.com/logo.png" alt="Logo" width="120">'
        '<table role="presentation" width="100%" cellpadding="0"><tbody><tr>'
        '<td align="center" valign="top">Cell</td></tr></tbody></table>'
        '<ul><li>one</li></ul><ol start="3"><li>three</li></ol><blockquote>q</blockquote><hr>'
    )

    assert sanitize_html(clean) == clean


def test_sanitize_drops_insecure_images_and_risky_css() -> None:
    dirty = (
        '<img src="http://cdn.example.com/a.png" alt="a"><img src="//cdn.example.com/b.png">'
        '<p style="background:url(https://t.test/pixel); color: red; position: fixed">x</p>'
        '<p style="width: expression(alert(1))">y</p>'
    )

    assert sanitize_html(dirty) == '<img alt="a"><img><p style="color:red">x</p><p>y</p>'


def test_links_may_start_only_with_an_author_written_host_or_a_link_token() -> None:
    dirty = (
        '<a href="{{ unsubscribe_url }}">ok</a>'
        '<a href="https://jobs.example.com/{{ candidate.first_name|urlencode }}">ok</a>'
        '<a href="{{ candidate.headline }}">no</a>'
        '<a href="https://{{ candidate.headline }}">no</a>'
        '<a href="javascript{{ candidate.first_name }}:alert(1)">no</a>'
        '<p style="color: {{ candidate.headline }}">no style</p>'
    )

    assert sanitize_html(dirty) == (
        '<a href="{{ unsubscribe_url }}">ok</a>'
        '<a href="https://jobs.example.com/{{ candidate.first_name|urlencode }}">ok</a>'
        "<a>no</a><a>no</a><a>no</a><p>no style</p>"
    )


def test_template_tokens_survive_sanitizing_unchanged() -> None:
    source = (
        '{% if job.title %}<p title="{{ job.title|default:"a & b" }}">'
        "{{ job.title }} &amp; more</p>"
        "{% else %}<p>{% firstof candidate.headline 'x < y' %}</p>{% endif %}"
    )

    assert sanitize_html(source) == source


def test_a_block_tag_between_table_rows_is_an_error_with_its_line() -> None:
    source = (
        "<p>Hi</p>\n<table>\n{% if job.title %}<tr><td>{{ job.title }}</td></tr>{% endif %}\n"
        "</table>"
    )

    with pytest.raises(TemplateSyntaxProblem) as caught:
        sanitize_html(source)

    assert caught.value.field == "body"
    assert caught.value.message.startswith(
        "Line 3: {% if job.title %} sits where HTML cannot keep it"
    )


def test_a_block_tag_inside_a_cell_is_fine() -> None:
    source = (
        "<table><tbody><tr><td>{% if job.title %}{{ job.title }}{% endif %}</td></tr></tbody>"
        "</table>"
    )

    assert sanitize_html(source) == source


def test_markup_built_from_tokens_cannot_form_a_tag() -> None:
    cleaned = sanitize_html("<scr{{ job.title }}ipt>alert(1)</script><{{ job.title }}script>")
    values = context()
    values["job"] = {"title": ""}

    html = compile_message(subject="x", html=cleaned).render(values).html

    assert "<script" not in cleaned.lower()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html


def test_a_block_tag_inside_a_tag_name_is_an_error() -> None:
    with pytest.raises(TemplateSyntaxProblem) as caught:
        sanitize_html("<p>x</p>\n<scr{% if job.title %}{% endif %}ipt>alert(1)</script>")

    assert caught.value.message.startswith("Line 2: {% if job.title %} sits where HTML")


# --- the document and the text part ---------------------------------------------------------


def test_the_document_is_a_responsive_single_column() -> None:
    rendered = compile_message(subject="Hi <you>", html="<p>Body</p>").render(context())

    assert rendered.html.startswith("<!DOCTYPE html>\n<html")
    assert "<title>Hi &lt;you&gt;</title>" in rendered.html
    assert 'name="viewport"' in rendered.html
    assert "max-width:600px;width:100%" in rendered.html
    assert '<!--[if mso]><table role="presentation" width="600"' in rendered.html
    assert "<p>Body</p>" in rendered.html
    assert rendered.html.rstrip().endswith("</html>")


def test_text_part_is_made_from_the_html() -> None:
    html = (
        "<h1>Hello {{ candidate.first_name }}</h1>"
        '<p>We build <b>engines</b>.\n   Read   <a href="https://example.com/jobs/1">the role</a>'
        ' or <a href="https://example.com">https://example.com</a>.</p>'
        "<ul><li>Remote</li><li>Four days<ul><li>or five</li></ul></li></ul>"
        "<ol><li>Call</li><li>Offer</li></ol>"
        '<p>Line one<br>Line two</p><img src="https://x.test/a.png" alt="Our team">'
        "<table><tr><td>Salary</td><td>Good</td></tr><tr><td>Place</td><td>Berlin</td></tr></table>"
        "<hr><p>Bye &amp; thanks</p>"
    )

    text = compile_message(subject="x", html=html).render(context(first_name="Ada")).text

    assert text == (
        "Hello Ada\n\n"
        "We build engines. Read the role (https://example.com/jobs/1) or https://example.com.\n\n"
        "- Remote\n- Four days\n  - or five\n\n"
        "1. Call\n2. Offer\n\n"
        "Line one\nLine two\n\nOur team\n\n"
        "Salary Good\nPlace Berlin\n\n----\n\nBye & thanks"
    )


def test_text_part_of_conditional_html_has_no_runs_of_blank_lines() -> None:
    html = "<p>A</p>\n{% if job.title %}\n<p>{{ job.title }}</p>\n{% endif %}\n<p>B</p>"
    compiled = compile_message(subject="x", html=html)
    values = context()

    with_job = compiled.render(values).text
    values["job"] = {}
    without_job = compiled.render(values).text

    assert (with_job, without_job) == ("A\n\nStaff Engineer\n\nB", "A\n\nB")


def test_an_authored_text_part_is_used_as_it_is() -> None:
    compiled = compile_message(
        subject="x", html="<p>HTML</p>", text="Plain {{ candidate.first_name }} <b>"
    )

    assert compiled.render(context(first_name="Ada & co")).text == "Plain Ada & co <b>"


def test_html_to_text_skips_head_and_hidden_parts() -> None:
    assert (
        html_to_text(
            "<html><head><title>T</title><style>p{}</style></head><body><p>Hi</p></body></html>"
        )
        == "Hi"
    )


# --- the unsubscribe footer -----------------------------------------------------------------


def test_marketing_messages_get_an_unsubscribe_footer() -> None:
    compiled = compile_message(subject="News", html="<p>News</p>")

    rendered = compiled.render(context(), marketing=True)

    assert (
        '<a href="https://example.com/unsubscribe" '
        'style="color:#5f6b7a;text-decoration:underline;">Unsubscribe</a>' in rendered.html
    )
    assert "You are receiving this e-mail from Example Talent." in rendered.html
    assert rendered.text == (
        "News\n\n-- \nYou are receiving this e-mail from Example Talent.\n"
        "Unsubscribe: https://example.com/unsubscribe\n"
        "E-mail preferences: https://example.com/preferences"
    )


def test_no_footer_for_recruiting_messages_or_bodies_with_their_own_link() -> None:
    plain = compile_message(subject="x", html="<p>Hi</p>")
    own = compile_message(subject="x", html='<p><a href="{{ unsubscribe_url }}">Stop these</a></p>')

    recruiting = plain.render(context())
    marketing = own.render(context(), marketing=True)

    assert "Unsubscribe" not in recruiting.html and "Unsubscribe" not in recruiting.text
    assert "Unsubscribe</a>" not in marketing.html
    assert marketing.text == "Stop these (https://example.com/unsubscribe)"


def test_an_authored_text_without_the_link_gets_the_text_footer_only() -> None:
    compiled = compile_message(
        subject="x", html='<p><a href="{{ unsubscribe_url }}">Stop</a></p>', text="Plain news"
    )

    rendered = compiled.render(context(), marketing=True)

    assert "Unsubscribe</a>" not in rendered.html
    assert rendered.text.startswith("Plain news\n\n-- \n")
    assert "Unsubscribe: https://example.com/unsubscribe" in rendered.text


def test_no_footer_without_an_unsubscribe_url() -> None:
    values = context()
    values["unsubscribe_url"] = ""

    rendered = compile_message(subject="x", html="<p>Hi</p>").render(values, marketing=True)

    assert "Unsubscribe" not in rendered.html


# --- speed ----------------------------------------------------------------------------------

TYPICAL = (
    '<p>Hi {{ candidate.first_name|default:"there" }},</p>\n'
    "<p>I came across your profile: {{ candidate.current_title }} at "
    "{{ candidate.current_company }}"
    ' is exactly the background our {{ job.title }} role in {{ job.location|default:"Berlin" }}'
    " needs. We are a small team shipping the engines behind {{ workspace.name }}, and the role"
    " owns the send pipeline end to end.</p>\n"
    "<ul><li>Remote-friendly, with a team week every quarter</li><li>Four-day weeks on request</li>"
    "<li>A real budget for learning and conferences</li></ul>\n"
    '<p>Would you be open to a short call next week? <a href="https://jobs.example.com/staff">'
    "Read the role</a> or reply to this e-mail.</p>\n"
    "{% if candidate.headline %}<p>PS: I liked your headline, {{ candidate.headline }}.</p>"
    "{% endif %}\n"
    "<p>Best,<br>{{ sender.full_name }}<br>{{ sender.email }}</p>\n"
    "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco.</p>"
)


def test_rendering_is_fast_after_compiling_once() -> None:
    assert 1000 <= len(TYPICAL) <= 2000
    compiled = compile_message(
        subject="{{ candidate.first_name }}, a role at {{ workspace.name }}", html=TYPICAL
    )
    values = context()
    compiled.render(values)

    runs = 500
    started = time.perf_counter()
    for _ in range(runs):
        compiled.render(values, marketing=True)
    per_render = (time.perf_counter() - started) / runs

    # ~60 µs on the 2-core dev machine; a generous bound so a busy CI box does not flake.
    assert per_render < 0.001
