"""The explainable match score of a candidate for a job. Pure Python, no Django.

`score(job, profile, ctx)` returns a `Match`: a total from 0 to 100 and one `Criterion` per
signal, each with its own 0..1 score, its weight and the evidence behind it. The total is the
weighted mean of the assessed criteria. A criterion is "not assessed" (weight left out of the
mean) only when the job does not ask for it (no title, no skills, no years, no location, no
embedding); when the job asks and the profile is silent, the criterion scores a neutral or zero
value and the evidence says the profile has no data, so a blank profile never outranks a full one.

Criteria (keys are what `Weights` and per-job overrides name):

- ``skills``: coverage of the job's must-have (counted twice) and nice-to-have skills, each with
  its own weight. A skill counts when the profile lists it (by the taxonomy's canonical name, so
  "JS" meets "JavaScript") or its phrase is in the resume text; a related skill ("React" for
  "React Native", "SQL" for "PL/SQL": one name's words inside the other's) counts half.
- ``lexical``: BM25 relevance of the profile's text to the job's (`text.lexical_similarity`).
- ``title``: similarity of the job title to the candidate's current and past titles.
- ``semantic``: cosine of the two embeddings (`embedding.py`), rescaled so that 0.5, about what
  unrelated resumes get from the static model, scores 0.
- ``experience``: years of experience inside the job's range; ``seniority``: distance between
  levels; ``location``: same city, region or country, or a remote job.
- ``recency``: last activity, halving every year; ``past_process``: the furthest stage reached
  in an earlier process (a silver medalist scores 1); ``engagement``: the 0..100 engagement score.

Same input, same score: nothing reads the clock (`MatchContext.now` is given) and every
collection is iterated in a fixed order.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

from talentloop.matching import text
from talentloop.matching.embedding import Vector, similarity

SENIORITY_LEVELS = (
    "intern", "junior", "mid", "senior", "lead", "principal", "manager", "director", "executive",
)  # fmt: skip
REMOTE_POLICIES = ("onsite", "hybrid", "remote")
# Stages of an earlier process, in order; the score is the position reached.
STAGES = ("applied", "screened", "interviewed", "final", "offered")

MUST_FACTOR = 2.0  # a must-have skill counts twice a nice-to-have of the same weight
RELATED_CREDIT = 0.5
SEMANTIC_FLOOR = 0.5
RECENCY_HALF_LIFE_DAYS = 365.0
MAX_WEIGHT = 100.0


class MatchInputError(ValueError):
    """Bad input to the scorer; `field` names the offending field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Place:
    city: str = ""
    region: str = ""
    country: str = ""  # ISO 3166 alpha-2 when known

    def is_empty(self) -> bool:
        return not (self.city or self.region or self.country)


@dataclass(frozen=True, slots=True)
class SkillRequirement:
    name: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ProfileSkill:
    name: str
    section: str = ""  # where the resume lists it: "skills", "work", "summary", ...
    category: str = ""  # the taxonomy's category ("technology", "soft skill", ...)


@dataclass(frozen=True, slots=True)
class JobSpec:
    title: str = ""
    description: str = ""
    must_skills: tuple[SkillRequirement, ...] = ()
    nice_skills: tuple[SkillRequirement, ...] = ()
    years_min: float | None = None
    years_max: float | None = None
    seniority: str = ""
    location: Place | None = None
    remote_policy: str = ""
    weights: Mapping[str, float] = field(default_factory=dict)  # per-job overrides
    embedding: Vector | None = None

    def __post_init__(self) -> None:
        _check_years("years_min", self.years_min)
        _check_years("years_max", self.years_max)
        if (
            self.years_min is not None
            and self.years_max is not None
            and self.years_min > self.years_max
        ):
            raise MatchInputError("years_max", "must not be below years_min.")
        if self.seniority and self.seniority not in SENIORITY_LEVELS:
            raise MatchInputError("seniority", f"must be one of {', '.join(SENIORITY_LEVELS)}.")
        if self.remote_policy and self.remote_policy not in REMOTE_POLICIES:
            raise MatchInputError("remote_policy", f"must be one of {', '.join(REMOTE_POLICIES)}.")
        for name in ("must_skills", "nice_skills"):
            for requirement in getattr(self, name):
                if not requirement.name.strip():
                    raise MatchInputError(name, "a skill needs a name.")
                if not _is_weight(requirement.weight) or requirement.weight <= 0:
                    raise MatchInputError(
                        name, f"the weight of {requirement.name!r} must be a positive number."
                    )
        Weights.DEFAULT.with_overrides(self.weights)  # raises on a bad override


