"""What one candidate's search document holds, field by field. Pure: plain data in and out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from talentloop.search.boolean import ALL_WORD, facet, index_text, words

# Enough of a resume to find anyone by what they wrote; a 300-page PDF adds nothing past it.
MAX_BODY_CHARS = 50_000
# Country codes the location field also spells out, so location:germany finds "DE".
COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AR": "Argentina", "AT": "Austria", "AU": "Australia",
    "BE": "Belgium", "BR": "Brazil", "CA": "Canada", "CH": "Switzerland", "CL": "Chile",
    "CN": "China", "CO": "Colombia", "CZ": "Czechia", "DE": "Germany", "DK": "Denmark",
    "EG": "Egypt", "ES": "Spain", "FI": "Finland", "FR": "France", "GB": "United Kingdom UK",
    "GR": "Greece", "HK": "Hong Kong", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland",
    "IL": "Israel", "IN": "India", "IT": "Italy", "JP": "Japan", "KE": "Kenya",
    "KR": "South Korea", "MX": "Mexico", "MY": "Malaysia", "NG": "Nigeria",
    "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand", "PE": "Peru",
    "PH": "Philippines", "PK": "Pakistan", "PL": "Poland", "PT": "Portugal", "RO": "Romania",
    "SA": "Saudi Arabia", "SE": "Sweden", "SG": "Singapore", "TH": "Thailand", "TR": "Turkey",
    "TW": "Taiwan", "UA": "Ukraine", "US": "United States USA", "VN": "Vietnam",
    "ZA": "South Africa",
}  # fmt: skip


def _strings(items: Any, *keys: str) -> Iterable[str]:
    """The string values under `keys` of each dict in `items` (a JSON Resume list)."""
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, dict):
            for key in keys:
                value = item.get(key)
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
        elif isinstance(item, str) and not keys:
            yield item


# "At least N years" words each document carries, so a minimum is one index word.
YEARS_THRESHOLDS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40)


def facets(candidate: Mapping[str, Any], tag_ids: Iterable[int], location_text: str = "") -> str:
    """The structured values filters ask for, as index words."""
    out = [facet("tag", tag_id) for tag_id in sorted(tag_ids)]
    out.extend(
        facet(kind, candidate[kind])
        for kind in ("seniority", "source", "country")
        if candidate.get(kind)
    )
    # The location filter's words (the location: field in a query reads the location column).
    out.extend(facet("loc", word) for word in dict.fromkeys(words(location_text)))
    years = candidate.get("years_experience")
    if years is not None:
        out.append(facet("years", int(years)))
        out.extend(facet("yearsge", t) for t in YEARS_THRESHOLDS if t <= years)
    return " ".join(out)


def build(
    candidate: Mapping[str, Any], resume: Any, resume_text: str, tag_ids: Iterable[int] = ()
) -> dict[str, str]:
    """The document's columns for `candidate` (a dict of Candidate fields), its JSON Resume,
    its latest resume's extracted text and its tags' ids."""
    resume = resume if isinstance(resume, dict) else {}
    basics = resume.get("basics") if isinstance(resume.get("basics"), dict) else {}
    assert isinstance(basics, dict)
    work, education = resume.get("work"), resume.get("education")
    country = str(candidate.get("country") or "")
    location = basics.get("location") if isinstance(basics.get("location"), dict) else {}
    assert isinstance(location, dict)
    location_words = index_text(
        str(candidate.get("city") or ""),
        str(candidate.get("region") or ""),
        country,
        COUNTRY_NAMES.get(country, ""),
        *(str(location.get(key) or "") for key in ("city", "region")),
    )
    body_parts = [
        str(candidate.get("headline") or ""),
        str(basics.get("label") or ""),
        str(basics.get("summary") or ""),
        *_strings(work, "summary", "highlights", "description"),
        *_strings(resume.get("projects"), "name", "description", "keywords"),
        *_strings(resume.get("certificates"), "name"),
        *_strings(resume.get("languages"), "language"),
        resume_text[:MAX_BODY_CHARS],
    ]
    return {
        "name": index_text(
            str(candidate.get("first_name") or ""), str(candidate.get("last_name") or "")
        ),
        "title": index_text(str(candidate.get("current_title") or ""), *_strings(work, "position")),
        "company": index_text(str(candidate.get("current_company") or ""), *_strings(work, "name")),
        "skills": index_text(*_strings(resume.get("skills"), "name", "keywords")),
        "location": location_words,
        "school": index_text(*_strings(education, "institution", "area", "studyType")),
        "body": f"{ALL_WORD} {index_text(*body_parts)}".rstrip(),
        "facets": facets(candidate, tag_ids, location_words),
    }
