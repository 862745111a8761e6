"""The explainable match score: criteria, evidence, weights and bad input."""

import dataclasses
import datetime

import pytest

from talentloop.matching import scoring
from talentloop.matching.scoring import (
    CandidateProfile,
    JobSpec,
    MatchInputError,
    Place,
    ProfileSkill,
    SkillRequirement,
    Weights,
)

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)

JOB = JobSpec(
    title="Backend Developer",
    description="We build APIs in Python with Django and PostgreSQL.",
    must_skills=(SkillRequirement("Python", 2.0), SkillRequirement("PostgreSQL")),
    nice_skills=(SkillRequirement("React Native"), SkillRequirement("Kubernetes")),
    years_min=3,
    years_max=8,
    seniority="senior",
    location=Place("Lyon", "Auvergne-Rhone-Alpes", "FR"),
    remote_policy="hybrid",
)

ADA = CandidateProfile(
    key="ada",
    text="Backend developer at Acme. Built Django APIs, tuned PostgreSQL queries.",
    title="Senior Backend Developer",
    past_titles=("Junior Web Developer",),
    skills=(ProfileSkill("Python", "skills"), ProfileSkill("React", "skills")),
    years=5,
    seniority="senior",
    location=Place("Lyon", "Auvergne-Rhone-Alpes", "FR"),
    last_active_at=NOW - datetime.timedelta(days=365),
    stage_reached="interviewed",
    engagement=40,
)

CHEF = CandidateProfile(
    key="chef",
    text="Pastry chef: croissants, sourdough and wedding cakes.",
    title="Pastry Chef",
    years=1,
    seniority="junior",
    location=Place("Madrid", "", "ES"),
)


def _ctx() -> scoring.MatchContext:
    return scoring.MatchContext.for_profiles([ADA, CHEF], now=NOW)


def test_the_same_input_gets_the_same_score() -> None:
    first = scoring.score(JOB, ADA, _ctx())
    second = scoring.score(JOB, ADA, _ctx())

    assert first == second
    assert 0 < first.total <= 100


def test_the_matching_candidate_ranks_first() -> None:
    ranked = scoring.rank(JOB, [CHEF, ADA], _ctx())

    assert [m.key for m in ranked] == ["ada", "chef"]
    assert ranked[0].total > ranked[1].total


def test_skills_evidence_says_what_matched_where_and_what_is_missing() -> None:
    skills = scoring.score(JOB, ADA, _ctx()).criterion("skills")

    assert skills.evidence["matched"] == [
        {"skill": "Python", "requirement": "must", "as": "Python", "found_in": "skills"},
        {"skill": "PostgreSQL", "requirement": "must", "as": "PostgreSQL",
         "found_in": "resume text"},
    ]  # fmt: skip
    assert skills.evidence["related"] == [
        {"skill": "React Native", "requirement": "nice", "as": "React", "found_in": "skills"}
    ]
    assert skills.evidence["missing"] == [{"skill": "Kubernetes", "requirement": "nice"}]
    assert skills.evidence["missing_must"] == []
    # Must-haves count twice: (2*2 + 2*1 + 0.5*1 + 0) / (2*2 + 2*1 + 1 + 1).
    assert skills.score == pytest.approx(6.5 / 8, abs=1e-6)


def test_structured_criteria_show_their_evidence() -> None:
    match = scoring.score(JOB, ADA, _ctx())

    assert match.criterion("experience").score == 1.0
    assert match.criterion("experience").evidence == {"years_min": 3, "years_max": 8, "years": 5}
    assert match.criterion("seniority").score == 1.0
    assert match.criterion("location").evidence["match"] == "same city"
    assert match.criterion("recency").score == pytest.approx(0.5, abs=0.01)
    assert match.criterion("past_process").score == pytest.approx(3 / 5)
    assert match.criterion("engagement").score == 0.4
    assert match.criterion("title").evidence["closest_title"] == "Senior Backend Developer"
    assert "postgresql" in match.criterion("lexical").evidence["shared_terms"]


def test_far_junior_candidate_scores_low_on_structured_criteria() -> None:
    match = scoring.score(JOB, CHEF, _ctx())

    assert match.criterion("experience").score == pytest.approx(1 / 3)
    assert match.criterion("seniority").score == 0.0
    assert match.criterion("location").score == 0.0
    assert match.criterion("skills").evidence["missing_must"] == ["Python", "PostgreSQL"]


