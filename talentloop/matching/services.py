"""Writes of matching: profile embeddings, rediscovery runs and the suggestions they keep, and a
recruiter's accept or dismiss.

How rediscovery stays under a minute at a million candidates: it does not score everyone with
the full explainable score. It retrieves (1) the best few thousand by full-text relevance to
the job's title and skills, through the search index, and (2) the best few thousand by
embedding similarity, one matrix product over the workspace's vectors; the union is scored in
full (`scoring.score`) and the best `MATCH_KEEP` are kept with their evidence.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Activity, Candidate, Source
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.jobs.models import Job
from talentloop.jobs.services import on_job_changed
from talentloop.matching import embedding, scoring
from talentloop.matching.models import (
    CandidateEmbedding,
    EmbeddingCheckpoint,
    MatchSuggestion,
    Rediscovery,
)
from talentloop.outreach import engagement
from talentloop.pools.models import PoolMembership
from talentloop.search import boolean
from talentloop.search.models import SearchDocument

logger = logging.getLogger(__name__)

EMBED_BATCH = 500
CORPUS_SAMPLE = 5_000  # documents the term statistics are estimated from
RETRIEVE_LEXICAL = 2_000
RETRIEVE_SEMANTIC = 2_000
LOAD_BATCH = 500
MAX_QUERY_TERMS = 40
# bm25() column weights of the search index: name, title, company, skills, location, school,
# body (search/migrations/0002).
FTS_WEIGHTS = (0.0, 4.0, 1.0, 3.0, 0.0, 0.5, 1.0)
ATS_STAGES = {stage: i for i, stage in enumerate(scoring.STAGES)}


# --- profiles -------------------------------------------------------------------------------


def profile_text_of(document: SearchDocument | None) -> str:
    """The text a candidate is embedded and scored on: titles, skills, companies, the rest."""
    if document is None:
        return ""
    body = document.body.removeprefix(boolean.ALL_WORD).strip()
    return "\n".join(p for p in (document.title, document.skills, document.company, body) if p)


def _vector(raw: bytes | memoryview | None) -> embedding.Vector | None:
    if raw is None:
        return None
    values = np.frombuffer(bytes(raw), dtype="<f4")
    return tuple(float(v) for v in values) if values.size == embedding.DIMENSIONS else None


@dataclass(frozen=True)
class Signals:
    stage_reached: str = ""
    silver_medalist: bool = False
    pool_member: bool = False
    engagement: float | None = None  # 0..100 (outreach.engagement), None: nothing in a year


def _signals(ids: Sequence[int]) -> dict[int, Signals]:
    """Past-process signals from the timeline's ATS stage changes (payload "stage" and
    "silver_medalist"), pool membership, and the engagement score from the timeline's last
    year of replies, clicks, visits, events and the like."""
    stages: dict[int, str] = {}
    silver: set[int] = set()
    rows = Activity.objects.filter(
        candidate_id__in=ids, type=Activity.Type.ATS_STAGE_CHANGE
    ).values_list("candidate_id", "payload")
    for candidate_id, payload in rows:
        stage = str((payload or {}).get("stage") or "").lower()
        if stage in ATS_STAGES and ATS_STAGES[stage] > ATS_STAGES.get(
            stages.get(candidate_id, ""), -1
        ):
            stages[candidate_id] = stage
        if (payload or {}).get("silver_medalist") is True:
            silver.add(candidate_id)
    members = _pool_members(ids)
    scores = _engagement_scores(ids)
    return {
        i: Signals(stages.get(i, ""), i in silver, i in members, scores.get(i))
        for i in ids
        if i in stages or i in silver or i in members or i in scores
    }


def _engagement_scores(ids: Sequence[int]) -> dict[int, float]:
    now = timezone.now()
    entries: dict[int, list[tuple[str, dt.datetime]]] = {}
    rows = Activity.objects.filter(
        candidate_id__in=ids, type__in=engagement.TYPES, occurred_at__gte=now - engagement.WINDOW
    ).values_list("candidate_id", "type", "occurred_at")
    for candidate_id, kind, at in rows:
        entries.setdefault(candidate_id, []).append((kind, at))
    return {i: engagement.engagement(found, now=now).score for i, found in entries.items()}


def _pool_members(ids: Sequence[int]) -> set[int]:
    return set(
        PoolMembership.objects.filter(candidate_id__in=ids).values_list("candidate_id", flat=True)
    )


class Loaded(NamedTuple):
    profile: scoring.CandidateProfile
    candidate: Candidate
    signals: Signals


def load_profiles(ids: Sequence[int]) -> dict[int, Loaded]:
    """The scorer's view of each live candidate of `ids` (missing or deleted ones left out),
    with the candidate and its past-process signals (for the labels)."""
    found: dict[int, Loaded] = {}
    for start in range(0, len(ids), LOAD_BATCH):
        chunk = list(ids[start : start + LOAD_BATCH])
        candidates = Candidate.objects.filter(
            id__in=chunk, deleted_at__isnull=True, is_archived=False
        ).only(
            "id", "workspace_id", "first_name", "last_name", "current_title", "current_company",
            "seniority", "years_experience", "city", "region", "country", "resume", "source",
            "updated_at", "last_contacted_at",
        )  # fmt: skip
        documents = SearchDocument.objects.in_bulk(chunk)
        vectors = dict(
            CandidateEmbedding.objects.filter(candidate_id__in=chunk).values_list(
                "candidate_id", "vector"
            )
        )
        signals = _signals(chunk)
        for candidate in candidates:
            known = signals.get(candidate.pk, Signals())
            profile = profile_of(
                candidate, documents.get(candidate.pk), _vector(vectors.get(candidate.pk)), known
            )
            found[candidate.pk] = Loaded(profile, candidate, known)
    return found


def profile_of(
    candidate: Candidate,
    document: SearchDocument | None,
    vector: embedding.Vector | None,
    signals: Signals,
) -> scoring.CandidateProfile:
    resume = candidate.resume if isinstance(candidate.resume, dict) else {}
    work = resume.get("work") if isinstance(resume.get("work"), list) else []
    titles = tuple(
        str(w.get("position")) for w in work or [] if isinstance(w, dict) and w.get("position")
    )
    skills = tuple(
        scoring.ProfileSkill(str(s["name"]), section="skills")
        for s in resume.get("skills") or []
        if isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"].strip()
    )
    years = float(candidate.years_experience) if candidate.years_experience is not None else None
    last_active = max(
        (t for t in (candidate.updated_at, candidate.last_contacted_at) if t is not None),
        default=None,
    )
    return scoring.CandidateProfile(
        key=f"{candidate.pk:020d}",  # ties go to the older candidate, the same on every run
        text=profile_text_of(document),
        title=candidate.current_title,
        past_titles=titles,
        skills=skills,
        years=min(years, 80.0) if years is not None else None,
        seniority=candidate.seniority if candidate.seniority in scoring.SENIORITY_LEVELS else "",
        location=scoring.Place(candidate.city, candidate.region, candidate.country),
        last_active_at=last_active,
        stage_reached=signals.stage_reached,
        silver_medalist=signals.silver_medalist,
        engagement=signals.engagement,
        embedding=vector,
    )


def labels_of(candidate: Candidate, signals: Signals) -> list[str]:
    labels = []
    if candidate.source == Source.PAST_APPLICANT or signals.stage_reached:
        labels.append("past_applicant")
    if signals.silver_medalist:
        labels.append("silver_medalist")
    if signals.pool_member:
        labels.append("pool_member")
    return labels


def job_spec(job: Job) -> scoring.JobSpec:
    skills = list(job.skills.all())
    description = job.description
    vector = embed_text(f"{job.title}\n{description}")
    return scoring.JobSpec(
        title=job.title,
        description=description,
        must_skills=tuple(
            scoring.SkillRequirement(s.name, float(s.weight)) for s in skills if s.kind == "must"
        ),
        nice_skills=tuple(
            scoring.SkillRequirement(s.name, float(s.weight)) for s in skills if s.kind == "nice"
        ),
        years_min=float(job.years_min) if job.years_min is not None else None,
        years_max=float(job.years_max) if job.years_max is not None else None,
        seniority=job.seniority,
        location=scoring.Place(job.city, job.region, job.country),
        remote_policy=job.remote_policy,
        weights=dict(job.match_weights),
        embedding=vector,
    )


# --- embeddings -----------------------------------------------------------------------------


def embed_text(text: str) -> embedding.Vector | None:
    try:
        return embedding.embed([text])[0] if text.strip() else None
    except embedding.EmbeddingUnavailable:
        return None


def embed_candidates(workspace_id: int, documents: Sequence[SearchDocument]) -> int:
    """Embed these candidates' documents and store the vectors (replacing older ones)."""
    if not documents:
        return 0
    vectors = embedding.embed([profile_text_of(d) for d in documents])
    now = timezone.now()
    rows = [
        CandidateEmbedding(
            candidate_id=d.candidate_id,
            workspace_id=workspace_id,
            model=embedding.MODEL_NAME,
            vector=np.asarray(v, dtype="<f4").tobytes(),
            embedded_at=now,
        )
        for d, v in zip(documents, vectors, strict=True)
    ]
    CandidateEmbedding.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["candidate"],
        update_fields=["vector", "model", "embedded_at", "workspace"],
    )
    return len(rows)


