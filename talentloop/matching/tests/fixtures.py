"""A small cast for matching: a data engineer, a backend developer and a pastry chef, indexed
and embedded so rediscovery and similar-candidates have something to find."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Candidate
from talentloop.matching import services
from talentloop.search.services import index_candidates

MakeCandidate = Callable[..., Candidate]


def _resume(skills: list[str], positions: list[str]) -> dict[str, Any]:
    return {
        "skills": [{"name": s, "keywords": [s]} for s in skills],
        "work": [{"position": p, "name": "Somewhere"} for p in positions],
    }


@pytest.fixture
def people(candidate_factory: MakeCandidate) -> dict[str, Candidate]:
    made = {
        "dana": candidate_factory(
            first_name="Dana",
            current_title="Data Engineer",
            years_experience=6,
            country="DE",
            city="Berlin",
            source="past_applicant",
        ),
        "pat": candidate_factory(
            first_name="Pat", current_title="Pastry Chef", years_experience=6, country="FR"
        ),
        "sam": candidate_factory(
            first_name="Sam", current_title="Backend Developer", years_experience=2, country="DE"
        ),
    }
    resumes = {
        "dana": _resume(["Python", "Apache Spark", "SQL"], ["Data Engineer", "Analyst"]),
        "pat": _resume(["Baking", "Food safety"], ["Pastry Chef"]),
        "sam": _resume(["Python", "Django"], ["Backend Developer"]),
    }
    for key, candidate in made.items():
        Candidate.objects.filter(pk=candidate.pk).update(resume=resumes[key])
    index_candidates([c.pk for c in made.values()])
    services.sweep_embeddings()
    return made