def test_criteria_the_job_does_not_ask_for_are_not_assessed() -> None:
    match = scoring.score(JobSpec(description="Python developer"), ADA, _ctx())

    not_assessed = [c.key for c in match.criteria if not c.assessed]
    assert not_assessed == ["skills", "title", "semantic", "experience", "seniority", "location"]


def test_per_job_weights_change_the_total() -> None:
    only_location = dataclasses.replace(
        JOB, weights=dict.fromkeys(Weights().as_dict(), 0.0) | {"location": 1.0}
    )

    assert scoring.score(only_location, ADA, _ctx()).total == 100.0
    assert scoring.score(only_location, CHEF, _ctx()).total == 0.0


def test_a_remote_job_fits_any_location() -> None:
    remote = JobSpec(title="Developer", remote_policy="remote")

    assert scoring.score(remote, CHEF, _ctx()).criterion("location").score == 1.0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"charm": 1.0}, "weights.charm"),
        ({"skills": -1}, "weights.skills"),
        ({"skills": float("nan")}, "weights.skills"),
        ({"skills": "high"}, "weights.skills"),
        ({"skills": True}, "weights.skills"),
        ({"skills": 101}, "weights.skills"),
        (dict.fromkeys(Weights().as_dict(), 0), "weights"),
    ],
)
def test_refuses_bad_weights_naming_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(MatchInputError) as raised:
        Weights().with_overrides(overrides)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: JobSpec(years_min=5, years_max=2), "years_max"),
        (lambda: JobSpec(years_min=-1), "years_min"),
        (lambda: JobSpec(seniority="wizard"), "seniority"),
        (lambda: JobSpec(remote_policy="sometimes"), "remote_policy"),
        (lambda: JobSpec(must_skills=(SkillRequirement(" "),)), "must_skills"),
        (lambda: JobSpec(nice_skills=(SkillRequirement("Go", 0),)), "nice_skills"),
        (lambda: JobSpec(weights={"skills": -2}), "weights.skills"),
        (lambda: CandidateProfile("x", engagement=150), "engagement"),
        (lambda: CandidateProfile("x", stage_reached="hired?"), "stage_reached"),
        (
            lambda: CandidateProfile("x", last_active_at=datetime.datetime(2026, 1, 1)),  # noqa: DTZ001
            "last_active_at",
        ),
    ],
)
def test_refuses_bad_input_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(MatchInputError) as raised:
        make()  # type: ignore[operator]

    assert raised.value.field == field


def test_a_job_from_a_profile_asks_for_what_the_profile_is() -> None:
    profile = CandidateProfile(
        "p",
        text="Data engineer",
        title="Data Engineer",
        past_titles=("Analyst", "Data Engineer"),
        skills=(
            ProfileSkill("Spark", "skills", "technology"),
            ProfileSkill("Teamwork", "skills", "soft skill"),
            ProfileSkill("spark", "work", "technology"),
        ),
        embedding=(1.0, 0.0),
    )
    job = scoring.job_from_profile(profile)

    assert job.title == "Data Engineer; Analyst"
    assert job.nice_skills == (SkillRequirement("Spark"),)
    assert job.weights == {"skills": 0.25}
    assert job.embedding == (1.0, 0.0)


def test_semantic_similarity_is_rescaled_from_the_cosine() -> None:
    job = JobSpec(title="x", embedding=(1.0, 0.0))
    near = CandidateProfile("near", embedding=(0.8, 0.6))
    none = CandidateProfile("none")
    ctx = scoring.MatchContext.for_profiles([near, none], now=NOW)

    assert scoring.score(job, near, ctx).criterion("semantic").score == pytest.approx(0.6)
    assert scoring.score(job, none, ctx).criterion("semantic").score == 0.0


def test_scores_without_evidence_are_the_same_scores() -> None:
    ctx = _ctx()
    full, bare = scoring.score(JOB, ADA, ctx), scoring.score(JOB, ADA, ctx, explain=False)

    assert bare.total == full.total
    assert [c.score for c in bare.criteria] == [c.score for c in full.criteria]
    assert all(c.evidence == {} for c in bare.criteria)
