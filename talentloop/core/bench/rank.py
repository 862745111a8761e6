"""`talentloop bench rank`: ranking quality of the match score against plain BM25.

The data set's layout is read from its files, so any folder laid out like one of these works:

* **livecareer-resumes** (``texts.jsonl.gz`` of ``{id, category, text}``): query by example.
  Each resume (first line stripped: it is often the category name) is turned into a job with
  `scoring.job_from_profile` and ranks all the others; relevant means the same category.
  P@10 and nDCG@10, macro-averaged over categories. Nothing is fitted to the categories.
* **ferr-hr-relevance** (``Human Annotation/label_interaction.csv``): each job's keyword list
  (``recommendation_rationale.skill_jd``) is the job's text and its nice-to-have skills; it
  ranks its judged resumes found in ``../livecareer-resumes``; graded gain = grade - 1.
  nDCG@5, nDCG over all judged resumes, and pairwise order accuracy.
* **vacancy-resume-matching** (``5_vacancies.csv``, ``CV/*.docx``, annotations): for each
  annotated CV, the five vacancies ranked by our score against each annotator's ranking:
  Spearman's rho, and nDCG@5 with gain 5 - position; the annotators' agreement is the ceiling.

The baseline in the same run, on the same texts: Okapi BM25 (k1 1.2, b 0.75, same tokens and
corpus statistics) of the query text against each document (`text.bm25`).

The printed table has an ablation: each criterion alone and the score without it.
"""

from __future__ import annotations

import ast
import csv
import datetime
import gzip
import hashlib
import heapq
import itertools
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talentloop.matching import embedding, scoring, text
from talentloop.matching.scoring import CandidateProfile, JobSpec, ProfileSkill

Log = Callable[[str], None]
# A fixed clock: the bench's profiles have no activity, and the score must not read the time.
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


class DatasetError(ValueError):
    """The folder is not laid out like a ranking set, or a file in it is unreadable."""


def detect_layout(path: Path) -> str:
    """Which ranking set `path` is laid out like, from its files."""
    if not path.is_dir():
        raise DatasetError(f"Not a folder: {path}")
    if (path / "texts.jsonl.gz").is_file():
        return "livecareer"
    if (path / "Human Annotation" / "label_interaction.csv").is_file():
        return "ferr"
    if (path / "5_vacancies.csv").is_file() and (path / "CV").is_dir():
        return "vacancy"
    raise DatasetError(
        f"{path} is laid out like no ranking set: expected texts.jsonl.gz (livecareer-resumes), "
        "Human Annotation/label_interaction.csv (ferr-hr-relevance) or 5_vacancies.csv and CV/ "
        "(vacancy-resume-matching)."
    )


def run(path: Path, *, limit: int | None = None, log: Log) -> dict[str, Any]:
    """The report of one data set folder (its JSON keys; the table goes to `log`)."""
    layout = detect_layout(path)
    started = time.perf_counter()
    if layout == "livecareer":
        report = livecareer(path, limit=limit, log=log)
    elif layout == "ferr":
        report = ferr(path, log=log)
    else:
        report = vacancy(path, log=log)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


# --------------------------------------------------------------------------- profiles


def profile_of(key: str, resume: str, vector: embedding.Vector | None) -> CandidateProfile:
    """A profile from a resume text, through the resume parser (titles, skills, years)."""
    from talentloop.resumes.fields import parse_text  # on first use: it loads the catalogue

    parsed = parse_text(resume, today=NOW.date())
    titles = tuple(dict.fromkeys(j.title for j in parsed.work if j.title.strip()))
    return CandidateProfile(
        key=key,
        text=resume,
        title=titles[0] if titles else "",
        past_titles=titles[1:],
        skills=tuple(
            ProfileSkill(s.canonical or s.name, s.section, s.category) for s in parsed.skills
        ),
        years=min(parsed.years_experience, 80.0) if parsed.years_experience else None,
        embedding=vector,
    )


