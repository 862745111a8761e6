"""Whatever a document says, importing it either works or answers bad input naming a path of
the document: never another exception, and never half an import."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from talentloop.accounts.models import User
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, InvalidInput
from talentloop.outreach.automation import export_campaign, export_sequence, import_automation
from talentloop.outreach.models import Campaign, Sequence, StepChannel, Template
from talentloop.outreach.tests.test_automation_support import (
    email_step,
    make_campaign,
    make_sequence,
    make_snippet,
    make_template,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Segment

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.text(max_size=12)
    | st.sampled_from(["email", "09:00", "Intro", "signature", "owner", "user", "reply"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


def _mutate(document: dict[str, Any], path: tuple[Any, ...], how: str, value: Any) -> Any:
    changed = copy.deepcopy(document)
    if not path:
        return value
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if how == "delete" and isinstance(parent, dict):
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{last}_extra"] = value
    else:
        parent[last] = value
    return changed


@pytest.fixture
def documents(alice_actor: Actor, bob: User) -> list[dict[str, Any]]:
    make_snippet(alice_actor, "signature", "<p>Best, {{ sender.full_name }}</p>")
    intro = make_template(alice_actor, "Intro", body='<p>Hi</p>{% snippet "signature" %}')
    steps = [
        email_step(intro, window_start="09:00", window_end="17:00"),
        {"channel": StepChannel.CALL_TASK, "delay_days": 2, "instructions": "Call"},
        {**email_step(intro, 3), "sender": "user", "sender_user_id": bob.pk},
    ]
    sequence = make_sequence(alice_actor, steps, stop_on=["reply"])
    segment = pool_services.create_segment(
        actor=alice_actor,
        data={"name": "Bob's", "rules": {"all": [{"field": "owner", "op": "eq", "value": bob.pk}]}},
    )
    campaign = make_campaign(
        alice_actor, [(intro, timezone.now() + dt.timedelta(days=3))], segment_id=segment.pk
    )
    return [
        export_sequence(actor=alice_actor, sequence=sequence),
        export_campaign(actor=alice_actor, campaign=campaign),
    ]


def _counts() -> tuple[int, int, int, int]:
    return (
        Sequence.objects.count(),
        Campaign.objects.count(),
        Template.objects.count(),
        Segment.objects.count(),
    )


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_mangled_document_is_refused_with_a_path_or_imported_whole(
    alice_actor: Actor, documents: list[dict[str, Any]], data: st.DataObject
) -> None:
    document = data.draw(st.sampled_from(documents))
    path = data.draw(st.sampled_from(_paths(document)))
    how = data.draw(st.sampled_from(["replace", "delete", "add"]))
    value = data.draw(JSON)
    mangled = _mutate(document, path, how, value)
    before = _counts()

    try:
        result = import_automation(actor=alice_actor, document=mangled, mode="create")
    except (InvalidInput, Conflict) as error:
        assert error.field
        assert error.message.startswith(f"{error.field}: ")
        assert _counts() == before
    else:
        assert result.object.pk is not None