@dataclass(frozen=True, slots=True)
class CandidateProfile:
    key: str  # the candidate's id: ties are broken on it
    text: str = ""
    title: str = ""
    past_titles: tuple[str, ...] = ()
    skills: tuple[ProfileSkill, ...] = ()
    years: float | None = None
    seniority: str = ""
    location: Place | None = None
    last_active_at: datetime.datetime | None = None
    stage_reached: str = ""
    silver_medalist: bool = False
    engagement: float | None = None  # 0..100
    embedding: Vector | None = None

    def __post_init__(self) -> None:
        _check_years("years", self.years)
        if self.seniority and self.seniority not in SENIORITY_LEVELS:
            raise MatchInputError("seniority", f"must be one of {', '.join(SENIORITY_LEVELS)}.")
        if self.stage_reached and self.stage_reached not in STAGES:
            raise MatchInputError("stage_reached", f"must be one of {', '.join(STAGES)}.")
        if self.engagement is not None and not (
            _is_weight(self.engagement) and 0 <= self.engagement <= 100
        ):
            raise MatchInputError("engagement", "must be a number from 0 to 100.")
        if self.last_active_at is not None and self.last_active_at.tzinfo is None:
            raise MatchInputError("last_active_at", "must be timezone-aware.")

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(t for t in (self.title, *self.past_titles) if t.strip())