def _embed(texts: Sequence[str], log: Log) -> list[embedding.Vector]:
    started = time.perf_counter()
    embedding.embed(["warm-up"])  # loading the model is not embedding throughput
    log(f"  embedding model loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    vectors = embedding.embed(texts)
    elapsed = time.perf_counter() - started
    log(
        f"  embedded {len(texts):,} texts in {elapsed:.1f} s "
        f"({len(texts) / elapsed if elapsed else 0:,.0f} texts/s, {embedding.MODEL_NAME})"
    )
    return vectors


def _vector(match: scoring.Match) -> dict[str, float]:
    return {c.key: c.score for c in match.criteria if c.score is not None}


def _combine(scores: dict[str, float], weights: dict[str, float]) -> float:
    return sum(weights.get(k, 0.0) * v for k, v in scores.items())


def _configs(weights: dict[str, float], assessed: Sequence[str]) -> dict[str, dict[str, float]]:
    """The ablation: the score, each criterion alone, and the score without each."""
    configs = {"score": weights}
    for key in assessed:
        configs[f"only {key}"] = {key: 1.0}
    for key in assessed:
        if weights.get(key, 0.0) > 0:
            configs[f"without {key}"] = {**weights, key: 0.0}
    return configs


# --------------------------------------------------------------------------- metrics


def _dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg(ranked_gains: Sequence[float], all_gains: Sequence[float], k: int | None) -> float:
    ideal = sorted(all_gains, reverse=True)
    top = list(ranked_gains) if k is None else list(ranked_gains)[:k]
    best = _dcg(ideal if k is None else ideal[:k])
    return _dcg(top) / best if best else 0.0


def spearman(a: Sequence[int], b: Sequence[int]) -> float:
    """Spearman's rho of two rankings of the same items without ties (positions 1..n)."""
    n = len(a)
    squared = sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
    return 1.0 - 6.0 * squared / (n * (n * n - 1))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 3) if base else None


# --------------------------------------------------------------------------- livecareer