def sweep_embeddings(*, budget_seconds: float = 50.0, batch: int = EMBED_BATCH) -> int:
    """Embed the candidates whose search document changed since the sweep last looked, reading
    the documents in (indexed_at, id) order along their index from one checkpoint: the cost
    is what changed, never a rebuild. Stops after `budget_seconds`; the next run continues."""
    deadline = time.monotonic() + budget_seconds
    checkpoint, _ = EmbeddingCheckpoint.objects.get_or_create(name="documents")
    # A transaction may commit a document stamped before ones already read: start a little
    # before the checkpoint (documents whose vector is newer are skipped).
    after = (
        (checkpoint.indexed_at - SWEEP_OVERLAP, 0) if checkpoint.indexed_at is not None else None
    )
    done = 0
    while time.monotonic() < deadline:
        documents = SearchDocument.objects.order_by("indexed_at", "candidate_id")
        if after is not None:
            at, candidate_id = after
            documents = documents.filter(
                Q(indexed_at__gt=at) | Q(indexed_at=at, candidate_id__gt=candidate_id)
            )
        page = list(documents[:batch])
        if not page:
            break
        done += _embed_stale(page)
        last = page[-1]
        after = (last.indexed_at, last.candidate_id)
        checkpoint.indexed_at, checkpoint.candidate_id = after
        checkpoint.save(update_fields=["indexed_at", "candidate_id"])
    return done


