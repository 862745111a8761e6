"""inbound.parse_inbound and the reply text: what a mail is, what it answers, what it says.

Pure reading, no database: the fixture messages are written here as MTAs and mail clients
write them (Postfix and Exchange DSNs, an ARF report, Gmail, Outlook and Apple Mail replies).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from talentloop.outreach import inbound
from talentloop.outreach.tests.tracking_fixtures import make_mail
from talentloop.outreach.tracking import make_token


def _dsn(
    status: str = "5.1.1",
    action: str = "failed",
    diagnostic: str = "smtp; 550 5.1.1 <grace@navy.test>: Recipient address rejected",
    original: str = "message/rfc822",
    to: str = "alice@acme.test",
) -> bytes:
    """A Postfix-style delivery status notification (RFC 3464)."""
    headers = (
        "From: Alice Admin <alice@acme.test>\r\n"
        "To: Grace Hopper <grace@navy.test>\r\n"
        "Subject: Spring roles at Acme\r\n"
        "Message-ID: <e12.0.abcdef0123456789@talentloop.test>\r\n"
        "Reply-To: reply+bogus@replies.acme.test\r\n"
    )
    body = "\r\nHello Grace\r\n" if original == "message/rfc822" else ""
    return (
        "From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <20260302090000.1A2B3C@mx.acme.test>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.acme.test\r\n"
        "Arrival-Date: Mon, 2 Mar 2026 09:00:00 +0000\r\n"
        "\r\n"
        "Final-Recipient: rfc822; Grace@Navy.test\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n"
        "\r\n"
        "--B\r\n"
        f"Content-Type: {original}\r\n\r\n"
        f"{headers}{body}"
        "--B--\r\n"
    ).encode()


def test_reads_a_hard_bounce() -> None:
    parsed = inbound.parse_inbound(_dsn())

    assert parsed.kind == "bounce"
    assert parsed.bounce == {
        "kind": "hard",
        "status": "5.1.1",
        "action": "failed",
        "diagnostic": "smtp; 550 5.1.1 <grace@navy.test>: Recipient address rejected",
        "recipient": "grace@navy.test",
    }
    assert parsed.references == ["e12.0.abcdef0123456789@talentloop.test"]
    assert parsed.inbound_id == "20260302090000.1A2B3C@mx.acme.test"
    assert parsed.excerpt == ""


@pytest.mark.parametrize(
    ("status", "action", "kind"),
    [
        ("4.4.1", "delayed", "soft"),
        ("4.2.2", "failed", "soft"),
        ("5.2.2", "failed", "soft"),  # mailbox full: the address is fine
        ("5.7.1", "failed", "soft"),  # refused as spam: the address is fine
        ("5.1.10", "failed", "hard"),
        ("", "failed", "hard"),
        ("2.0.0", "delivered", "delivered"),
    ],
)
def test_classifies_each_status(status: str, action: str, kind: str) -> None:
    parsed = inbound.parse_inbound(_dsn(status=status, action=action))

    assert parsed.bounce["kind"] == kind
    assert parsed.kind == ("delivered" if kind == "delivered" else "bounce")


def test_reads_the_original_from_headers_only(settings: Any) -> None:
    settings.TALENTLOOP_REPLY_DOMAIN = "replies.acme.test"
    raw = _dsn(original="text/rfc822-headers").replace(
        b"reply+bogus@", f"reply+{make_token(12, 'reply')}@".encode()
    )

    parsed = inbound.parse_inbound(raw)

    assert parsed.references == ["e12.0.abcdef0123456789@talentloop.test"]
    assert parsed.reply_message_ids == [12]  # from the original's Reply-To


def test_a_bounce_sent_to_the_reply_address_names_its_message(settings: Any) -> None:
    settings.TALENTLOOP_REPLY_DOMAIN = "replies.acme.test"

    parsed = inbound.parse_inbound(_dsn(to=f"reply+{make_token(40, 'reply')}@replies.acme.test"))

    assert parsed.reply_message_ids == [40]


def test_reads_a_bounce_written_in_prose() -> None:
    raw = make_mail(
        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.test>",
        subject="Delivery Status Notification (Failure)",
        text=(
            "Your message wasn't delivered to grace@navy.test because the address couldn't "
            "be found.\n\nThe response was:\n550 5.1.1 The email account does not exist.\n\n"
            "----- Original message -----\nMessage-ID: <k7.00ff@talentloop.test>\n"
        ),
    )

    parsed = inbound.parse_inbound(raw)

    assert (parsed.kind, parsed.bounce["kind"], parsed.bounce["status"]) == (
        "bounce",
        "hard",
        "5.1.1",
    )
    assert parsed.references == ["k7.00ff@talentloop.test"]


def test_reads_a_spam_complaint() -> None:
    raw = (
        b"From: abuse@isp.test\r\nTo: fbl@acme.test\r\nSubject: FW: Spring roles\r\n"
        b"Message-ID: <arf-1@isp.test>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        b"--F\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        b"--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        b"Feedback-Type: abuse\r\nUser-Agent: isp-fbl/1.0\r\nVersion: 1\r\n\r\n"
        b"--F\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"From: alice@acme.test\r\nMessage-ID: <d3.9.77@talentloop.test>\r\n\r\n"
        b"--F--\r\n"
    )

    parsed = inbound.parse_inbound(raw)

    assert (parsed.kind, parsed.references) == ("complaint", ["d3.9.77@talentloop.test"])


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "auto_reply"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_recognizes_automatic_replies_by_header(headers: dict[str, str]) -> None:
    assert inbound.parse_inbound(make_mail(headers=headers)).kind == "auto_reply"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Spring roles",
        "Automatic reply: Spring roles",
        "Autoreply",
        "Abwesenheitsnotiz",
    ],
)
def test_recognizes_automatic_replies_by_subject(subject: str) -> None:
    assert inbound.parse_inbound(make_mail(subject=subject)).kind == "auto_reply"


def test_a_person_replying_is_a_reply(settings: Any) -> None:
    settings.TALENTLOOP_REPLY_DOMAIN = "replies.acme.test"
    raw = make_mail(
        to=f"Acme <reply+{make_token(31, 'reply')}@replies.acme.test>",
        headers={
            "Auto-Submitted": "no",
            "In-Reply-To": "<e3.1.aa@talentloop.test>",
            "References": "<e3.0.aa@talentloop.test> <e3.1.aa@talentloop.test>",
        },
    )

    parsed = inbound.parse_inbound(raw)

    assert (parsed.kind, parsed.sender, parsed.subject) == (
        "reply",
        "grace@navy.test",
        "Re: Spring roles at Acme",
    )
    assert parsed.reply_message_ids == [31]
    assert parsed.references == ["e3.1.aa@talentloop.test", "e3.0.aa@talentloop.test"]
    assert parsed.excerpt == "Yes, I am interested."


def test_a_mail_without_message_id_is_known_by_its_hash() -> None:
    raw = make_mail(message_id="")

    first, again = inbound.parse_inbound(raw), inbound.parse_inbound(raw)
    other = inbound.parse_inbound(make_mail(message_id="", text="No thanks."))

    assert first.inbound_id.startswith("sha256:") and len(first.inbound_id) == 7 + 64
    assert again.inbound_id == first.inbound_id
    assert other.inbound_id != first.inbound_id


def test_survives_mail_that_is_not_mail() -> None:
    for raw in (b"", b"\x00\xff garbage", "Subject: caf\u00e9\r\n\r\n\udcff"):
        parsed = inbound.parse_inbound(raw)
        assert parsed.kind == "reply"
        assert parsed.reply_message_ids == []


# --- the new text of a reply ----------------------------------------------------------------


def test_strips_a_gmail_style_quote() -> None:
    text = (
        "Sounds great, Tuesday works.\n\nGrace\n\n"
        "On Mon, 2 Mar 2026 at 09:00, Alice Admin <alice@acme.test>\nwrote:\n\n"
        "> Hi Grace,\n> would you like to talk?\n"
    )

    assert inbound.strip_quoted(text) == "Sounds great, Tuesday works.\n\nGrace"


def test_strips_an_outlook_style_quote() -> None:
    text = (
        "Not now, thanks.\r\n\r\nSent from my iPhone\r\n\r\n"
        "________________________________\r\n"
        "From: Alice Admin <alice@acme.test>\r\nSent: Monday, March 2, 2026 9:00 AM\r\n"
        "To: Grace Hopper\r\nSubject: Spring roles\r\n\r\nHi Grace\r\n"
    )

    assert inbound.strip_quoted(text) == "Not now, thanks."


def test_strips_a_header_block_and_a_signature() -> None:
    text = (
        "Please call me.\n-- \nGrace Hopper\nRear Admiral\n"
        "From: Alice <alice@acme.test>\nDate: today\n"
    )
    assert inbound.strip_quoted(text) == "Please call me."

    text = "Happy to.\n\nVon: Alice <alice@acme.test>\nGesendet: Montag\nAn: Grace\n\nHallo"
    assert inbound.strip_quoted(text) == "Happy to."


def test_keeps_answers_written_between_quoted_lines() -> None:
    text = "> Are you open to roles?\nYes.\n> Where?\nBerlin or remote.\n"

    assert inbound.strip_quoted(text) == "Yes.\nBerlin or remote."


def test_keeps_a_line_that_only_starts_like_an_attribution() -> None:
    text = "On Monday I can talk.\nOn Tuesday I cannot."

    assert inbound.strip_quoted(text) == text


def test_reads_the_new_text_of_an_html_reply() -> None:
    gmail = (
        '<div dir="ltr">Yes, <b>interested</b>!<br>Grace</div><br>'
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, Alice wrote:</div>'
        "<blockquote><div>Hi Grace</div><blockquote>older</blockquote></blockquote></div>"
    )
    outlook = (
        "<html><head><style>p{margin:0}</style></head><body><p>Later this year.</p>"
        '<hr><div id="divRplyFwdMsg"><b>From:</b> Alice</div><div>Hi Grace, roles…</div>'
        "</body></html>"
    )

    assert inbound.strip_quoted(inbound.html_to_text(gmail)) == "Yes, interested!\nGrace"
    assert inbound.strip_quoted(inbound.html_to_text(outlook)) == "Later this year."


def test_an_html_only_reply_gets_its_excerpt() -> None:
    raw = make_mail(
        text=None, html="<p>Call me &amp; let&#39;s talk.</p><blockquote>Hi</blockquote>"
    )

    assert inbound.parse_inbound(raw).excerpt == "Call me & let's talk."


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=2000),
    noise=st.binary(max_size=200),
    where=st.integers(min_value=0, max_value=2000),
)
def test_never_fails_on_a_damaged_bounce_or_reply(cut: int, noise: bytes, where: int) -> None:
    # Webhooks and mailboxes receive whatever anyone sends: reading must not raise (a 500).
    for raw in (_dsn(), make_mail(html="<p>Hi</p>", headers={"References": "<a@b> <c@d>"})):
        damaged = raw[:where] + noise + raw[where : cut or None]
        parsed = inbound.parse_inbound(damaged)
        assert parsed.kind in {"reply", "auto_reply", "bounce", "complaint", "delivered"}
