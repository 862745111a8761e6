"""tracking.track_html: links through the click redirect, the pixel at the end, nothing else."""

from __future__ import annotations

import re

from talentloop.outreach import tracking
from talentloop.outreach.tracking import read_token

CLICK = re.compile(r"http://127\.0\.0\.1:8000/t/c/([0-9a-zA-Z_.-]+)")


def _targets(html: str) -> list[tuple[int, str]]:
    return [read_token(token, "click") for token in CLICK.findall(html)]


def test_routes_each_http_link_through_a_signed_redirect_to_its_exact_url() -> None:
    html = (
        '<p><a href="https://acme.test/jobs/1?utm=x&amp;team=a%20b">Job</a> and '
        "<a class='btn' href='http://acme.test/about'>About</a> and "
        "<A HREF=https://acme.test/bare>Bare</A></p>"
    )

    tracked = tracking.track_html(html, message_id=12, opens=False, clicks=True)

    assert _targets(tracked) == [
        (12, "https://acme.test/jobs/1?utm=x&team=a%20b"),  # the entity decoded, as clicked
        (12, "http://acme.test/about"),
        (12, "https://acme.test/bare"),
    ]
    assert ">Job</a>" in tracked and "class='btn' href='http://127.0.0.1:8000/t/c/" in tracked
    assert "acme.test/about'" not in tracked


def test_leaves_other_links_alone() -> None:
    unsubscribe = tracking.unsubscribe_url(12)
    html = (
        f'<a href="{unsubscribe}">Unsubscribe</a>'
        '<a href="mailto:alice@acme.test">Mail</a>'
        '<a href="tel:+14155552671">Call</a>'
        '<a href="#top">Top</a>'
        '<a href="/relative">Relative</a>'
        '<a name="anchor">No link</a>'
        '<a data-href="https://acme.test/x">Data</a>'
        '<link href="https://acme.test/style.css" rel="stylesheet">'
        '<abbr href="https://acme.test/no">abbr</abbr>'
        '<img src="https://acme.test/logo.png">'
    )

    assert tracking.track_html(html, message_id=12, opens=False, clicks=True) == html


def test_puts_the_pixel_before_the_end_of_the_body() -> None:
    html = "<html><body><p>Hi</p></BODY></html>"

    tracked = tracking.track_html(html, message_id=3, opens=True, clicks=True)

    pixel = tracking.open_pixel_url(3)
    assert tracked == (
        f'<html><body><p>Hi</p><img src="{pixel}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0"></BODY></html>'
    )


def test_appends_the_pixel_to_a_fragment() -> None:
    tracked = tracking.track_html("<p>Hi</p>", message_id=3, opens=True, clicks=False)

    assert tracked.startswith("<p>Hi</p><img src=")
    found = re.search(r"/t/o/([0-9a-z]+)\.gif", tracked)
    assert found is not None
    assert read_token(found.group(1), "open") == 3


def test_tracks_nothing_when_both_are_off() -> None:
    html = '<body><a href="https://acme.test/">x</a></body>'

    assert tracking.track_html(html, message_id=3, opens=False, clicks=False) == html


def test_a_link_that_is_too_long_to_record_stays_as_it_is() -> None:
    html = f'<a href="https://acme.test/{"a" * 2100}">long</a>'

    assert tracking.track_html(html, message_id=3, opens=False, clicks=True) == html