# A transaction may commit a document stamped before ones the sweep already read; reading
# again from this far before the checkpoint catches it (already-embedded ones are skipped).
SWEEP_OVERLAP = dt.timedelta(minutes=2)


def _embed_stale(documents: Sequence[SearchDocument], *, workspace: Workspace | None = None) -> int:
    """Embed those of `documents` whose candidate is live (in `workspace`, if given) and whose
    vector is missing or older than the document."""
    ids = [d.candidate_id for d in documents]
    live = dict(
        Candidate.objects.filter(id__in=ids, deleted_at__isnull=True).values_list(
            "id", "workspace_id"
        )
    )
    current = dict(
        CandidateEmbedding.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "embedded_at"
        )
    )
    by_workspace: dict[int, list[SearchDocument]] = {}
    for document in documents:
        workspace_id = live.get(document.candidate_id)
        if workspace_id is None or (workspace is not None and workspace_id != workspace.pk):
            continue
        embedded_at = current.get(document.candidate_id)
        if embedded_at is None or embedded_at < document.indexed_at:
            by_workspace.setdefault(workspace_id, []).append(document)
    return sum(
        embed_candidates(workspace_id, group) for workspace_id, group in by_workspace.items()
    )


# --- term statistics ------------------------------------------------------------------------

_contexts: dict[int, tuple[float, int, scoring.MatchContext]] = {}
CONTEXT_TTL = 600.0


def forget_contexts() -> None:
    """Drop the cached term statistics (tests; a workspace's data replaced wholesale)."""
    _contexts.clear()


def match_context(workspace_id: int, *, now: dt.datetime | None = None) -> scoring.MatchContext:
    """Term statistics of the workspace, estimated from its newest CORPUS_SAMPLE documents
    (the document frequencies of a few thousand resumes rank as well as those of a million),
    cached for CONTEXT_TTL seconds per process."""
    moment = now or timezone.now()
    cached = _contexts.get(workspace_id)
    if cached and time.monotonic() - cached[0] < CONTEXT_TTL:
        context = cached[2]
        return scoring.MatchContext(
            corpus=context.corpus, titles=context.titles, now=moment, normalize=context.normalize
        )
    documents = SearchDocument.objects.filter(candidate__workspace_id=workspace_id).order_by(
        "-candidate_id"
    )[:CORPUS_SAMPLE]
    profiles = [
        scoring.CandidateProfile(key=str(d.candidate_id), text=profile_text_of(d), title=d.title)
        for d in documents
    ]
    context = scoring.MatchContext.for_profiles(profiles, now=moment)
    _contexts[workspace_id] = (time.monotonic(), len(profiles), context)
    return context


