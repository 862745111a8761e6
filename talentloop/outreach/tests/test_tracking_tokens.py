"""tracking.py's tokens: signed per purpose, short, and nothing but our own is accepted."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from talentloop.outreach import tracking
from talentloop.outreach.tracking import InvalidTrackingToken, make_token, read_token


@pytest.mark.parametrize("kind", ["open", "unsubscribe", "reply"])
def test_reads_back_the_message_of_each_kind(kind: Any) -> None:
    token = make_token(123456, kind)

    assert read_token(token, kind) == 123456
    assert token[:4] == "2n9c"  # 123456 in base 36
    assert len(token) == 4 + tracking.SIGNATURE_CHARS


def test_a_click_token_carries_and_signs_its_exact_url() -> None:
    url = "https://acme.test/jobs?team=backend&utm_source=mail#apply"
    token = make_token(42, "click", url)

    assert read_token(token, "click") == (42, url)


def test_tokens_stay_short_for_the_largest_ids() -> None:
    token = make_token(2**63 - 1, "unsubscribe")

    assert len(token) == 13 + 24
    assert read_token(token, "unsubscribe") == 2**63 - 1


@pytest.mark.parametrize(
    ("made_as", "read_as"),
    [("open", "unsubscribe"), ("open", "reply"), ("reply", "unsubscribe"), ("unsubscribe", "open")],
)
def test_a_token_of_one_purpose_is_refused_for_another(made_as: Any, read_as: Any) -> None:
    # The pixel's token is seen by every image proxy: it must never unsubscribe anyone.
    with pytest.raises(InvalidTrackingToken):
        read_token(make_token(7, made_as), read_as)


def test_refuses_another_messages_signature() -> None:
    mine, other = make_token(1000, "unsubscribe"), make_token(1001, "unsubscribe")
    forged = mine[: -tracking.SIGNATURE_CHARS] + other[-tracking.SIGNATURE_CHARS :]

    with pytest.raises(InvalidTrackingToken):
        read_token(forged, "unsubscribe")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        "2n9c",  # no signature
        "2n9c" + "a" * 20,  # a made-up signature
        "02n9c" + "a" * 20,  # a second spelling of the id
        "2N9C" + "A" * 20,
        "2n9c!" + "a" * 19,
        "x" * 200,
    ],
)
def test_refuses_malformed_tokens(bad: str) -> None:
    with pytest.raises(InvalidTrackingToken) as caught:
        read_token(bad, "open")

    assert caught.value.status == 404
    assert caught.value.code == "invalid_token"


def test_refuses_a_truncated_token() -> None:
    token = make_token(99, "open")

    for end in range(len(token)):
        with pytest.raises(InvalidTrackingToken):
            read_token(token[:end], "open")


def test_refuses_a_click_token_whose_url_was_swapped() -> None:
    token = make_token(5, "click", "https://acme.test/jobs")
    evil = base64.urlsafe_b64encode(b"https://evil.test/").rstrip(b"=").decode()
    swapped = token.partition(".")[0] + "." + evil

    with pytest.raises(InvalidTrackingToken):
        read_token(swapped, "click")
    with pytest.raises(InvalidTrackingToken):
        read_token(token.partition(".")[0], "click")  # no URL at all
    with pytest.raises(InvalidTrackingToken):
        read_token(token + "AA", "click")  # a URL with more on the end


def test_refuses_a_signed_url_that_is_not_http() -> None:
    # Even a token we signed ourselves never redirects to another scheme.
    token = make_token(5, "click", "javascript:alert(1)")

    with pytest.raises(InvalidTrackingToken):
        read_token(token, "click")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "mailto:a@b.test", "/relative", "https:///nohost", "ftp://x.test"],
)
def test_click_url_refuses_what_it_cannot_track(url: str) -> None:
    with pytest.raises(ValueError, match="only absolute http"):
        tracking.click_url(1, url)


def test_a_token_signed_with_another_key_is_refused_unless_it_is_a_fallback(
    settings: Any,
) -> None:
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    old = make_token(77, "unsubscribe")
    settings.SECRET_KEY = "the-new-key-" + "y" * 40

    with pytest.raises(InvalidTrackingToken):
        read_token(old, "unsubscribe")
    # Rotating the key keeps links in sent mail working while the old key is a fallback.
    settings.SECRET_KEY_FALLBACKS = ["the-old-key-" + "x" * 40]
    assert read_token(old, "unsubscribe") == 77


def test_links_are_absolute_on_the_site_url(settings: Any) -> None:
    settings.SITE_URL = "https://talent.acme.test/"

    assert tracking.open_pixel_url(10).startswith("https://talent.acme.test/t/o/a")
    assert tracking.open_pixel_url(10).endswith(".gif")
    assert tracking.unsubscribe_url(10).startswith("https://talent.acme.test/t/u/a")
    assert tracking.click_url(10, "https://x.test/").startswith("https://talent.acme.test/t/c/a")


def test_reply_address_needs_a_reply_domain(settings: Any) -> None:
    settings.TALENTLOOP_REPLY_DOMAIN = ""
    assert tracking.reply_address(31) is None

    settings.TALENTLOOP_REPLY_DOMAIN = "Replies.Acme.test"
    address = tracking.reply_address(31)

    assert address == f"reply+{make_token(31, 'reply')}@replies.acme.test"
    assert tracking.message_of_reply_address(address) == 31
    # Mail systems may change the case of the local part; the token survives it.
    assert tracking.message_of_reply_address(address.upper()) == 31
    assert tracking.message_of_reply_address(address.replace("acme", "evil")) is None
    assert tracking.message_of_reply_address(address.replace("reply+", "replay+")) is None
    unsubscribe_token = make_token(31, "unsubscribe")
    assert tracking.message_of_reply_address(f"reply+{unsubscribe_token}@replies.acme.test") is None


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    message_id=st.integers(min_value=1, max_value=2**63 - 1),
    position=st.integers(min_value=0),
    replacement=st.characters(codec="ascii"),
)
def test_any_one_character_change_is_refused(
    message_id: int, position: int, replacement: str
) -> None:
    token = make_token(message_id, "unsubscribe")
    index = position % len(token)
    tampered = token[:index] + replacement + token[index + 1 :]
    if tampered == token:
        return

    with pytest.raises(InvalidTrackingToken):
        read_token(tampered, "unsubscribe")


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    url=st.from_regex(r"https?://[a-z0-9.-]{1,30}\.test/[ -~]{0,60}", fullmatch=True).filter(
        lambda u: " " not in u
    ),
    other=st.from_regex(r"https?://[a-z0-9.-]{1,30}\.test/[!-~]{0,60}", fullmatch=True),
)
def test_a_click_token_accepts_only_its_own_url(url: str, other: str) -> None:
    token = make_token(9, "click", url)
    signed, _, _ = token.partition(".")
    swapped = signed + "." + base64.urlsafe_b64encode(other.encode()).rstrip(b"=").decode()

    assert read_token(token, "click") == (9, url)
    if other != url:
        with pytest.raises(InvalidTrackingToken):
            read_token(swapped, "click")
