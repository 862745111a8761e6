"""The search page and saved-search pages."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from talentloop.candidates.models import Candidate
from talentloop.search.models import SavedSearch

URL = reverse("search:search")


def test_results_with_snippets_escaped(
    alice_client: Client, candidate_factory: Callable[..., Candidate]
) -> None:
    candidate_factory(
        first_name="Ada", current_title="<script>x</script> Engineer", headline="Rust & Go"
    )
    response = alice_client.get(URL, {"q": "engineer OR rust"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; <mark>Engineer</mark>" in html
    assert "<mark>Rust</mark> &amp; Go" in html
    assert "<script>x" not in html
    assert "1 match" in html


def test_bad_query_shows_where(alice_client: Client) -> None:
    response = alice_client.get(URL, {"q": "java AND (python"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This parenthesis is never closed. (at character 10)" in html
    assert "<code>java AND <mark>▸</mark>(python</code>" in html


def test_bad_filter_is_a_form_error(alice_client: Client) -> None:
    response = alice_client.get(URL, {"q": "java", "years_min": "lots"})
    assert response.status_code == 200
    assert "A number of years" in response.content.decode()
    response = alice_client.get(URL, {"q": "x", "seniority": "wizard"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_huge_and_odd_queries_never_500(alice_client: Client) -> None:
    for q in ("a " * 6000, "'; DROP TABLE x; --", "title:", '"', "\x00"):
        assert alice_client.get(URL, {"q": q}).status_code == 200


def test_save_run_and_delete(
    alice_client: Client, charlie_client: Client, candidate_factory: Callable[..., Candidate]
) -> None:
    search = urlencode({"q": "title:welder", "seniority": "senior", "tags": "a, b"})
    response = alice_client.post(
        reverse("search:save"), {"search": search, "name": "Welders", "alert": "on"}
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert (saved.query, saved.filters, saved.alert) == (
        "title:welder",
        {"seniority": ["senior"], "tags": ["a", "b"]},
        True,
    )
    page = alice_client.get(reverse("search:saved")).content.decode()
    assert "Welders" in page
    response = alice_client.get(reverse("search:saved_run", args=[saved.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(URL + "?q=title%3Awelder")
    assert alice_client.get(response["Location"]).status_code == 200
    # Charlie cannot open, change or delete it.
    assert charlie_client.get(reverse("search:saved_run", args=[saved.pk])).status_code == 404
    assert charlie_client.post(reverse("search:saved_delete", args=[saved.pk])).status_code == 404
    assert "Welders" not in charlie_client.get(reverse("search:saved")).content.decode()
    alice_client.post(reverse("search:saved_alert", args=[saved.pk]))
    saved.refresh_from_db()
    assert saved.alert is False
    alice_client.post(reverse("search:saved_delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()


def test_save_refuses_a_bad_search(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("search:save"), {"search": urlencode({"q": "(oops"}), "name": "Bad"}
    )
    assert response.status_code == 302
    assert not SavedSearch.objects.exists()


def test_signed_out_goes_to_sign_in(client: Client) -> None:
    assert client.get(URL).status_code == 302