# --- retrieval ------------------------------------------------------------------------------


def _query_node(spec: scoring.JobSpec) -> boolean.Node | None:
    """OR of the job's skill names and title, as search-index terms."""
    terms: list[boolean.Node] = []
    seen: set[tuple[str, ...]] = set()
    phrases = [r.name for r in (*spec.must_skills, *spec.nice_skills)]
    for phrase in [spec.title, *phrases]:
        words = tuple(boolean.words(phrase))[:6]
        if words and words not in seen:
            seen.add(words)
            terms.append(boolean.Term(words))
    for word in boolean.words(spec.title):  # "data engineer" also finds "engineer"
        if len(word) > 2 and (word,) not in seen:
            seen.add((word,))
            terms.append(boolean.Term((word,)))
    terms = terms[:MAX_QUERY_TERMS]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else boolean.Or(tuple(terms))


def lexical_ids(workspace_id: int, spec: scoring.JobSpec, *, limit: int) -> list[int]:
    """The live candidates most relevant to the job's title and skills, best first."""
    node = _query_node(spec)
    if node is None:
        return []
    table = Candidate._meta.db_table
    live = "c.workspace_id = %s AND c.deleted_at IS NULL AND NOT c.is_archived"
    if connection.vendor == "postgresql":
        query = boolean.to_pg(node, alias="d")
        sql = (
            f"SELECT d.candidate_id FROM search_searchdocument d "  # noqa: S608 - our tables
            f"JOIN {table} c ON c.id = d.candidate_id WHERE {query.sql} AND {live} "
            "ORDER BY ts_rank(d.doc, %s::tsquery) DESC, d.candidate_id LIMIT %s"
        )
        # Every term reads the `doc` vector, so the condition is that one tsquery.
        params: list[Any] = [*query.params, workspace_id, query.params[0], limit]
    else:
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        sql = (
            f"SELECT search_fts.rowid FROM search_fts "  # noqa: S608 - our own tables
            f"JOIN {table} c ON c.id = search_fts.rowid WHERE search_fts MATCH %s AND {live} "
            f"ORDER BY bm25(search_fts, {weights}), search_fts.rowid LIMIT %s"
        )
        params = [boolean.to_fts5(node), workspace_id, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def semantic_ids(
    workspace_id: int, vector: embedding.Vector | None, *, limit: int, exclude: int = 0
) -> list[int]:
    """The candidates whose embedding is nearest `vector`: one product over the workspace."""
    if vector is None:
        return []
    ids: list[int] = []
    chunks: list[bytes] = []
    rows = CandidateEmbedding.objects.filter(workspace_id=workspace_id).values_list(
        "candidate_id", "vector"
    )
    for candidate_id, raw in rows.iterator(chunk_size=20_000):
        ids.append(candidate_id)
        chunks.append(bytes(raw))
    if not ids:
        return []
    matrix = np.frombuffer(b"".join(chunks), dtype="<f4").reshape(len(ids), -1)
    query = np.asarray(vector, dtype="<f4")
    if matrix.shape[1] != query.shape[0]:
        return []
    scores = matrix @ query
    if exclude:
        scores[np.asarray(ids) == exclude] = -np.inf
    top = min(limit, len(ids))
    best = np.argpartition(-scores, top - 1)[:top]
    best = best[np.lexsort((np.asarray(ids)[best], -scores[best]))]
    return [ids[i] for i in best]


# --- rediscovery ----------------------------------------------------------------------------


def start_rediscovery(job: Job) -> Rediscovery:
    """Queue a re-scoring of the database for `job` (one queued run per job at a time)."""
    from talentloop.matching.tasks import rediscover_task

    with transaction.atomic():
        run = (
            Rediscovery.objects.select_for_update()
            .filter(job=job, status=Rediscovery.Status.QUEUED)
            .first()
        )
        if run is None:
            run = Rediscovery.objects.create(workspace_id=job.workspace_id, job=job)
            transaction.on_commit(lambda: rediscover_task.enqueue(run.pk))
    return run


def _job_changed(job: Job) -> None:
    if job.status in (Job.Status.OPEN, Job.Status.ON_HOLD, Job.Status.DRAFT):
        start_rediscovery(job)


on_job_changed(_job_changed)


def _progress(run: Rediscovery, percent: int, **fields: Any) -> None:
    run.percent = percent
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["percent", *fields])