def livecareer(path: Path, *, limit: int | None, log: Log) -> dict[str, Any]:
    rows = _jsonl(path / "texts.jsonl.gz")
    if len(rows) < 2:
        raise DatasetError(f"{path / 'texts.jsonl.gz'} needs at least two resumes.")
    keys = [str(r["id"]) for r in rows]
    categories = [str(r["category"]) for r in rows]
    resumes = [str(r["text"]).partition("\n")[2] for r in rows]  # the first line stripped
    log(f"{path.name} (livecareer layout): {len(rows):,} resumes, first line stripped")
    vectors = _embed(resumes, log)
    started = time.perf_counter()
    profiles = [profile_of(k, t, v) for k, t, v in zip(keys, resumes, vectors, strict=True)]
    log(f"  parsed {len(profiles):,} resumes in {time.perf_counter() - started:.1f} s")
    ctx = scoring.MatchContext.for_profiles(profiles, now=NOW)
    plain = [ctx.prepared(p) for p in profiles]
    size = {c: categories.count(c) for c in set(categories)}

    queries = list(range(len(rows)))[:limit]
    jobs = [scoring.job_from_profile(profiles[q]) for q in queries]
    weights = scoring.Weights.DEFAULT.with_overrides(jobs[0].weights).as_dict()
    assessed = ["skills", "lexical", "title", "semantic"]
    configs = _configs(weights, assessed)
    configs["skills weight 1"] = {**weights, "skills": 1.0}
    found: dict[str, list[list[bool]]] = defaultdict(list)
    started = time.perf_counter()
    for q, job in zip(queries, jobs, strict=True):
        others = [i for i in range(len(rows)) if i != q]
        vectors_of = {
            i: _vector(scoring.score(job, profiles[i], ctx, explain=False)) for i in others
        }
        query_counts = plain[q].counts
        baseline = {i: text.bm25(query_counts, plain[i].weights) for i in others}
        for name, config in configs.items():
            found[name].append(
                _top_relevant(
                    {i: _combine(vectors_of[i], config) for i in others}, keys, categories, q
                )
            )
        found["bm25"].append(_top_relevant(baseline, keys, categories, q))
    elapsed = time.perf_counter() - started
    log(
        f"  scored {len(queries):,} queries x {len(rows) - 1:,} resumes in {elapsed:.1f} s "
        f"({len(queries) * (len(rows) - 1) / elapsed if elapsed else 0:,.0f} matches/s)"
    )

    def metrics(name: str, subset: Callable[[int], bool] = lambda _q: True) -> tuple[float, float]:
        per_category: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for position, q in enumerate(queries):
            if not subset(q):
                continue
            relevant = found[name][position]
            ideal = [1.0] * min(10, size[categories[q]] - 1)
            per_category[categories[q]].append(
                (ndcg([float(r) for r in relevant], ideal, 10), sum(relevant) / 10)
            )
        if not per_category:
            return 0.0, 0.0
        return (
            _mean([_mean([n for n, _ in v]) for v in per_category.values()]),
            _mean([_mean([p for _, p in v]) for v in per_category.values()]),
        )

    ours, base = metrics("score"), metrics("bm25")
    table = {name: metrics(name) for name in [*configs, "bm25"]}
    _print_table(log, table, base[0], "nDCG@10", "P@10")

    def fold(q: int) -> int:
        # Halves of the queries, independent of the set's own dev/held-out key.
        digest = hashlib.sha1(keys[q].encode(), usedforsecurity=False).hexdigest()
        return int(digest[8:16], 16) % 2

    folds = {}
    for half in (0, 1):

        def in_half(q: int, half: int = half) -> bool:
            return fold(q) == half

        mine, theirs = metrics("score", in_half), metrics("bm25", in_half)
        folds[f"fold_{half}"] = {
            "ndcg_at_10": _r(mine[0]),
            "bm25_ndcg_at_10": _r(theirs[0]),
            "ratio": _ratio(mine[0], theirs[0]),
        }
    log("  by query halves: " + json.dumps(folds))
    return {
        "dataset": path.name,
        "layout": "livecareer",
        "queries": len(queries),
        "documents": len(rows),
        "ndcg_at_10": _r(ours[0]),
        "p_at_10": _r(ours[1]),
        "bm25_ndcg_at_10": _r(base[0]),
        "bm25_p_at_10": _r(base[1]),
        "ratio": _ratio(ours[0], base[0]),
        "target_ratio": 1.15,
        "folds": folds,
        "weights": weights,
        "ablation": {
            name: {"ndcg_at_10": _r(n), "p_at_10": _r(p)} for name, (n, p) in table.items()
        },
        "embedding": embedding.MODEL_NAME,
    }


def _top_relevant(
    scores: dict[int, float], keys: Sequence[str], categories: Sequence[str], query: int
) -> list[bool]:
    top = heapq.nsmallest(10, scores, key=lambda i: (-scores[i], keys[i]))
    return [categories[i] == categories[query] for i in top]


def _print_table(
    log: Log, table: dict[str, tuple[float, float]], base: float, first: str, second: str
) -> None:
    log(f"  {'ranking':<24} {first:>8} {second:>8} {'x BM25':>7}")
    for name, (a, b) in table.items():
        log(f"  {name:<24} {a:>8.4f} {b:>8.4f} {(a / base if base else 0):>7.3f}")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            rows = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError, EOFError) as error:
        raise DatasetError(f"Cannot read {path}: {error}") from None
    for row in rows:
        if not isinstance(row, dict) or not {"id", "category", "text"} <= row.keys():
            raise DatasetError(f"{path}: every line needs id, category and text.")
    return rows


def _csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"Cannot read {path}: {error}") from None


# --------------------------------------------------------------------------- ferr


@dataclass(slots=True)
class _Judged:
    jd: str
    keywords: list[str]
    grades: dict[str, float]  # resume id -> mean grade (1..7)


