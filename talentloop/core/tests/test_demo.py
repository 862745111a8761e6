from django.core.management import call_command

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate, Note


def test_prepares_demo_data_with_reminders_for_alice(db) -> None:
    call_command("demo", candidates=20, no_serve=True)
    call_command("demo", candidates=20, no_serve=True)  # a second run adds nothing

    alice = User.objects.get(email="alice@acme.test")
    demo_notes = Note.objects.filter(author=alice, body__startswith=("Follow up after"))
    assert Candidate.objects.filter(workspace__slug="acme").count() == 20
    assert demo_notes.count() == 1
    assert Note.objects.filter(author=alice, remind_at__isnull=False).count() >= 3
    assert User.objects.get(email="charlie@globex.test").check_password("talentloop-demo")


def test_opens_demo_jobs_whose_matches_the_worker_finds(
    db: object, django_capture_on_commit_callbacks: object
) -> None:
    from talentloop.jobs.models import Job
    from talentloop.matching.models import CandidateEmbedding, MatchSuggestion
    from talentloop.search.models import SearchDocument

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("demo", candidates=60, no_serve=True)

    jobs = Job.objects.filter(workspace__slug="acme")
    assert jobs.count() == 3
    # The 60 seeded people are indexed and embedded before the jobs open (the parsed demo
    # resumes join them once the worker runs).
    assert SearchDocument.objects.filter(candidate__workspace__slug="acme").count() >= 60
    assert CandidateEmbedding.objects.count() >= 60
    data_engineer = jobs.get(title="Senior Data Engineer")
    assert {s.name for s in data_engineer.skills.filter(kind="nice")} == {
        "Apache Kafka",
        "Terraform",
        "Amazon Web Services",
    }
    assert MatchSuggestion.objects.filter(job=data_engineer).count() > 0
