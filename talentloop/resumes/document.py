"""The stored parse result (a JSON Resume document with Talentloop's `meta.talentloop`) read
and changed field by field, as the review screen and corrections see it. Pure."""

from __future__ import annotations

import copy
from typing import Any

# The fields a recruiter reviews and corrects, in screen order, with their labels.
FIELD_LABELS = {
    "name": "Name",
    "headline": "Headline",
    "emails": "E-mails",
    "phones": "Phones",
    "links": "Links",
    "location": "Location",
    "summary": "Summary",
    "work": "Work history",
    "education": "Education",
    "skills": "Skills",
    "languages": "Languages",
    "certifications": "Certifications",
    "years_experience": "Years of experience",
}
FIELDS = tuple(FIELD_LABELS)
LIST_FIELDS = frozenset({"emails", "phones", "links", "skills", "languages", "certifications"})


def _meta(document: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = document.setdefault("meta", {}).setdefault("talentloop", {})
    return meta


def get_field(document: dict[str, Any], field: str) -> Any:
    """The value of one reviewed field: a string, a number, a list of strings, or (work and
    education) a list of entries."""
    basics = document.get("basics") or {}
    meta = (document.get("meta") or {}).get("talentloop") or {}
    if field == "name":
        return basics.get("name", "")
    if field == "headline":
        return basics.get("label", "")
    if field == "summary":
        return basics.get("summary", "")
    if field == "location":
        return (basics.get("location") or {}).get("address", "")
    if field in ("emails", "phones"):
        return list(meta.get(field) or [])
    if field == "links":
        return [p.get("url", "") for p in basics.get("profiles") or [] if p.get("url")]
    if field == "skills":
        return [s.get("name", "") for s in document.get("skills") or [] if s.get("name")]
    if field == "languages":
        return [x.get("language", "") for x in document.get("languages") or []]
    if field == "certifications":
        return [x.get("name", "") for x in document.get("certificates") or []]
    if field == "years_experience":
        return meta.get("yearsExperience")
    if field in ("work", "education"):
        return copy.deepcopy(document.get(field) or [])
    raise KeyError(field)


def set_field(document: dict[str, Any], field: str, value: Any) -> None:
    """Change one reviewed field in place (the value already validated)."""
    basics = document.setdefault("basics", {})
    meta = _meta(document)
    if field == "name":
        basics["name"] = value
    elif field == "headline":
        basics["label"] = value
    elif field == "summary":
        basics["summary"] = value
    elif field == "location":
        basics["location"] = {"address": value}
    elif field == "emails":
        meta["emails"] = list(value)
        basics["email"] = value[0] if value else ""
    elif field == "phones":
        meta["phones"] = list(value)
        basics["phone"] = value[0] if value else ""
    elif field == "links":
        basics["profiles"] = [{"url": url} for url in value]
    elif field == "skills":
        old = {s.get("name"): s for s in document.get("skills") or []}
        document["skills"] = [old.get(name) or {"name": name, "keywords": [name]} for name in value]
    elif field == "languages":
        document["languages"] = [{"language": language} for language in value]
    elif field == "certifications":
        document["certificates"] = [{"name": name} for name in value]
    elif field == "years_experience":
        meta["yearsExperience"] = value
    elif field in ("work", "education"):
        document[field] = copy.deepcopy(value)
    else:
        raise KeyError(field)


def confidence(document: dict[str, Any], field: str) -> float:
    meta = (document.get("meta") or {}).get("talentloop") or {}
    if field in (meta.get("corrected") or []):
        return 1.0
    return float((meta.get("confidence") or {}).get(field, 0.0))


def entry_confidences(document: dict[str, Any], field: str) -> list[float]:
    """The confidence of each work or education entry (1 for all once corrected)."""
    meta = (document.get("meta") or {}).get("talentloop") or {}
    count = len(document.get(field) or [])
    if field in (meta.get("corrected") or []):
        return [1.0] * count
    values = list(((meta.get("entryConfidence") or {}).get(field)) or [])
    return [float(v) for v in values[:count]] + [confidence(document, field)] * (
        count - len(values)
    )


def corrected_fields(document: dict[str, Any]) -> list[str]:
    meta = (document.get("meta") or {}).get("talentloop") or {}
    return list(meta.get("corrected") or [])


def apply_corrections(document: dict[str, Any], corrections: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` with the recruiter's values in place of the parser's."""
    result = copy.deepcopy(document)
    for field, value in corrections.items():
        set_field(result, field, value)
    meta = _meta(result)
    meta["corrected"] = sorted(set(meta.get("corrected") or []) | set(corrections))
    return result