def ferr(path: Path, *, log: Log) -> dict[str, Any]:
    folder = path / "Human Annotation"
    resumes_path = path.parent / "livecareer-resumes" / "texts.jsonl.gz"
    if not resumes_path.is_file():
        raise DatasetError(f"The judged resumes are read from {resumes_path}, which is missing.")
    texts = {str(r["id"]): str(r["text"]) for r in _jsonl(resumes_path)}
    recommendation_jd = {r["id"]: r["jd_id"] for r in _csv(folder / "model_recommendation.csv")}
    keywords: dict[str, list[str]] = defaultdict(list)
    for row in _csv(folder / "recommendation_rationale.csv"):
        jd = recommendation_jd.get(row.get("recommendation_id", ""))
        word = " ".join(row.get("skill_jd", "").split())
        if jd and word and word.casefold() not in {k.casefold() for k in keywords[jd]}:
            keywords[jd].append(word)
    grades: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in _csv(folder / "label_interaction.csv"):
        try:
            grade = float(row["score"])
        except (KeyError, ValueError):
            raise DatasetError(f"label_interaction.csv: a bad score in row {row}") from None
        if row.get("resume_id") in texts:
            grades[row["jd_id"]][row["resume_id"]].append(grade)
    judged = [
        _Judged(jd, keywords[jd], {r: _mean(g) for r, g in sorted(grades[jd].items())})
        for jd in sorted(grades)
        if keywords.get(jd) and len(grades[jd]) >= 2
    ]
    if not judged:
        raise DatasetError(f"{path}: no job has keywords and two judged resumes in {resumes_path}.")
    log(
        f"{path.name} (ferr layout): {len(judged)} jobs with keywords, "
        f"{sum(len(j.grades) for j in judged)} judged resumes found in {resumes_path.parent.name}"
    )
    pool = sorted({r for j in judged for r in j.grades})
    vectors = _embed([texts[r] for r in pool] + [", ".join(j.keywords) for j in judged], log)
    profiles = {
        r: profile_of(r, texts[r], v) for r, v in zip(pool, vectors[: len(pool)], strict=True)
    }
    ctx = scoring.MatchContext.for_profiles(profiles.values(), now=NOW)
    # BM25's statistics come from the whole resume set, not only the few judged ones.
    ctx.corpus = text.Corpus.of(text.counts(t) for t in texts.values())
    assessed = ["skills", "lexical", "semantic"]
    weights = scoring.Weights.DEFAULT.as_dict()
    configs = {**_configs(weights, assessed), "bm25": {}}
    results: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in configs}
    for judgement, vector in zip(judged, vectors[len(pool) :], strict=True):
        words = judgement.keywords
        job = JobSpec(
            description=", ".join(words),
            nice_skills=tuple(scoring.SkillRequirement(w) for w in words),
            embedding=vector,
        )
        query = text.counts(scoring.job_text(job))
        candidates = list(judgement.grades)
        vectors_of = {
            r: _vector(scoring.score(job, profiles[r], ctx, explain=False)) for r in candidates
        }
        for name, config in configs.items():
            if name == "bm25":
                scores = {
                    r: text.bm25(query, ctx.prepared(profiles[r]).weights) for r in candidates
                }
            else:
                scores = {r: _combine(vectors_of[r], config) for r in candidates}
            order = sorted(candidates, key=lambda r: (-scores[r], r))
            gains = [judgement.grades[r] - 1.0 for r in order]
            results[name]["ndcg_at_5"].append(ndcg(gains, gains, 5))
            results[name]["ndcg_all"].append(ndcg(gains, gains, None))
            results[name]["ndcg_at_10"].append(ndcg(gains, gains, 10))
            results[name]["pairwise"].extend(_pairs(order, judgement.grades))
    table = {name: (_mean(r["ndcg_at_5"]), _mean(r["ndcg_all"])) for name, r in results.items()}
    _print_table(log, table, table["bm25"][0], "nDCG@5", "nDCG")
    ours, base = results["score"], results["bm25"]
    return {
        "dataset": path.name,
        "layout": "ferr",
        "queries": len(judged),
        "documents": len(pool),
        "ndcg_at_10": _r(_mean(ours["ndcg_at_10"])),
        "p_at_10": None,
        "bm25_ndcg_at_10": _r(_mean(base["ndcg_at_10"])),
        "bm25_p_at_10": None,
        "ndcg_at_5": _r(_mean(ours["ndcg_at_5"])),
        "ndcg_all": _r(_mean(ours["ndcg_all"])),
        "pairwise_accuracy": _r(_mean(ours["pairwise"])),
        "bm25_ndcg_at_5": _r(_mean(base["ndcg_at_5"])),
        "bm25_ndcg_all": _r(_mean(base["ndcg_all"])),
        "bm25_pairwise_accuracy": _r(_mean(base["pairwise"])),
        "ratio": _ratio(_mean(ours["ndcg_at_5"]), _mean(base["ndcg_at_5"])),
        "ablation": {
            name: {"ndcg_at_5": _r(a), "ndcg_all": _r(b)} for name, (a, b) in table.items()
        },
        "embedding": embedding.MODEL_NAME,
    }