def _is_weight(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _check_years(name: str, value: float | None) -> None:
    if value is not None and not (_is_weight(value) and 0 <= value <= 80):
        raise MatchInputError(name, "must be a number of years from 0 to 80.")


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each criterion counts. Defaults favour what the job asks for (skills, text,
    title, meaning) over context (experience, location) and over behaviour (recency, past
    process, engagement), which should order close candidates rather than decide."""

    skills: float = 1.0
    lexical: float = 1.0
    title: float = 1.0
    semantic: float = 1.0
    experience: float = 0.5
    seniority: float = 0.5
    location: float = 0.5
    recency: float = 0.25
    past_process: float = 0.25
    engagement: float = 0.25

    DEFAULT: ClassVar[Weights]  # set below the class: the defaults

    def with_overrides(self, overrides: Mapping[str, object]) -> Weights:
        """These weights with some replaced; raises MatchInputError naming the bad key.

        A weight is a number from 0 (ignore the criterion) to 100; at least one must stay
        above 0.
        """
        known = {f.name for f in fields(self)}
        changes: dict[str, float] = {}
        for key in sorted(overrides):
            value = overrides[key]
            if key not in known:
                raise MatchInputError(
                    f"weights.{key}", f"unknown criterion; use one of {', '.join(sorted(known))}."
                )
            if not _is_weight(value) or not 0 <= float(value) <= MAX_WEIGHT:  # type: ignore[arg-type]
                raise MatchInputError(
                    f"weights.{key}", f"must be a number from 0 to {MAX_WEIGHT:g}."
                )
            changes[key] = float(value)  # type: ignore[arg-type]
        weights = replace(self, **changes)
        if not any(getattr(weights, name) > 0 for name in known):
            raise MatchInputError("weights", "at least one weight must be above 0.")
        return weights

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


Weights.DEFAULT = Weights()

CRITERIA_LABELS = {
    "skills": "Skills",
    "lexical": "Keyword relevance",
    "title": "Job title",
    "semantic": "Semantic similarity",
    "experience": "Years of experience",
    "seniority": "Seniority",
    "location": "Location",
    "recency": "Recent activity",
    "past_process": "Past process",
    "engagement": "Engagement",
}


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    label: str
    score: float | None  # 0..1; None when not assessed
    weight: float
    evidence: dict[str, Any]

    @property
    def assessed(self) -> bool:
        return self.score is not None


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    total: float  # 0..100, two decimals
    criteria: tuple[Criterion, ...]

    def criterion(self, key: str) -> Criterion:
        return next(c for c in self.criteria if c.key == key)


# --------------------------------------------------------------------------- context


def _default_normalize(name: str) -> str:
    from talentloop.resumes.skills import normalize_skill  # loads the catalogue: on first use

    return normalize_skill(name)


@dataclass(slots=True)
class _Prepared:
    counts: dict[str, int]
    weights: dict[str, float]
    self_score: float  # BM25 of the text against itself
    title_vector: dict[str, float]
    skills: dict[str, ProfileSkill]  # skill key -> the profile's entry
    skill_words: dict[str, list[str]]  # word -> skill keys with that word (related skills)
    joined: str | None = None  # " word word ... ": the text's tokens, built on demand


@dataclass(slots=True)
class MatchContext:
    """What a scoring run shares: the corpus statistics, the clock and the skill normaliser.

    It caches each job's and profile's prepared terms, so keep one context per run: statistics
    changed afterwards (`Corpus.add`) are not seen by profiles already prepared.
    """

    corpus: text.Corpus
    titles: text.Corpus
    now: datetime.datetime
    normalize: Callable[[str], str] = _default_normalize
    _cache: dict[int, tuple[object, _Prepared]] = field(default_factory=dict)
    _skill_keys: dict[str, str] = field(default_factory=dict)
    _requirements: dict[int, tuple[JobSpec, list[tuple[str, SkillRequirement, float, str]]]] = (
        field(default_factory=dict)
    )
    _weights: dict[tuple[int, int], tuple[JobSpec, Weights, Weights]] = field(default_factory=dict)

    @classmethod
    def for_profiles(
        cls,
        profiles: Iterable[CandidateProfile],
        *,
        now: datetime.datetime,
        normalize: Callable[[str], str] = _default_normalize,
    ) -> MatchContext:
        """A context whose statistics are those of `profiles` (a workspace, a data set)."""
        corpus, titles = text.Corpus(), text.Corpus()
        for profile in profiles:
            corpus.add(text.counts(profile_text(profile)))
            titles.add(dict.fromkeys(text.terms(" ".join(profile.titles)), 1))
        return cls(corpus=corpus, titles=titles, now=now, normalize=normalize)

    def weights_for(self, job: JobSpec, base: Weights) -> Weights:
        """`base` with the job's overrides, validated once per job and base."""
        hit = self._weights.get((id(job), id(base)))
        if hit is not None and hit[0] is job and hit[1] is base:
            return hit[2]
        active = base.with_overrides(job.weights)
        self._weights[(id(job), id(base))] = (job, base, active)
        return active

    def requirements(self, job: JobSpec) -> list[tuple[str, SkillRequirement, float, str]]:
        """The job's skills as (must/nice, requirement, weight counted, skill key)."""
        hit = self._requirements.get(id(job))
        if hit is not None and hit[0] is job:
            return hit[1]
        found = [
            (kind, r, r.weight * (MUST_FACTOR if kind == "must" else 1.0), self.skill_key(r.name))
            for kind, group in (("must", job.must_skills), ("nice", job.nice_skills))
            for r in group
        ]
        self._requirements[id(job)] = (job, found)
        return found

    def skill_key(self, name: str) -> str:
        key = self._skill_keys.get(name)
        if key is None:
            key = " ".join(text.tokenize(self.normalize(name)))
            self._skill_keys[name] = key
        return key

    def prepared(self, item: JobSpec | CandidateProfile) -> _Prepared:
        hit = self._cache.get(id(item))
        if hit is not None and hit[0] is item:
            return hit[1]
        if isinstance(item, JobSpec):
            counts = text.counts(job_text(item))
            titles = text.terms(item.title)
            skills: dict[str, ProfileSkill] = {}
        else:
            counts = text.counts(profile_text(item))
            titles = text.terms(" ".join(item.titles))
            skills = {}
            for skill in item.skills:
                skills.setdefault(self.skill_key(skill.name), skill)
        words: dict[str, list[str]] = {}
        for key in sorted(skills):
            for word in set(key.split()):
                words.setdefault(word, []).append(key)
        weights = self.corpus.weights(counts)
        prepared = _Prepared(
            counts=dict(counts),
            weights=weights,
            self_score=text.bm25(counts, weights),
            title_vector=text.tfidf_vector(titles, self.titles),
            skills=skills,
            skill_words=words,
        )
        self._cache[id(item)] = (item, prepared)
        return prepared


def job_text(job: JobSpec) -> str:
    names = [s.name for s in (*job.must_skills, *job.nice_skills)]
    return "\n".join(part for part in (job.title, job.description, ", ".join(names)) if part)


def profile_text(profile: CandidateProfile) -> str:
    # The resume text carries the titles and skills already; the title fields are added in case
    # the profile was typed in rather than parsed.
    extra = [t for t in profile.titles if t.lower() not in profile.text.lower()]
    return "\n".join([*extra, profile.text])


# --------------------------------------------------------------------------- criteria


def _skills(
    job: JobSpec, profile: CandidateProfile, ctx: MatchContext, explain: bool
) -> tuple[float | None, dict[str, Any]]:
    requirements = ctx.requirements(job)
    if not requirements:
        return None, {"reason": "The job lists no skills."}
    prepared = ctx.prepared(profile)
    earned = possible = 0.0
    matched: list[dict[str, Any]] = []
    related: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for kind, requirement, weight, key in requirements:
        possible += weight
        listed = prepared.skills.get(key)
        if listed is not None:
            earned += weight
            if explain:
                matched.append(
                    {
                        "skill": requirement.name,
                        "requirement": kind,
                        "as": listed.name,
                        "found_in": listed.section or "skills",
                    }
                )
            continue
        if key and _in_text(key, prepared, profile):
            earned += weight
            if explain:
                matched.append(
                    {
                        "skill": requirement.name,
                        "requirement": kind,
                        "as": requirement.name,
                        "found_in": "resume text",
                    }
                )
            continue
        near = _related(key, prepared)
        if near is not None:
            earned += weight * RELATED_CREDIT
            if explain:
                related.append(
                    {
                        "skill": requirement.name,
                        "requirement": kind,
                        "as": prepared.skills[near].name,
                        "found_in": prepared.skills[near].section or "skills",
                    }
                )
            continue
        if explain:
            missing.append({"skill": requirement.name, "requirement": kind})
    evidence: dict[str, Any] = {}
    if explain:
        evidence = {
            "matched": matched,
            "related": related,
            "missing": missing,
            "missing_must": [m["skill"] for m in missing if m["requirement"] == "must"],
        }
    return earned / possible, evidence


def _in_text(key: str, prepared: _Prepared, profile: CandidateProfile) -> bool:
    """Whether the skill's words appear together, in order, in the profile's text."""
    if " " not in key:
        return key in prepared.counts
    if prepared.joined is None:
        prepared.joined = " " + " ".join(text.tokenize(profile_text(profile))) + " "
    return f" {key} " in prepared.joined


def _related(key: str, prepared: _Prepared) -> str | None:
    words = key.split()
    lists = [prepared.skill_words[w] for w in words if w in prepared.skill_words]
    if not lists:
        return None
    wanted = set(words)
    for candidate in sorted({k for keys in lists for k in keys}):
        have = set(candidate.split())
        if wanted < have or have < wanted:
            return candidate
    return None


def _lexical(
    job: JobSpec, profile: CandidateProfile, ctx: MatchContext, explain: bool
) -> tuple[float | None, dict[str, Any]]:
    query, document = ctx.prepared(job), ctx.prepared(profile)
    if not query.counts:
        return None, {"reason": "The job has no text."}
    cross = text.bm25(query.counts, document.weights)
    value = text.lexical_similarity(cross, query.self_score, document.self_score)
    evidence: dict[str, Any] = {}
    if explain:
        evidence = {
            "shared_terms": text.shared_terms(query.counts, document.weights),
            "bm25": round(cross, 3),
        }
    return value, evidence


def _title(
    job: JobSpec, profile: CandidateProfile, ctx: MatchContext, explain: bool
) -> tuple[float | None, dict[str, Any]]:
    query = ctx.prepared(job)
    if not query.title_vector:
        return None, {"reason": "The job has no title."}
    if not profile.titles:
        return 0.0, {"reason": "The profile has no job titles."}
    value = text.cosine(query.title_vector, ctx.prepared(profile).title_vector)
    evidence: dict[str, Any] = {}
    if explain:
        wanted = set(query.title_vector)
        best = max(profile.titles, key=lambda t: (len(wanted & set(text.terms(t))), -len(t)))
        evidence = {
            "job_title": job.title,
            "closest_title": best,
            "shared_words": sorted(wanted & set(text.terms(" ".join(profile.titles)))),
        }
    return min(1.0, max(0.0, value)), evidence


def _semantic(
    job: JobSpec, profile: CandidateProfile, explain: bool
) -> tuple[float | None, dict[str, Any]]:
    if job.embedding is None:
        return None, {"reason": "The job has no embedding."}
    if profile.embedding is None:
        return 0.0, {"reason": "The profile has no embedding yet."}
    cosine = similarity(job.embedding, profile.embedding)
    value = min(1.0, max(0.0, (cosine - SEMANTIC_FLOOR) / (1.0 - SEMANTIC_FLOOR)))
    return value, ({"cosine": round(cosine, 4)} if explain else {})


def _experience(job: JobSpec, profile: CandidateProfile) -> tuple[float | None, dict[str, Any]]:
    low, high = job.years_min, job.years_max
    if low is None and high is None:
        return None, {"reason": "The job sets no years of experience."}
    wanted = {"years_min": low, "years_max": high}
    if profile.years is None:
        return 0.5, {**wanted, "years": None, "reason": "The profile has no years of experience."}
    years = profile.years
    if low is not None and years < low:
        # Linear down to 0 at no experience: 3 years for a 5-year minimum scores 0.6.
        value = years / low if low else 1.0
    elif high is not None and years > high:
        # Over-qualified counts against only mildly: 0.1 per year over, down to 0.5.
        value = max(0.5, 1.0 - 0.1 * (years - high))
    else:
        value = 1.0
    return value, {**wanted, "years": round(years, 1)}


def _seniority(job: JobSpec, profile: CandidateProfile) -> tuple[float | None, dict[str, Any]]:
    if not job.seniority:
        return None, {"reason": "The job sets no seniority."}
    if not profile.seniority:
        return 0.5, {"wanted": job.seniority, "found": "", "reason": "The profile has none."}
    distance = abs(
        SENIORITY_LEVELS.index(job.seniority) - SENIORITY_LEVELS.index(profile.seniority)
    )
    value = {0: 1.0, 1: 0.5}.get(distance, 0.0)
    return value, {"wanted": job.seniority, "found": profile.seniority, "levels_apart": distance}


def _location(job: JobSpec, profile: CandidateProfile) -> tuple[float | None, dict[str, Any]]:
    if job.remote_policy == "remote":
        return 1.0, {"remote_policy": "remote", "reason": "The job is remote."}
    if job.location is None or job.location.is_empty():
        return None, {"reason": "The job sets no location."}
    wanted = {"job": _place(job.location), "remote_policy": job.remote_policy or "onsite"}
    where = profile.location
    if where is None or where.is_empty():
        return 0.5, {**wanted, "candidate": "", "reason": "The profile has no location."}
    same_country = bool(job.location.country) and _same(job.location.country, where.country)
    same_region = same_country and _same(job.location.region, where.region)
    same_city = _same(job.location.city, where.city) and (
        same_country or not (job.location.country and where.country)
    )
    if same_city:
        value, level = 1.0, "same city"
    elif same_region:
        value, level = (0.8 if job.remote_policy == "hybrid" else 0.6), "same region"
    elif same_country:
        value, level = (0.5 if job.remote_policy == "hybrid" else 0.3), "same country"
    else:
        value, level = 0.0, "elsewhere"
    return value, {**wanted, "candidate": _place(where), "match": level}


def _same(a: str, b: str) -> bool:
    return bool(a) and a.strip().casefold() == b.strip().casefold()


def _place(place: Place) -> str:
    return ", ".join(p for p in (place.city, place.region, place.country) if p)


def _recency(profile: CandidateProfile, now: datetime.datetime) -> tuple[float, dict[str, Any]]:
    if profile.last_active_at is None:
        return 0.0, {"last_active_at": None, "reason": "No activity recorded."}
    days = max(0.0, (now - profile.last_active_at).total_seconds() / 86400.0)
    value = 0.5 ** (days / RECENCY_HALF_LIFE_DAYS)
    return value, {"last_active_at": profile.last_active_at.isoformat(), "days_ago": int(days)}


def _past_process(profile: CandidateProfile) -> tuple[float, dict[str, Any]]:
    if profile.silver_medalist:
        return 1.0, {"stage_reached": profile.stage_reached, "silver_medalist": True}
    if not profile.stage_reached:
        return 0.0, {"stage_reached": "", "silver_medalist": False}
    value = (STAGES.index(profile.stage_reached) + 1) / len(STAGES)
    return value, {"stage_reached": profile.stage_reached, "silver_medalist": False}


def _engagement(profile: CandidateProfile) -> tuple[float, dict[str, Any]]:
    if profile.engagement is None:
        return 0.0, {"engagement": None, "reason": "No engagement recorded."}
    return profile.engagement / 100.0, {"engagement": profile.engagement}


# --------------------------------------------------------------------------- the score


def score(
    job: JobSpec,
    profile: CandidateProfile,
    ctx: MatchContext,
    *,
    weights: Weights | None = None,
    explain: bool = True,
) -> Match:
    """The match of `profile` for `job`, with per-criterion evidence.

    `weights` (default `Weights.DEFAULT`) is overridden by the job's own `weights`. With
    `explain=False` the evidence dicts are left empty (for ranking many profiles); the scores
    are the same.
    """
    active = ctx.weights_for(job, weights or Weights.DEFAULT)
    results: list[tuple[str, tuple[float | None, dict[str, Any]]]] = [
        ("skills", _skills(job, profile, ctx, explain)),
        ("lexical", _lexical(job, profile, ctx, explain)),
        ("title", _title(job, profile, ctx, explain)),
        ("semantic", _semantic(job, profile, explain)),
        ("experience", _experience(job, profile)),
        ("seniority", _seniority(job, profile)),
        ("location", _location(job, profile)),
        ("recency", _recency(profile, ctx.now)),
        ("past_process", _past_process(profile)),
        ("engagement", _engagement(profile)),
    ]
    criteria: list[Criterion] = []
    earned = possible = 0.0
    for key, (value, evidence) in results:
        weight = getattr(active, key)
        if value is not None:
            value = round(value, 6)
            earned += weight * value
            possible += weight
        criteria.append(
            Criterion(key, CRITERIA_LABELS[key], value, weight, evidence if explain else {})
        )
    total = round(100.0 * earned / possible, 2) if possible else 0.0
    return Match(key=profile.key, total=total, criteria=tuple(criteria))


def rank(
    job: JobSpec,
    profiles: Iterable[CandidateProfile],
    ctx: MatchContext,
    *,
    weights: Weights | None = None,
    limit: int | None = None,
    explain: bool = False,
) -> list[Match]:
    """Profiles best first (ties by key), each scored by `score`."""
    matches = [score(job, p, ctx, weights=weights, explain=explain) for p in profiles]
    matches.sort(key=lambda m: (-m.total, m.key))
    return matches if limit is None else matches[:limit]


def job_from_profile(profile: CandidateProfile, *, skills_weight: float = 0.25) -> JobSpec:
    """A job that asks for what `profile` is: "similar candidates".

    Its title is the profile's titles, its text the resume, its nice-to-have skills the
    profile's taxonomy skills (soft skills left out). The skills criterion weighs
    `skills_weight` (default 0.25) rather than 1: a resume's parsed skills are not a
    requirement list, mostly generic tools, and at weight 1 they pulled "similar" candidates
    toward anyone who lists Excel (`talentloop bench rank` shows the ablation).
    """
    seen: set[str] = set()
    nice: list[SkillRequirement] = []
    for skill in profile.skills:
        if skill.category == "soft skill" or skill.name.casefold() in seen:
            continue
        seen.add(skill.name.casefold())
        nice.append(SkillRequirement(skill.name))
    return JobSpec(
        title="; ".join(dict.fromkeys(profile.titles)),
        description=profile.text,
        nice_skills=tuple(nice),
        seniority=profile.seniority,
        location=profile.location,
        weights={"skills": skills_weight},
        embedding=profile.embedding,
    )