def run_rediscovery(run_id: int) -> Rediscovery | None:
    """Run a queued rediscovery. Safe to run twice: only the worker that moves it from queued
    to running does the work (a conditional update, on SQLite and PostgreSQL alike)."""
    claimed = Rediscovery.objects.filter(pk=run_id, status=Rediscovery.Status.QUEUED).update(
        status=Rediscovery.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = Rediscovery.objects.select_related("job").get(pk=run_id)
    try:
        _rediscover(run)
    except Exception as error:
        logger.exception("rediscovery %s failed", run_id)
        run.status, run.error = Rediscovery.Status.FAILED, str(error)[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    return run


def _rediscover(run: Rediscovery) -> None:
    job = run.job
    keep = settings.MATCH_KEEP
    total = Candidate.objects.filter(workspace_id=job.workspace_id, deleted_at__isnull=True)
    _progress(run, 5, candidates_total=total.count())
    spec = job_spec(job)
    lexical = lexical_ids(job.workspace_id, spec, limit=RETRIEVE_LEXICAL)
    _progress(run, 20)
    semantic = semantic_ids(job.workspace_id, spec.embedding, limit=RETRIEVE_SEMANTIC)
    _progress(run, 35)
    pool = list(dict.fromkeys([*lexical, *semantic]))
    context = match_context(job.workspace_id)
    scored: list[tuple[scoring.Match, Loaded]] = []
    for start in range(0, len(pool), LOAD_BATCH):
        scored.extend(
            (scoring.score(spec, entry.profile, context, explain=False), entry)
            for entry in load_profiles(pool[start : start + LOAD_BATCH]).values()
        )
        _progress(run, 35 + int(55 * min(1.0, (start + LOAD_BATCH) / max(len(pool), 1))))
    scored.sort(key=lambda pair: (-pair[0].total, pair[0].key))
    # The kept few are scored again with their evidence (explaining costs more than scoring).
    explained = [
        (
            scoring.score(spec, entry.profile, context, explain=True),
            entry.candidate,
            labels_of(entry.candidate, entry.signals),
        )
        for _, entry in scored[:keep]
    ]
    new = _store(job, explained)
    run.status, run.finished_at = Rediscovery.Status.DONE, timezone.now()
    _progress(
        run,
        100,
        candidates_scored=len(scored),
        suggestions=len(explained),
        new_suggestions=new,
        status=run.status,
        finished_at=run.finished_at,
    )


def criteria_json(match: scoring.Match) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "label": c.label,
            "score": c.score,
            "weight": c.weight,
            "evidence": c.evidence,
        }
        for c in match.criteria
    ]


@transaction.atomic
def _store(job: Job, explained: Iterable[tuple[scoring.Match, Candidate, list[str]]]) -> int:
    """Upsert the kept suggestions; earlier ones that fell out stop being current, and every
    accept or dismiss stays. Returns how many candidates are suggested for the first time."""
    now = timezone.now()
    existing = {
        s.candidate_id: s for s in MatchSuggestion.objects.select_for_update().filter(job=job)
    }
    keep_ids = set()
    new = 0
    to_create: list[MatchSuggestion] = []
    to_update: list[MatchSuggestion] = []
    for match, candidate, labels in explained:
        keep_ids.add(candidate.pk)
        suggestion = existing.get(candidate.pk)
        if suggestion is None:
            new += 1
            to_create.append(
                MatchSuggestion(
                    workspace_id=job.workspace_id,
                    job=job,
                    candidate=candidate,
                    score=match.total,
                    criteria=criteria_json(match),
                    labels=labels,
                    first_suggested_at=now,
                    scored_at=now,
                )
            )
        else:
            suggestion.score, suggestion.criteria = match.total, criteria_json(match)
            suggestion.labels, suggestion.is_current, suggestion.scored_at = labels, True, now
            to_update.append(suggestion)
    MatchSuggestion.objects.bulk_create(to_create)
    MatchSuggestion.objects.bulk_update(
        to_update, ["score", "criteria", "labels", "is_current", "scored_at"]
    )
    MatchSuggestion.objects.filter(job=job, is_current=True).exclude(
        candidate_id__in=keep_ids
    ).update(is_current=False)
    return new


