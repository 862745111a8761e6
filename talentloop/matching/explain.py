"""One plain sentence per criterion of a stored match, for the pages. Pure: dicts in, text out."""

from __future__ import annotations

from typing import Any


def _skills(evidence: dict[str, Any]) -> str:
    def names(items: list[dict[str, Any]]) -> str:
        return ", ".join(
            item["skill"]
            + (f" (as {item['as']})" if item.get("as") and item["as"] != item["skill"] else "")
            + (f" in {item['found_in']}" if item.get("found_in") else "")
            for item in items
        )

    parts = []
    if evidence.get("matched"):
        parts.append("Has " + names(evidence["matched"]))
    if evidence.get("related"):
        parts.append("related: " + names(evidence["related"]))
    missing = evidence.get("missing") or []
    must = [m["skill"] for m in missing if m.get("requirement") == "must"]
    nice = [m["skill"] for m in missing if m.get("requirement") != "must"]
    if must:
        parts.append("missing must-haves: " + ", ".join(must))
    if nice:
        parts.append("missing nice-to-haves: " + ", ".join(nice))
    return "; ".join(parts) + "." if parts else ""


def _lexical(evidence: dict[str, Any]) -> str:
    terms = evidence.get("shared_terms") or []
    words = [t if isinstance(t, str) else str(t.get("term", t)) for t in terms][:8]
    return f"Shares {', '.join(words)} with the job text." if words else "Few words in common."


def _title(evidence: dict[str, Any]) -> str:
    closest = evidence.get("closest_title")
    return f"Closest title: {closest}." if closest else ""


def _experience(evidence: dict[str, Any]) -> str:
    low, high, years = evidence.get("years_min"), evidence.get("years_max"), evidence.get("years")
    wanted = (
        f"{low:g} to {high:g}" if low is not None and high is not None
        else f"{low:g}+" if low is not None
        else f"up to {high:g}" if high is not None
        else ""
    )  # fmt: skip
    has = f"has {years:g}" if years is not None else "unknown"
    return f"{wanted} years wanted, {has}." if wanted else ""


def _seniority(evidence: dict[str, Any]) -> str:
    if evidence.get("wanted"):
        return f"{evidence['wanted']} wanted, {evidence.get('found') or 'unknown'}."
    return ""


def _location(evidence: dict[str, Any]) -> str:
    if evidence.get("match"):
        return f"{evidence.get('candidate')}: {evidence['match']} ({evidence.get('job')})."
    return ""


def _semantic(evidence: dict[str, Any]) -> str:
    cosine = evidence.get("cosine")
    return f"Meaning similarity {cosine:.2f} (cosine)." if cosine is not None else ""


def _recency(evidence: dict[str, Any]) -> str:
    days = evidence.get("days_ago")
    return f"Last active {days} days ago." if days is not None else ""


def _past_process(evidence: dict[str, Any]) -> str:
    if evidence.get("silver_medalist"):
        return "Silver medalist in an earlier process."
    if evidence.get("stage_reached"):
        return f"Reached {evidence['stage_reached']} in an earlier process."
    return "No earlier process."


def _engagement(evidence: dict[str, Any]) -> str:
    value = evidence.get("engagement")
    return f"Engagement score {value:g}." if value is not None else ""


_SENTENCES = {
    "skills": _skills,
    "lexical": _lexical,
    "title": _title,
    "experience": _experience,
    "seniority": _seniority,
    "location": _location,
    "semantic": _semantic,
    "recency": _recency,
    "past_process": _past_process,
    "engagement": _engagement,
}


def sentence(criterion: dict[str, Any]) -> str:
    """What the evidence of one stored criterion says ("Has Python in skills; missing
    must-haves: Go."), or its reason when it was not assessed or had no data."""
    evidence = criterion.get("evidence") or {}
    reason = evidence.get("reason")
    try:
        text = _SENTENCES.get(criterion.get("key", ""), lambda e: "")(evidence)
    except (TypeError, ValueError, KeyError, AttributeError):
        text = ""  # evidence written by an older version: show the reason or nothing
    return text or reason or ""


def rows(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The criteria for a page: assessed ones first (by weight), each with its sentence."""
    out: list[dict[str, Any]] = [
        {
            "key": c.get("key"),
            "label": c.get("label"),
            "score": c.get("score"),
            "percent": None if c.get("score") is None else round(100 * c["score"]),
            "weight": c.get("weight"),
            "text": sentence(c),
        }
        for c in criteria
    ]
    out.sort(key=lambda r: (r["score"] is None, -float(r["weight"] or 0)))
    return out
