"""The pages behind links in messages: /t/o (pixel), /t/c (click), /t/u (unsubscribe)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from talentloop.candidates.models import Activity, Candidate
from talentloop.compliance.models import ConsentRecord
from talentloop.compliance.selectors import consent_status
from talentloop.outreach import tracking
from talentloop.outreach.models import Enrollment, Message, MessageEvent, Purpose, Suppression
from talentloop.outreach.views_public import PIXEL

pytestmark = [pytest.mark.django_db, pytest.mark.urls("talentloop.outreach.tests.urls_public_test")]


def _path(url: str) -> str:
    return urlsplit(url).path


def _withdrawn(candidate: Candidate) -> set[str]:
    return {
        purpose
        for (channel, purpose), status in consent_status(candidate).items()
        if channel == "email" and status == ConsentRecord.Status.WITHDRAWN
    }


def test_the_urls_built_by_tracking_are_the_ones_routed() -> None:
    token = tracking.make_token(5, "open")

    assert _path(tracking.open_pixel_url(5)) == reverse("outreach_public:open", args=[token])
    assert _path(tracking.unsubscribe_url(5)) == reverse(
        "outreach_public:unsubscribe", args=[tracking.make_token(5, "unsubscribe")]
    )
    click = tracking.click_url(5, "https://acme.test/")
    assert _path(click) == reverse("outreach_public:click", args=[click.rsplit("/", 1)[1]])


# --- the pixel ------------------------------------------------------------------------------


def test_the_pixel_records_an_open_and_is_never_cached(
    client: Client, sent_message: Message
) -> None:
    response = client.get(
        _path(tracking.open_pixel_url(sent_message.pk)), headers={"user-agent": "Mail/1.0"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL
    assert response.content.startswith(b"GIF89a") and len(PIXEL) == 42
    assert "no-store" in response["Cache-Control"]
    event = MessageEvent.objects.get()
    assert (event.message_id, event.workspace_id, event.type, event.processed_at) == (
        sent_message.pk,
        sent_message.workspace_id,
        "open",
        None,
    )
    assert event.detail == {"ua": "Mail/1.0"}


@pytest.mark.parametrize("token", ["nonsense", "1" + "0" * 24, "zz" * 40])
def test_the_pixel_answers_a_bad_token_with_the_image_and_records_nothing(
    client: Client, sent_message: Message, token: str
) -> None:
    response = client.get(f"/t/o/{token}.gif")

    assert response.status_code == 200
    assert response.content == PIXEL
    assert MessageEvent.objects.exists() is False


def test_the_pixel_ignores_an_unsubscribe_token(client: Client, sent_message: Message) -> None:
    token = tracking.make_token(sent_message.pk, "unsubscribe")

    assert client.get(f"/t/o/{token}.gif").content == PIXEL
    assert MessageEvent.objects.exists() is False


def test_a_head_request_or_a_deleted_message_records_nothing(
    client: Client, sent_message: Message
) -> None:
    url = _path(tracking.open_pixel_url(sent_message.pk))
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405

    gone = tracking.open_pixel_url(sent_message.pk + 1000)
    assert client.get(_path(gone)).content == PIXEL
    assert MessageEvent.objects.exists() is False


# --- clicks ---------------------------------------------------------------------------------


def test_a_click_is_recorded_and_redirected_to_the_exact_url(
    client: Client, sent_message: Message
) -> None:
    target = "https://acme.test/jobs/7/café?utm_source=mail&team=a%20b#apply"
    response = client.get(_path(tracking.click_url(sent_message.pk, target)))

    assert response.status_code == 302
    assert (
        response["Location"]
        == "https://acme.test/jobs/7/caf%C3%A9?utm_source=mail&team=a%20b#apply"
    )
    assert "no-store" in response["Cache-Control"]
    event = MessageEvent.objects.get()
    assert (event.type, event.url, event.message_id) == ("click", target, sent_message.pk)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1],  # truncated
        lambda token: token.partition(".")[0],  # no URL
        lambda token: token.partition(".")[0] + ".aHR0cHM6Ly9ldmlsLnRlc3Qv",  # https://evil.test/
        lambda token: ("2" if token[0] == "1" else "1") + token[1:],  # another message
    ],
)
def test_a_forged_click_link_is_a_404_page_never_a_redirect(
    client: Client, sent_message: Message, tamper: Callable[[str], str]
) -> None:
    token = tracking.click_url(sent_message.pk, "https://acme.test/jobs").rsplit("/", 1)[1]

    response = client.get(f"/t/c/{tamper(token)}")

    assert response.status_code == 404
    assert "Location" not in response
    assert b"This link does not work" in response.content
    assert MessageEvent.objects.exists() is False


# --- unsubscribing --------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_first_and_changes_nothing(
    client: Client, sent_message: Message
) -> None:
    response = client.get(_path(tracking.unsubscribe_url(sent_message.pk)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Unsubscribe from Acme Talent" in page
    assert (
        "Stop newsletters and other marketing e-mails from Acme Talent to g••••@navy.test?" in page
    )
    assert 'name="everything" value="1"' in page
    assert 'name="viewport"' in page
    assert "Sign out" not in page and 'class="nav"' not in page  # not the members' layout
    assert "grace@navy.test" not in page
    assert _withdrawn(sent_message.candidate) == set()
    assert MessageEvent.objects.exists() is False


def test_unsubscribing_from_a_newsletter_withdraws_marketing_only(
    client: Client, sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=())

    response = client.post(_path(tracking.unsubscribe_url(sent_message.pk)), {})

    assert response.status_code == 200
    assert b"will not send newsletters or other marketing e-mails" in response.content
    candidate = sent_message.candidate
    assert _withdrawn(candidate) == {"marketing"}
    entry = ConsentRecord.objects.filter(candidate=candidate).latest("id")
    assert (entry.source, entry.ip) == ("email_link", "127.0.0.1")
    assert Suppression.objects.exists() is False  # recruiters may still write to Grace
    sent_message.refresh_from_db()
    assert sent_message.unsubscribed_at is not None
    event = MessageEvent.objects.get()
    assert (event.type, event.detail, event.processed_at is not None) == (
        "unsubscribe",
        {"purposes": ["marketing"], "one_click": False},
        True,
    )
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "unsubscribe")
    assert Activity.objects.filter(candidate=candidate, type="consent_change").count() == 3


def test_the_link_in_a_recruiters_message_withdraws_recruiting(
    client: Client, sent_message: Message
) -> None:
    Message.objects.filter(pk=sent_message.pk).update(purpose=Purpose.RECRUITING)

    page = client.get(_path(tracking.unsubscribe_url(sent_message.pk))).content.decode()
    client.post(_path(tracking.unsubscribe_url(sent_message.pk)), {})

    assert "Stop e-mails from Acme Talent's recruiters about roles" in page
    assert _withdrawn(sent_message.candidate) == {"recruiting"}


def test_all_email_withdraws_both_purposes_and_suppresses_the_address(
    client: Client, sent_message: Message
) -> None:
    response = client.post(_path(tracking.unsubscribe_url(sent_message.pk)), {"everything": "1"})

    assert b"Acme Talent will not e-mail g" in response.content
    assert _withdrawn(sent_message.candidate) == {"marketing", "recruiting"}
    suppression = Suppression.objects.get()
    assert (suppression.workspace_id, suppression.email, suppression.reason) == (
        sent_message.workspace_id,
        "grace@navy.test",
        "unsubscribe",
    )
    page = client.get(_path(tracking.unsubscribe_url(sent_message.pk))).content.decode()
    assert "You are unsubscribed" in page and "<form" not in page


def test_unsubscribing_twice_records_consent_once(client: Client, sent_message: Message) -> None:
    url = _path(tracking.unsubscribe_url(sent_message.pk))
    client.post(url, {"everything": "1"})
    before = ConsentRecord.objects.count()

    client.post(url, {"everything": "1"})
    client.post(url, {"List-Unsubscribe": "One-Click"})

    assert ConsentRecord.objects.count() == before
    assert Suppression.objects.count() == 1


def test_one_click_unsubscribe_needs_no_csrf_token(sent_message: Message) -> None:
    # RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL.
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        _path(tracking.unsubscribe_url(sent_message.pk)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.content == b"Unsubscribed.\n"
    assert _withdrawn(sent_message.candidate) == {"marketing"}
    assert MessageEvent.objects.get().detail == {"purposes": ["marketing"], "one_click": True}


def test_the_page_form_works_from_a_browser_without_a_session(sent_message: Message) -> None:
    client = Client(enforce_csrf_checks=True)
    url = _path(tracking.unsubscribe_url(sent_message.pk))

    assert client.get(url).status_code == 200
    assert client.post(url, {"everything": "1"}).status_code == 200
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_unsubscribe_link_changes_nothing(
    client: Client, sent_message: Message, method: str
) -> None:
    token = tracking.make_token(sent_message.pk, "unsubscribe")
    for forged in (
        token[:-1] + ("0" if token[-1] != "0" else "1"),
        tracking.make_token(sent_message.pk, "open"),
    ):
        response = getattr(client, method)(f"/t/u/{forged}", {"List-Unsubscribe": "One-Click"})

        assert response.status_code == 404
        assert b"This link does not work" in response.content
    assert _withdrawn(sent_message.candidate) == set()
    assert MessageEvent.objects.exists() is False
    assert Suppression.objects.exists() is False


def test_a_link_to_a_deleted_message_is_gone(client: Client, sent_message: Message) -> None:
    url = _path(tracking.unsubscribe_url(sent_message.pk))
    Message.objects.filter(pk=sent_message.pk).delete()

    assert client.get(url).status_code == 410
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 410


def test_a_link_acts_only_in_its_own_workspace(
    client: Client, sent_message: Message, charlie_message: Message, alice_client: Client
) -> None:
    # Signed in as Acme's admin or not, Globex's link unsubscribes Globex's candidate only.
    page = alice_client.get(_path(tracking.unsubscribe_url(charlie_message.pk))).content.decode()
    alice_client.post(_path(tracking.unsubscribe_url(charlie_message.pk)), {"everything": "1"})

    assert "Unsubscribe from Globex Recruiting" in page and "Acme" not in page
    assert _withdrawn(charlie_message.candidate) == {"marketing", "recruiting"}
    assert _withdrawn(sent_message.candidate) == set()
    assert list(Suppression.objects.values_list("workspace_id", "email")) == [
        (charlie_message.workspace_id, "other@globex.test")
    ]
