"""Merge the trained tagger's entities (`talentloop.resumes.tagger`) into a rule-parsed resume.

Per field, one of (chosen by 5-fold cross-validation on the dotin set and checked on DataTurks,
see the tagger's report):

* ``"rules"``: the tagger is not used;
* ``"fill"``: the tagger's values are used only when the rules found nothing for the field;
* ``"union"``: the tagger's values (with at least `MIN_CONFIDENCE`) are added to the rules'
  values, skipping those the rules already hold.

What is added stays plain structure: a company or title fills the first job that lacks one,
else becomes a job of its own; an institution a school; a skill a `SkillHit` with the
catalogue's canonical name when it knows the phrase (section ``"tagger"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from talentloop.resumes.parsed import Job, ParsedResume, School, SkillHit
from talentloop.resumes.tagger import Entities, tag_entities

STRATEGY: dict[str, str] = {
    "name": "fill",
    "location": "fill",
    "companies": "union",
    "titles": "union",
    "degrees": "rules",
    "institutions": "fill",
    "skills": "union",
}
MIN_CONFIDENCE: dict[str, float] = {
    "name": 0.0,
    "location": 0.0,
    "companies": 0.5,
    "titles": 0.5,
    "degrees": 0.0,
    "institutions": 0.0,
    "skills": 0.0,
}
# Tagger values count for less than the rules' own (a field's confidence is scaled by this).
TAGGER_WEIGHT = 0.6

_KEY_RE = re.compile(r"[^\w+#]+")


def _key(value: str) -> str:
    return _KEY_RE.sub(" ", value.lower().replace(".", "")).strip()


def _covered(value: str, known: set[str]) -> bool:
    """`value` is already among `known` keys, or contained in one or holding one."""
    key = _key(value)
    if not key:
        return True
    if key in known:
        return True
    words = set(key.split())
    return any(words <= set(other.split()) or set(other.split()) <= words for other in known)


def apply_tagger(
    parsed: ParsedResume,
    text: str,
    *,
    entities: Entities | None = None,
    strategy: Mapping[str, str] | None = None,
) -> None:
    """Add the tagger's entities of `text` to `parsed`, in place, field by field."""
    plan = {**STRATEGY, **(strategy or {})}
    if all(mode == "rules" for mode in plan.values()):
        return
    found = entities if entities is not None else tag_entities(text)
    if not found:
        return

    def values(kind: str) -> list[tuple[str, float]]:
        floor = MIN_CONFIDENCE.get(kind, 0.0)
        return [(v, c) for v, c in found.get(kind, []) if c >= floor]

    def wanted(kind: str, rules_have: bool) -> list[tuple[str, float]]:
        mode = plan.get(kind, "rules")
        if mode == "fill" and not rules_have:
            return values(kind)
        if mode == "union":
            return values(kind)
        return []

    confidence = parsed.confidence

    # name: the most confident one.
    names = wanted("name", bool(parsed.name))
    if names:
        value, conf = max(names, key=lambda x: x[1])
        if not parsed.name:
            parsed.name = value
            confidence["name"] = round(conf * TAGGER_WEIGHT, 2)

    # location: the first one, when the resume has none.
    places = wanted("location", bool(parsed.location or any(j.location for j in parsed.work)))
    if places and not parsed.location:
        parsed.location = places[0][0]
        confidence["location"] = round(places[0][1] * TAGGER_WEIGHT, 2)

    # companies and titles: fill jobs that lack them, else add jobs.
    for kind, attribute in (("companies", "company"), ("titles", "title")):
        held = [getattr(job, attribute) for job in parsed.work]
        if attribute == "title" and parsed.headline:
            held.append(parsed.headline)
        known = {_key(v) for v in held if v}
        for value, conf in wanted(kind, bool(known)):
            if _covered(value, known):
                continue
            known.add(_key(value))
            job = next((j for j in parsed.work if not getattr(j, attribute)), None)
            if job is None:
                job = Job(confidence=round(conf * TAGGER_WEIGHT, 2))
                parsed.work.append(job)
            setattr(job, attribute, value)

    # degrees and institutions: fill schools that lack them, else add schools.
    for kind, attribute in (("degrees", "degree"), ("institutions", "institution")):
        known = {_key(getattr(s, attribute)) for s in parsed.education if getattr(s, attribute)}
        for value, conf in wanted(kind, bool(known)):
            if _covered(value, known):
                continue
            known.add(_key(value))
            school = next((s for s in parsed.education if not getattr(s, attribute)), None)
            if school is None:
                school = School(confidence=round(conf * TAGGER_WEIGHT, 2))
                parsed.education.append(school)
            setattr(school, attribute, value)

    # skills: new hits for phrases no rule hit names.
    known = {_key(k) for hit in parsed.skills for k in (hit.name, hit.canonical) if k}
    new = [(v, c) for v, c in wanted("skills", bool(known)) if _key(v) and _key(v) not in known]
    if new:
        lookup = _lookup()
        for value, conf in new:
            skill = lookup(value) if lookup else None
            canonical = skill.name if skill is not None else ""
            if canonical and _key(canonical) in known:
                continue
            known.add(_key(value))
            if canonical:
                known.add(_key(canonical))
            parsed.skills.append(
                SkillHit(
                    name=value,
                    canonical=canonical,
                    category=skill.category if skill is not None else "",
                    section="tagger",
                    confidence=round(conf * TAGGER_WEIGHT, 2),
                )
            )


def _lookup() -> Callable[[str], Any] | None:
    try:
        from talentloop.resumes.skills import default_catalogue
    except ImportError:  # pragma: no cover - the module is optional
        return None
    return default_catalogue().lookup