# --- decisions ------------------------------------------------------------------------------

DECISIONS = {
    "accept": MatchSuggestion.Status.ACCEPTED,
    "dismiss": MatchSuggestion.Status.DISMISSED,
    "reset": MatchSuggestion.Status.SUGGESTED,
}


@transaction.atomic
def decide(*, actor: Actor, suggestion: MatchSuggestion, decision: str) -> MatchSuggestion:
    """Accept (shortlist) or dismiss a suggestion, or put it back. A dismissed candidate is
    not suggested for this job again, however well a later run scores them."""
    from talentloop.jobs.services import require_job_manager

    require_job_manager(actor)
    if decision not in DECISIONS:
        raise InvalidInput(f"Decision is one of: {', '.join(DECISIONS)}.", field="decision")
    suggestion.status = DECISIONS[decision]
    suggestion.decided_by = actor.user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion


def mark_seen(*, job: Job) -> None:
    """The job's matches were looked at: "new" now means suggested after this moment."""
    Job.objects.filter(pk=job.pk).update(matches_seen_at=timezone.now())


# --- similar candidates ---------------------------------------------------------------------


def similar_candidates(
    actor: Actor, candidate: Candidate, *, limit: int = 10
) -> list[tuple[scoring.Match, Candidate]]:
    """The candidates most like `candidate`: its profile as a job (`job_from_profile`),
    retrieved and scored like a rediscovery, the person themself left out."""
    loaded = load_profiles([candidate.pk])
    if candidate.pk not in loaded:
        return []
    profile = loaded[candidate.pk].profile
    if profile.embedding is None:
        profile = scoring.CandidateProfile(
            **{**_fields(profile), "embedding": embed_text(profile.text)}
        )
    spec = scoring.job_from_profile(profile)
    spec = scoring.JobSpec(**{**_fields(spec), "location": None})  # similar anywhere
    lexical = lexical_ids(actor.workspace.pk, spec, limit=300)
    semantic = semantic_ids(actor.workspace.pk, profile.embedding, limit=300, exclude=candidate.pk)
    pool = [i for i in dict.fromkeys([*semantic, *lexical]) if i != candidate.pk]
    context = match_context(actor.workspace.pk)
    visible = _visible_ids(actor, pool)
    scored = [
        (scoring.score(spec, entry.profile, context, explain=True), entry.candidate)
        for entry in load_profiles([i for i in pool if i in visible]).values()
    ]
    scored.sort(key=lambda pair: (-pair[0].total, pair[0].key))
    return scored[:limit]


def _visible_ids(actor: Actor, ids: Sequence[int]) -> set[int]:
    from talentloop.candidates.selectors import visible_candidates

    return set(visible_candidates(actor).filter(id__in=ids).values_list("id", flat=True))


def _fields(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def score_one(job: Job, candidate: Candidate) -> scoring.Match:
    """One candidate's match for the job, explained, computed now."""
    loaded = load_profiles([candidate.pk])
    if candidate.pk not in loaded:
        raise InvalidInput("This candidate is archived or deleted.", field="candidate_id")
    profile = loaded[candidate.pk].profile
    return scoring.score(job_spec(job), profile, match_context(job.workspace_id), explain=True)


def embed_all(
    *, workspace: Workspace | None = None, progress: Callable[[int], object] | None = None
) -> int:
    """Embed every indexed candidate that has no current vector (`talentloop match-embed`),
    in batches along the documents' primary key: a database from before matching, or the
    first run after an import. Day to day the sweep keeps up by itself."""
    last, total = 0, 0
    while True:
        batch = list(
            SearchDocument.objects.filter(candidate_id__gt=last).order_by("candidate_id")[
                :EMBED_BATCH
            ]
        )
        if not batch:
            return total
        last = batch[-1].candidate_id
        total += _embed_stale(batch, workspace=workspace)
        if progress is not None:
            progress(len(batch))
