"""The job pages render, the form opens and edits jobs, and other workspaces see nothing."""

from __future__ import annotations

from django.test import Client

from talentloop.core.actor import Actor
from talentloop.jobs import services
from talentloop.jobs.models import Job


def test_list_and_detail(alice_client: Client, alice_actor: Actor) -> None:
    job = services.create_job(
        actor=alice_actor,
        data={"title": "Pastry Chef", "description": "Python is a plus", "city": "Lyon"},
    )

    listing = alice_client.get("/jobs/")
    page = alice_client.get(f"/jobs/{job.pk}/")

    assert listing.status_code == 200
    assert b"Pastry Chef" in listing.content
    assert page.status_code == 200
    assert b"Python" in page.content and b"Lyon" in page.content


def test_the_form_opens_a_job_with_typed_skills(alice_client: Client) -> None:
    response = alice_client.post(
        "/jobs/new",
        {
            "title": "Sous Chef",
            "status": "open",
            "remote_policy": "onsite",
            "openings": "2",
            "must_skills": "Cooking (5)\nfood safety",
            "nice_skills": "",
        },
    )

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert [(s.name, s.weight) for s in job.skills.order_by("id")] == [
        ("Cooking", 5),
        ("Food safety", 3),
    ]
    assert job.openings == 2


def test_the_form_shows_service_errors_on_the_field(alice_client: Client) -> None:
    response = alice_client.post(
        "/jobs/new",
        {
            "title": "Chef",
            "status": "open",
            "remote_policy": "onsite",
            "openings": "1",
            "years_min": "5",
            "years_max": "1",
        },
    )

    assert response.status_code == 422
    assert b"Cannot be below the minimum years." in response.content
    assert not Job.objects.exists()


def test_editing_without_touching_skills_keeps_them_proposed(
    alice_client: Client, alice_actor: Actor
) -> None:
    job = services.create_job(actor=alice_actor, data={"title": "Dev", "description": "Python"})
    form = alice_client.get(f"/jobs/{job.pk}/edit").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["description"] = "Rust"

    response = alice_client.post(f"/jobs/{job.pk}/edit", data)

    assert response.status_code == 302
    assert [(s.name, s.proposed) for s in job.skills.all()] == [("Rust", True)]


def test_status_and_delete(alice_client: Client, alice_actor: Actor) -> None:
    job = services.create_job(actor=alice_actor, data={"title": "Chef"})

    alice_client.post(f"/jobs/{job.pk}/status", {"status": "filled"})
    job.refresh_from_db()
    assert job.status == "filled"

    alice_client.post(f"/jobs/{job.pk}/delete")
    assert not Job.objects.exists()


def test_other_workspaces_get_404(charlie_client: Client, alice_actor: Actor) -> None:
    job = services.create_job(actor=alice_actor, data={"title": "Chef"})

    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/edit"):
        assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(f"/jobs/{job.pk}/delete").status_code == 404
    assert Job.objects.filter(pk=job.pk).exists()
    assert b"Chef" not in charlie_client.get("/jobs/").content


def test_bob_sees_no_form_for_a_hiring_manager(
    member_factory: object, acme: object, alice_actor: Actor
) -> None:
    from talentloop.accounts.roles import Role

    manager = member_factory("hm@acme.test", acme, Role.HIRING_MANAGER)  # type: ignore[operator]
    client = Client()
    client.force_login(manager)

    assert client.get("/jobs/new").status_code == 403