def _pairs(order: Sequence[str], grades: dict[str, float]) -> list[float]:
    """1 per pair of different grades ranked in grade order, 0 per pair ranked against it."""
    return [
        1.0 if grades[first] > grades[second] else 0.0
        for i, first in enumerate(order)
        for second in order[i + 1 :]
        if grades[first] != grades[second]
    ]


# --------------------------------------------------------------------------- vacancies


# The arrays are Python literals with "#1-5" comments; the last "]" before the next block ends one.
_ANNOTATOR = re.compile(
    r"ANNOTATOR_(\d+)_RANKINGS\s*=\s*(\[.*?\])[ \t]*(?:#[^\n]*)?\s*(?=ANNOTATOR_|NOTE|\Z)", re.S
)


def read_annotations(path: Path) -> dict[int, list[list[int] | None]]:
    """Annotator number -> one best-first array of vacancy numbers per CV (None: missing or
    invalid, such as an array that repeats a vacancy)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"Cannot read {path}: {error}") from None
    annotators: dict[int, list[list[int] | None]] = {}
    for number, literal in _ANNOTATOR.findall(raw):
        cleaned = re.sub(r"#[^\n]*", "", literal)
        try:
            arrays = ast.literal_eval(cleaned)
        except (ValueError, SyntaxError):
            raise DatasetError(f"{path}: annotator {number}'s rankings do not parse.") from None
        valid: list[list[int] | None] = []
        for array in arrays:
            ok = (
                isinstance(array, list)
                and all(isinstance(v, int) for v in array)
                and sorted(array) == list(range(1, len(array) + 1))
            )
            valid.append(list(array) if ok else None)
        annotators[int(number)] = valid
    if not annotators:
        raise DatasetError(f"{path}: no ANNOTATOR_n_RANKINGS arrays.")
    return annotators


def vacancy(path: Path, *, log: Log) -> dict[str, Any]:
    from talentloop.resumes.extract import ExtractionError, extract_text
    from talentloop.resumes.skills import find_skills

    rows = _csv(path / "5_vacancies.csv")
    if not rows or not {"job_description", "job_title"} <= rows[0].keys():
        raise DatasetError(f"{path / '5_vacancies.csv'} needs job_description and job_title.")
    notes = sorted(path.glob("annotations*.txt"))
    if not notes:
        raise DatasetError(f"{path}: no annotations*.txt file.")
    annotators = read_annotations(notes[0])
    cvs: dict[int, str] = {}
    for number in sorted(
        {i + 1 for arrays in annotators.values() for i, a in enumerate(arrays) if a}
    ):
        file = path / "CV" / f"{number}.docx"
        if not file.is_file():
            continue
        try:
            cvs[number] = extract_text(file.read_bytes(), filename=file.name).text
        except ExtractionError as error:
            raise DatasetError(f"{file}: {error}") from None
    if not cvs:
        raise DatasetError(f"{path}: none of the annotated CVs is in CV/.")
    log(
        f"{path.name} (vacancy layout): {len(rows)} vacancies, {len(cvs)} annotated CVs, "
        f"{len(annotators)} annotators"
    )
    vacancy_texts = [f"{r['job_title']}\n{r['job_description']}" for r in rows]
    vectors = _embed([*vacancy_texts, *cvs.values()], log)
    jobs = []
    for row, vector in zip(rows, vectors[: len(rows)], strict=True):
        skills = [
            h.canonical
            for h in find_skills(row["job_description"])
            if h.canonical and h.category != "soft skill"
        ]
        jobs.append(
            JobSpec(
                title=row["job_title"],
                description=row["job_description"],
                nice_skills=tuple(scoring.SkillRequirement(s) for s in dict.fromkeys(skills)),
                embedding=vector,
            )
        )
    profiles = {
        n: profile_of(str(n), t, v)
        for (n, t), v in zip(cvs.items(), vectors[len(rows) :], strict=True)
    }
    ctx = scoring.MatchContext.for_profiles(profiles.values(), now=NOW)
    ctx.corpus = text.Corpus.of(text.counts(t) for t in [*vacancy_texts, *cvs.values()])
    vacancy_weights = [ctx.corpus.weights(text.counts(t)) for t in vacancy_texts]
    assessed = ["skills", "lexical", "title", "semantic"]
    configs = {**_configs(scoring.Weights.DEFAULT.as_dict(), assessed), "bm25": {}}
    rho: dict[str, list[float]] = defaultdict(list)
    gains5: dict[str, list[float]] = defaultdict(list)
    for number, profile in profiles.items():
        vectors_of = [_vector(scoring.score(job, profile, ctx, explain=False)) for job in jobs]
        cv_counts = text.counts(profile.text)
        for name, config in configs.items():
            if name == "bm25":
                scores = [text.bm25(cv_counts, w) for w in vacancy_weights]
            else:
                scores = [_combine(v, config) for v in vectors_of]
            order = sorted(range(len(jobs)), key=lambda j: (-scores[j], j))
            ours = [order.index(j) + 1 for j in range(len(jobs))]
            for arrays in annotators.values():
                truth = arrays[number - 1] if number - 1 < len(arrays) else None
                if truth is None or len(truth) != len(jobs):
                    continue
                theirs = [truth.index(j + 1) + 1 for j in range(len(jobs))]
                rho[name].append(spearman(ours, theirs))
                gain = {v - 1: float(len(jobs) - p) for p, v in enumerate(truth)}
                ranked = [gain[j] for j in order]
                gains5[name].append(ndcg(ranked, list(gain.values()), 5))
    agreement = []
    numbers = sorted(annotators)
    for one, other in itertools.pairwise(numbers):
        for first, second in zip(annotators[one], annotators[other], strict=False):
            if first and second and len(first) == len(second):
                n = len(first)
                agreement.append(
                    spearman(
                        [first.index(j + 1) + 1 for j in range(n)],
                        [second.index(j + 1) + 1 for j in range(n)],
                    )
                )
    table = {name: (_mean(rho[name]), _mean(gains5[name])) for name in configs}
    log(f"  {'ranking':<24} {'Spearman':>8} {'nDCG@5':>8}")
    for name, (a, b) in table.items():
        log(f"  {name:<24} {a:>8.4f} {b:>8.4f}")
    log(f"  annotators' agreement (Spearman, {len(agreement)} CVs): {_mean(agreement):.4f}")
    return {
        "dataset": path.name,
        "layout": "vacancy",
        "queries": len(rho["score"]),
        "documents": len(jobs),
        "ndcg_at_10": None,
        "p_at_10": None,
        "bm25_ndcg_at_10": None,
        "bm25_p_at_10": None,
        "spearman": _r(_mean(rho["score"])),
        "bm25_spearman": _r(_mean(rho["bm25"])),
        "ndcg_at_5": _r(_mean(gains5["score"])),
        "bm25_ndcg_at_5": _r(_mean(gains5["bm25"])),
        "ratio": _ratio(_mean(gains5["score"]), _mean(gains5["bm25"])),
        "annotator_agreement_spearman": _r(_mean(agreement)) if agreement else None,
        "ablation": {
            name: {"spearman": _r(a), "ndcg_at_5": _r(b)} for name, (a, b) in table.items()
        },
        "embedding": embedding.MODEL_NAME,
    }
