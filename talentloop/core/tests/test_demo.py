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
