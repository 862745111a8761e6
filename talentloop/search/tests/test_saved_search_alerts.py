"""Saved-search alerts: new matches announced once, in the app and by e-mail."""

from __future__ import annotations

from collections.abc import Callable

from django.core import mail

from talentloop.accounts.models import Membership
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.search import services
from talentloop.search.models import SavedSearch, SavedSearchAlert
from talentloop.search.tasks import send_saved_search_alerts_task


def test_new_matches_are_announced_once(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor, bob_actor: Actor
) -> None:
    candidate_factory(current_title="Welder")  # before the search was saved: not "new"
    saved = services.create_saved_search(
        actor=alice_actor, data={"name": "Welders", "query": "title:welder", "filters": {}}
    )
    services.create_saved_search(
        actor=bob_actor, data={"name": "Quiet", "query": "welder", "alert": False}
    )
    assert services.run_alerts() == 0
    first = candidate_factory(current_title="Welder")
    candidate_factory(current_title="Baker")
    second = candidate_factory(current_title="Senior Welder")
    assert services.run_alerts() == 1
    assert services.run_alerts() == 0  # run twice: nothing more
    alert = SavedSearchAlert.objects.get()
    assert alert.saved_search == saved
    assert (alert.new_matches, alert.candidate_ids) == (2, [second.pk, first.pk])
    assert alert.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@acme.test"]
    assert "2 new for your search “Welders”" in mail.outbox[0].subject
    assert f"/search/saved/{saved.pk}/" in mail.outbox[0].body
    candidate_factory(current_title="Welder")
    assert send_saved_search_alerts_task.enqueue().return_value == 1
    assert SavedSearchAlert.objects.count() == 2 and len(mail.outbox) == 2


def test_a_stale_claim_announces_nothing(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    saved = services.create_saved_search(
        actor=alice_actor, data={"name": "Welders", "query": "welder"}
    )
    candidate_factory(current_title="Welder")
    stale = SavedSearch.objects.get(pk=saved.pk)  # a second worker read the same row
    assert services.check_saved_search(saved) is not None
    assert services.check_saved_search(stale) is None  # its claim fails: no duplicate
    assert SavedSearchAlert.objects.count() == 1


def test_alerts_respect_what_the_owner_may_see(
    candidate_factory: Callable[..., Candidate],
    alice_actor: Actor,
    bob_actor: Actor,
    charlie_actor: Actor,
) -> None:
    charlie_saved = services.create_saved_search(
        actor=charlie_actor, data={"name": "Welders", "query": "welder"}
    )
    bob_saved = services.create_saved_search(
        actor=bob_actor, data={"name": "Welders", "query": "welder"}
    )
    candidate_factory(current_title="Welder")  # in Acme
    services.run_alerts()
    assert not SavedSearchAlert.objects.filter(saved_search=charlie_saved).exists()
    assert SavedSearchAlert.objects.filter(saved_search=bob_saved).exists()
    # A member who left gets nothing (and the run does not fail).
    Membership.objects.filter(user=bob_actor.user).delete()
    candidate_factory(current_title="Welder")
    services.run_alerts()
    assert SavedSearchAlert.objects.filter(saved_search=bob_saved).count() == 1


def test_filters_only_search_alerts(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    services.create_saved_search(
        actor=alice_actor, data={"name": "Seniors", "filters": {"seniority": ["senior"]}}
    )
    candidate_factory(seniority="senior")
    candidate_factory(seniority="junior")
    services.run_alerts()
    assert SavedSearchAlert.objects.get().new_matches == 1
