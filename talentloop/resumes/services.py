"""Resume ingestion: receive files, parse each one in the sandbox, create or update its
candidate, and let recruiters correct what the parser got wrong."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import FileResponse
from django.utils import timezone

from talentloop.candidates.models import Activity, Candidate, CandidateEmail, Source
from talentloop.candidates.normalize import (
    NormalizationError,
    link_kind,
    normalize_email,
    normalize_phone,
    normalize_url,
)
from talentloop.candidates.services import (
    MAX_CONTACTS,
    clean_tag_names,
    create_candidate,
    record_activity,
    update_candidate,
)
from talentloop.compliance import audit
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, InvalidInput, NotFound, TalentloopError
from talentloop.duplicates.selectors import find_identity_match
from talentloop.resumes import archive, document, pipeline, sandbox
from talentloop.resumes.extract import ExtractionError, detect_format
from talentloop.resumes.models import (
    Correction,
    ParseBatch,
    Resume,
    SkillPhrase,
    WorkspaceSkill,
)
from talentloop.resumes.parsed import Extracted, ParsedResume
from talentloop.resumes.selectors import require_editor
from talentloop.search.services import refresh_candidate as refresh_search  # search: the hook

# --- receiving files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    """One file as received: its name (a path inside a zip or folder) and its bytes, or the
    reason it was refused before its bytes were read (too large)."""

    name: str
    data: bytes = b""
    size: int = 0
    refused: str = ""


def refused_upload(name: str, size: int) -> Upload:
    limit = settings.RESUME_MAX_BYTES
    return Upload(
        name=name,
        size=size,
        refused=f"The file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB.",
    )


def _is_archive(data: bytes) -> bool:
    """A zip of files (DOCX and ODT are zips too, but documents)."""
    return archive.is_zip(data) and detect_format(data) == "zip"


def expand(uploads: Iterable[Upload]) -> Iterator[Upload | tuple[str, ExtractionError]]:
    """Zip files become their members (zip-slip and bomb safe); other files stay as they are.
    A member that cannot be read comes with its error, and the others go on."""
    for upload in uploads:
        if upload.refused or not _is_archive(upload.data):
            yield upload
            continue
        try:
            for member in archive.expand_zip(upload.data):
                name = f"{upload.name}/{member.name}"
                if member.ok:
                    yield Upload(name=name, data=member.data, size=len(member.data))
                else:
                    yield name, ExtractionError(member.code, member.error)
        except archive.ArchiveError as error:
            yield upload.name, ExtractionError(error.code, error.message)


def uploads_from_paths(paths: Iterable[Path]) -> Iterator[Upload]:
    """The files at `paths` (folders walked in name order, hidden files skipped), read one
    at a time so a folder of any size fits in memory."""
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            yield from (_read_path(file, name=str(file.relative_to(path.parent))) for file in files)
        else:
            yield _read_path(path, name=path.name)


def _read_path(path: Path, *, name: str) -> Upload:
    with path.open("rb") as stream:
        return _read_upload(name, path.stat().st_size, stream)


ZIP_MAGIC = b"PK\x03\x04"


def _read_upload(name: str, size: int, stream: IO[bytes]) -> Upload:
    """The file's bytes, or its refusal without reading them when it is over the size limit
    (a zip may be ten times larger: its members are checked one by one)."""
    head = stream.read(4) if size else b""
    if size > settings.RESUME_MAX_BYTES * (10 if head == ZIP_MAGIC else 1):
        return refused_upload(name, size)
    return Upload(name=name, data=head + stream.read(), size=size)


def uploads_from_files(files: Iterable[UploadedFile[Any]]) -> list[Upload]:
    """Read uploaded files; one over the size limit is refused without being read."""
    return [_read_upload(file.name or "upload", file.size or 0, file) for file in files]


@transaction.atomic
def create_batch(
    *,
    actor: Actor,
    uploads: Iterable[Upload],
    name: str,
    tags: Sequence[str] = (),
    source: str = Source.SOURCED,
    enqueue: bool = True,
) -> ParseBatch:
    """Store every file (the originals are always kept) as a queued resume of a new batch and
    queue the batch. Files refused on arrival (too large, unreadable zip member) are recorded
    as failed resumes, so the batch reports them beside the others."""
    require_editor(actor)
    if source not in Source.values:
        raise InvalidInput(f"Source is one of: {', '.join(Source.values)}.", field="source")
    batch = ParseBatch.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        name=(name or "upload")[:255],
        tags=clean_tag_names(list(tags)),
        source=source,
    )
    total = failed = 0
    for item in expand(uploads):
        total += 1
        if isinstance(item, tuple):
            member, error = item
            _failed_on_arrival(actor, batch, member, error.code, error.message)
            failed += 1
        elif item.refused:
            _failed_on_arrival(actor, batch, item.name, "too_large", item.refused, size=item.size)
            failed += 1
        elif len(item.data) > settings.RESUME_MAX_BYTES and not _is_archive(item.data):
            _failed_on_arrival(
                actor,
                batch,
                item.name,
                "too_large",
                refused_upload(item.name, len(item.data)).refused,
                size=len(item.data),
            )
            failed += 1
        else:
            store_file(actor=actor, name=item.name, data=item.data, batch=batch)
    if not total:
        raise InvalidInput("No files were sent.", field="files")
    batch.total_files = total
    batch.processed_files = failed
    batch.failed = failed
    if failed == total:
        batch.status = ParseBatch.Status.DONE
        batch.finished_at = timezone.now()
    batch.save()
    if enqueue and batch.status == ParseBatch.Status.QUEUED:
        from talentloop.resumes.tasks import parse_batch_task

        transaction.on_commit(lambda: parse_batch_task.enqueue(batch.pk))
    return batch


def _failed_on_arrival(
    actor: Actor, batch: ParseBatch, name: str, code: str, message: str, *, size: int = 0
) -> Resume:
    return Resume.objects.create(
        workspace=actor.workspace,
        batch=batch,
        uploaded_by=actor.user,
        file_name=name[:255],
        size=size,
        sha256="",
        status=Resume.Status.FAILED,
        error_code=code,
        error=message[:500],
    )


def store_file(*, actor: Actor, name: str, data: bytes, batch: ParseBatch | None = None) -> Resume:
    """Keep the original file and queue its resume row."""
    resume = Resume(
        workspace=actor.workspace,
        batch=batch,
        uploaded_by=actor.user,
        file_name=name[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    resume.file.save(name, ContentFile(data), save=False)
    resume.save()
    return resume


# --- parsing --------------------------------------------------------------------------------


def workspace_skills(actor: Actor) -> tuple[pipeline.ExtraSkill, ...]:
    """The workspace's own skills, as the catalogue takes them (`pipeline.catalogue`)."""
    return tuple(
        (skill.name, tuple(skill.aliases), skill.category)
        for skill in WorkspaceSkill.objects.filter(workspace=actor.workspace)
    )


def parse_options(actor: Actor) -> pipeline.Options:
    return pipeline.Options(
        default_region=actor.workspace.default_phone_region or None,
        today=timezone.localdate(),
        max_pages=settings.RESUME_MAX_PAGES,
        extra_skills=workspace_skills(actor),
    )


logger = logging.getLogger(__name__)
_sandboxes = threading.local()


def _sandbox() -> sandbox.Sandbox:
    """This thread's sandbox (a child process reused call after call), with the limits of
    the settings."""
    box: sandbox.Sandbox | None = getattr(_sandboxes, "box", None)
    if box is None:
        box = sandbox.Sandbox(
            timeout=settings.RESUME_PARSE_SECONDS,
            cpu_seconds=settings.RESUME_PARSE_SECONDS,
            memory_limit=settings.RESUME_PARSE_MEMORY_MB * 1024 * 1024,
            max_bytes=settings.RESUME_MAX_BYTES,
        )
        _sandboxes.box = box
        atexit.register(box.close)
        with contextlib.suppress(ExtractionError):
            box.run(pipeline.warm_up, b"")
    return box


def parse_bytes(
    data: bytes, filename: str, options: pipeline.Options
) -> tuple[Extracted, ParsedResume] | ExtractionError:
    """Parse in the sandbox: a hostile file fails alone (time and memory limits)."""
    try:
        return _sandbox().run(
            functools.partial(pipeline.parse_document, filename=filename, options=options), data
        )
    except ExtractionError as error:
        return error
    except Exception:
        # A parser bug, not a bad file: this file fails with a clear error, the batch goes on.
        logger.exception("Parsing %s failed", filename)
        return ExtractionError(
            "parser_error",
            "The parser failed on this file. It is kept; parse it again after an upgrade.",
        )


def run_batch(
    batch: ParseBatch,
    actor: Actor,
    *,
    progress: Callable[[ParseBatch], None] | None = None,
) -> ParseBatch:
    """Parse the batch's queued resumes in order. Safe to run again after a crash: every
    resume commits with its candidate, so the next run starts with the first one not done."""
    now = timezone.now()
    updated = ParseBatch.objects.filter(pk=batch.pk, status__in=ParseBatch.ACTIVE).update(
        status=ParseBatch.Status.RUNNING, heartbeat_at=now
    )
    if not updated:
        batch.refresh_from_db()
        return batch
    ParseBatch.objects.filter(pk=batch.pk, started_at__isnull=True).update(started_at=now)
    options = parse_options(actor)
    while True:
        resume = (
            Resume.objects.filter(batch=batch, status=Resume.Status.QUEUED).order_by("id").first()
        )
        if resume is None:
            break
        started = time.perf_counter()
        try:
            parse_resume(actor=actor, resume=resume, options=options)
        except Exception:
            # A bug of ours on this file: it fails alone, with a clear error, and the batch
            # goes on. (If the database itself is down, marking it fails too: the task stops
            # and the stalled batch is resumed later.)
            logger.exception("Resume %s could not be parsed", resume.pk)
            _fail_unexpectedly(resume)
        spent = time.perf_counter() - started
        ParseBatch.objects.filter(pk=batch.pk).update(
            seconds=F("seconds") + spent, heartbeat_at=timezone.now()
        )
        batch.refresh_from_db()
        if progress is not None:
            progress(batch)
        if batch.status == ParseBatch.Status.CANCELLED:
            return batch
    ParseBatch.objects.filter(pk=batch.pk, status=ParseBatch.Status.RUNNING).update(
        status=ParseBatch.Status.DONE, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch


def parse_resume(
    *, actor: Actor, resume: Resume, options: pipeline.Options | None = None
) -> Resume:
    """Parse one queued resume and create or update its candidate, in one transaction with
    the batch's counters. A resume that is no longer queued is left alone (a retried task)."""
    options = options or parse_options(actor)
    _sandbox()  # started (and warmed up) before the clock: no file pays for it
    started = time.perf_counter()
    try:
        with resume.file.open("rb") as stream:
            data = stream.read()
    except (OSError, ValueError):
        result: tuple[Extracted, ParsedResume] | ExtractionError = ExtractionError(
            "missing", "The stored file could not be read."
        )
    else:
        result = parse_bytes(data, resume.file_name, options)
    with transaction.atomic():
        locked = Resume.objects.select_for_update().filter(pk=resume.pk).first()
        if locked is None or locked.status != Resume.Status.QUEUED:
            return locked or resume
        resume = locked
        resume.parse_ms = (time.perf_counter() - started) * 1000
        resume.parsed_at = timezone.now()
        if not isinstance(result, ExtractionError):
            extracted, parsed = result
            resume.text = extracted.text
            resume.format = extracted.format
            resume.pages = extracted.pages
            resume.is_ocr = extracted.ocr
            if not _looks_like_resume(parsed):
                result = ExtractionError(
                    "no_person",
                    "No name, contact details, work history, education or skills were found: "
                    "this does not look like a resume.",
                )
        if not isinstance(result, ExtractionError):
            try:
                with transaction.atomic():
                    created = _apply(actor, resume, parsed)
            except TalentloopError as error:
                # The parse is sound but the candidate refused a value: say which and why.
                where = f" ({error.field})" if error.field else ""
                result = ExtractionError(
                    "not_stored", f"The candidate could not be saved: {error.message}{where}"
                )
        if isinstance(result, ExtractionError):
            resume.status = Resume.Status.FAILED
            resume.error_code = result.code[:20]
            resume.error = result.message[:500]
            resume.save()
            _count(resume, failed=1)
            return resume
        resume.status = Resume.Status.PARSED
        resume.error_code = resume.error = ""
        resume.save()
        _count_phrases(actor, parsed)
        _count(resume, created=int(created), updated=int(not created))
    return resume


RESUME_SECTIONS = frozenset({"work", "education", "skills"})


def _looks_like_resume(parsed: ParsedResume) -> bool:
    """A person (a name or a contact), or the parts of a resume (an anonymised one has no
    name): anything else, such as meeting notes, makes no candidate."""
    return bool(
        parsed.name
        or parsed.emails
        or parsed.phones
        or parsed.links
        or parsed.work
        or parsed.education
        or RESUME_SECTIONS & {kind for _, kind in parsed.sections}
        or sum(1 for hit in parsed.skills if hit.canonical) >= 3
    )


def _fail_unexpectedly(resume: Resume) -> None:
    with transaction.atomic():
        updated = Resume.objects.filter(pk=resume.pk, status=Resume.Status.QUEUED).update(
            status=Resume.Status.FAILED,
            error_code="parser_error",
            error="Talentloop failed on this file. It is kept; parse it again after an upgrade.",
            parsed_at=timezone.now(),
        )
        if updated:
            _count(resume, failed=1)


def _count(resume: Resume, *, created: int = 0, updated: int = 0, failed: int = 0) -> None:
    if resume.batch_id is None:
        return
    ParseBatch.objects.filter(pk=resume.batch_id).update(
        processed_files=F("processed_files") + 1,
        created=F("created") + created,
        updated=F("updated") + updated,
        failed=F("failed") + failed,
    )


def _count_phrases(actor: Actor, parsed: ParsedResume) -> None:
    """Unknown skill-like phrases are counted per workspace, to be promoted or ignored."""
    phrases = {
        " ".join(hit.name.lower().split()): hit.name
        for hit in parsed.skills
        if not hit.canonical and 1 < len(hit.name) <= 100
    }
    if not phrases:
        return
    now = timezone.now()
    existing = set(
        SkillPhrase.objects.filter(workspace=actor.workspace, phrase__in=phrases).values_list(
            "phrase", flat=True
        )
    )
    SkillPhrase.objects.filter(workspace=actor.workspace, phrase__in=existing).update(
        occurrences=F("occurrences") + 1, last_seen_at=now
    )
    SkillPhrase.objects.bulk_create(
        [
            SkillPhrase(
                workspace=actor.workspace,
                phrase=phrase,
                example=example[:100],
                occurrences=1,
                last_seen_at=now,
            )
            for phrase, example in phrases.items()
            if phrase not in existing
        ],
        ignore_conflicts=True,
    )


# --- from a parse to the candidate ----------------------------------------------------------

# Which candidate fields each reviewed field feeds.
CANDIDATE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("first_name", "last_name"),
    "headline": ("headline",),
    "location": ("city", "region", "country"),
    "work": ("current_title", "current_company"),
    "years_experience": ("years_experience",),
}
SCALARS = tuple(name for names in CANDIDATE_FIELDS.values() for name in names)


def _clean_contacts(
    actor: Actor, emails: Iterable[str], phones: Iterable[str], links: Iterable[str]
) -> tuple[list[str], list[str], list[str]]:
    """Normalized contacts; values that do not normalize are dropped (a parse may misread)."""
    region = actor.workspace.default_phone_region
    clean: tuple[list[str], list[str], list[str]] = ([], [], [])
    for values, normalize, out in (
        (emails, normalize_email, clean[0]),
        (phones, lambda v: normalize_phone(v, default_region=region), clean[1]),
        (links, normalize_url, clean[2]),
    ):
        for value in values:
            try:
                normal = normalize(value)
            except NormalizationError:
                continue
            if normal not in out:
                out.append(normal)
    return clean


def latest_corrections(candidate_id: int | None) -> dict[str, Any]:
    """{field: value} of the recruiter's latest correction of each field of the candidate."""
    if candidate_id is None:
        return {}
    rows = (
        Correction.objects.filter(candidate_id=candidate_id)
        .order_by("created_at", "id")
        .values_list("field", "value")
    )
    return dict(rows)  # later corrections of a field replace earlier ones


def _previous_applied(candidate: Candidate, resume: Resume) -> dict[str, Any]:
    previous = (
        Resume.objects.filter(candidate=candidate, status=Resume.Status.PARSED)
        .exclude(pk=resume.pk)
        .order_by("-parsed_at", "-id")
        .values_list("applied", flat=True)
        .first()
    )
    return previous or {}


def _json_value(value: Any) -> Any:
    return (
        str(value) if isinstance(value, (dt.date, float)) or hasattr(value, "quantize") else value
    )


def _apply(actor: Actor, resume: Resume, parsed: ParsedResume) -> bool:
    """Create the resume's candidate or update the one its e-mail, phone or profile names.
    Returns True when a candidate was created."""
    data = pipeline.candidate_data(parsed, filename=resume.file_name)
    emails, phones, links = (
        values[:MAX_CONTACTS]
        for values in _clean_contacts(actor, data["emails"], data["phones"], data["links"])
    )
    existing = find_identity_match(actor.workspace, emails=emails, phones=phones, links=links)
    if existing is None and resume.candidate_id is not None:
        existing = Candidate.objects.filter(pk=resume.candidate_id, deleted_at=None).first()
    corrections = latest_corrections(existing.pk if existing else None)
    json_resume = document.apply_corrections(parsed.to_json_resume(), corrections)
    resume.parsed = json_resume
    batch = resume.batch
    scalars = {name: data[name] for name in SCALARS if name in data}
    applied = {
        name: _json_value(value) for name, value in scalars.items() if value not in ("", None)
    }
    summary = f"Resume {resume.file_name} parsed"
    if existing is None:
        payload: dict[str, Any] = {
            **{k: v for k, v in scalars.items() if v not in ("", None)},
            "emails": emails,
            "phones": [{"number": number} for number in phones],
            "links": [{"url": url, "kind": link_kind(url)} for url in links],
            "source": batch.source if batch else Source.SOURCED,
            "source_detail": (batch.name if batch else resume.file_name)[:255],
            "tags": list(batch.tags) if batch else [],
        }
        candidate = create_candidate(actor=actor, data=payload)
        candidate.resume = json_resume
        candidate.save(update_fields=["resume"])
        refresh_search(candidate.pk)  # search: index the resume's words
        resume.candidate = candidate
        resume.applied = applied
        _timeline(actor, resume, summary, created=True)
        return True
    previous = _previous_applied(existing, resume)
    corrected = {name for field in corrections for name in CANDIDATE_FIELDS.get(field, ())}
    patch: dict[str, Any] = {}
    for name, value in scalars.items():
        if name in corrected or value in ("", None):
            continue
        current = _json_value(getattr(existing, name))
        if current in ("", None) or current == previous.get(name):
            if current != _json_value(value):
                patch[name] = value
        else:
            applied.pop(name, None)  # somebody changed it since: theirs stays
    taken = set(
        CandidateEmail.objects.filter(workspace=actor.workspace, email__in=emails)
        .exclude(candidate=existing)
        .values_list("email", flat=True)
    )
    current_emails = [e.email for e in existing.emails.all()]
    current_phones = [p.number for p in existing.phones.all()]
    current_links = [(link.url, link.kind) for link in existing.links.all()]
    room = MAX_CONTACTS  # a candidate holds at most this many of each; the first ones win
    new_emails = [e for e in emails if e not in taken and e not in current_emails]
    new_emails = new_emails[: max(0, room - len(current_emails))]
    new_phones = [p for p in phones if p not in current_phones]
    new_phones = new_phones[: max(0, room - len(current_phones))]
    new_links = [u for u in links if u not in {url for url, _ in current_links}]
    new_links = new_links[: max(0, room - len(current_links))]
    if "emails" not in corrections and new_emails:
        patch["emails"] = [*current_emails, *new_emails]
    if "phones" not in corrections and new_phones:
        patch["phones"] = [{"number": n} for n in [*current_phones, *new_phones]]
    if "links" not in corrections and new_links:
        patch["links"] = [
            *({"url": url, "kind": kind} for url, kind in current_links),
            *({"url": url, "kind": link_kind(url)} for url in new_links),
        ]
    if batch is not None and batch.tags:
        patch["tags"] = [*(t.name for t in existing.tags.all()), *batch.tags]
    if patch:
        existing = update_candidate(actor=actor, candidate=existing, data=patch)
    Candidate.objects.filter(pk=existing.pk).update(resume=json_resume)
    refresh_search(existing.pk)  # search: index the resume's words
    resume.candidate = existing
    resume.applied = applied
    _timeline(actor, resume, summary, created=False)
    return False


def _timeline(actor: Actor, resume: Resume, summary: str, *, created: bool) -> None:
    assert resume.candidate is not None
    record_activity(
        candidate=resume.candidate,
        type=Activity.Type.RESUME_PARSED,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary=summary,
        payload={
            "resume_id": resume.pk,
            "batch_id": resume.batch_id,
            "file_name": resume.file_name,
            "created": created,
        },
    )


@transaction.atomic
def reparse_resume(*, actor: Actor, resume: Resume) -> Resume:
    """Parse the stored original again (a newer parser, or a failed file after a fix).
    Fields the recruiter corrected, or changed on the candidate since, are kept."""
    require_editor(actor)
    Resume.objects.filter(pk=resume.pk).update(status=Resume.Status.QUEUED)
    resume.refresh_from_db()
    return parse_resume(actor=actor, resume=resume)


# --- corrections ----------------------------------------------------------------------------

TEXT_LIMITS = {"name": 200, "headline": 255, "location": 200, "summary": 5000}
ITEM_LIMIT = 100
ENTRY_KEYS = {
    "work": ("name", "position", "location", "startDate", "endDate", "summary"),
    "education": ("institution", "studyType", "area", "startDate", "endDate"),
}


def _partial_date(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        if len(text) == 4:
            dt.date(int(text), 1, 1)
        elif len(text) == 7 and text[4] == "-":
            dt.date(int(text[:4]), int(text[5:]), 1)
        else:
            raise ValueError
    except ValueError:
        raise InvalidInput("A date is YYYY or YYYY-MM.", field=field) from None
    return text


def clean_correction(actor: Actor, field: str, value: Any) -> Any:
    """The corrected value of `field`, validated and normalized; InvalidInput names what is
    wrong (e.g. field "emails.1")."""
    if field not in document.FIELDS:
        raise InvalidInput(f"Field is one of: {', '.join(document.FIELDS)}.", field="field")
    if field in TEXT_LIMITS:
        if not isinstance(value, str):
            raise InvalidInput("Must be text.", field=field)
        text = " ".join(value.split()) if field != "summary" else value.strip()
        if len(text) > TEXT_LIMITS[field]:
            raise InvalidInput(f"At most {TEXT_LIMITS[field]} characters.", field=field)
        if field == "name" and not text:
            raise InvalidInput("The name cannot be empty.", field=field)
        return text
    if field == "years_experience":
        if value in (None, ""):
            return None
        try:
            years = round(float(value), 1)
        except (TypeError, ValueError):
            raise InvalidInput("Must be a number of years.", field=field) from None
        if not 0 <= years <= 80:
            raise InvalidInput("Must be between 0 and 80.", field=field)
        return years
    if not isinstance(value, list) or len(value) > ITEM_LIMIT:
        raise InvalidInput(f"Must be a list of at most {ITEM_LIMIT} items.", field=field)
    if field in ENTRY_KEYS:
        return [_clean_entry(field, index, item) for index, item in enumerate(value)]
    out: list[str] = []
    region = actor.workspace.default_phone_region
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInput("Must be non-empty text.", field=f"{field}.{index}")
        try:
            if field == "emails":
                item = normalize_email(item)
            elif field == "phones":
                item = normalize_phone(item, default_region=region)
            elif field == "links":
                item = normalize_url(item)
            else:
                item = " ".join(item.split())
                if len(item) > ITEM_LIMIT:
                    raise NormalizationError(f"At most {ITEM_LIMIT} characters.")
        except NormalizationError as error:
            raise InvalidInput(str(error), field=f"{field}.{index}") from None
        if item not in out:
            out.append(item)
    return out


def _clean_entry(field: str, index: int, item: Any) -> dict[str, str]:
    if not isinstance(item, Mapping):
        raise InvalidInput("Each entry is an object.", field=f"{field}.{index}")
    unknown = set(item) - set(ENTRY_KEYS[field])
    if unknown:
        raise InvalidInput(
            f"Unknown key {sorted(unknown)[0]!r}; keys are {', '.join(ENTRY_KEYS[field])}.",
            field=f"{field}.{index}",
        )
    entry: dict[str, str] = {}
    for key in ENTRY_KEYS[field]:
        raw = item.get(key, "")
        if not isinstance(raw, str):
            raise InvalidInput("Must be text.", field=f"{field}.{index}.{key}")
        if key in ("startDate", "endDate"):
            entry[key] = _partial_date(raw, f"{field}.{index}.{key}")
        else:
            limit = 2000 if key == "summary" else 200
            entry[key] = raw.strip()[:limit]
    return entry


def _current_job(work: list[dict[str, str]]) -> dict[str, str] | None:
    return next((job for job in work if job.get("startDate") and not job.get("endDate")), None)


@transaction.atomic
def correct_field(*, actor: Actor, resume: Resume, field: str, value: Any) -> Resume:
    """Store the recruiter's value of one parsed field as a correction, show it on the
    resume, and carry it to the candidate. Parsing again never overwrites it."""
    require_editor(actor)
    if resume.status != Resume.Status.PARSED:
        raise Conflict("Only a parsed resume can be corrected.")
    value = clean_correction(actor, field, value)
    resume = Resume.objects.select_for_update().get(pk=resume.pk)
    before = document.get_field(resume.parsed, field)
    if before == value:
        return resume
    Correction.objects.create(
        workspace=actor.workspace,
        resume=resume,
        candidate=resume.candidate,
        field=field,
        parsed_value=before,
        value=value,
        actor=actor.user,
    )
    resume.parsed = document.apply_corrections(resume.parsed, {field: value})
    resume.save(update_fields=["parsed"])
    audit.record(
        actor=actor,
        action=audit.Action.RESUME_CORRECTED,
        target=resume,
        changes={field: [before, value]},
        extra={"candidate_id": resume.candidate_id},
    )
    candidate = resume.candidate
    if candidate is None or candidate.deleted_at is not None:
        return resume
    patch = _candidate_patch(candidate, field, before, value)
    if patch:
        update_candidate(actor=actor, candidate=candidate, data=patch)
    Candidate.objects.filter(pk=candidate.pk).update(resume=resume.parsed)
    refresh_search(candidate.pk)  # search: index the resume's words
    return resume


def _candidate_patch(candidate: Candidate, field: str, before: Any, value: Any) -> dict[str, Any]:
    if field == "name":
        first, last = pipeline.name_parts(value)
        return {"first_name": first[:100], "last_name": last[:100]}
    if field == "headline":
        return {"headline": value}
    if field == "location":
        place = pipeline.location_parts(value)
        return {name: place.get(name, "") for name in ("city", "region", "country")}
    if field == "years_experience":
        return {"years_experience": value}
    if field == "work":
        job = _current_job(value)
        return {
            "current_title": (job or {}).get("position", "")[:200],
            "current_company": (job or {}).get("name", "")[:200],
        }
    if field in ("emails", "phones", "links"):
        removed = set(before or []) - set(value)
        if field == "emails":
            current = [e.email for e in candidate.emails.all()]
            kept = [e for e in current if e not in removed]
            return {"emails": [*kept, *(e for e in value if e not in kept)]}
        if field == "phones":
            numbers = [p.number for p in candidate.phones.all()]
            kept = [n for n in numbers if n not in removed]
            return {
                "phones": [{"number": n} for n in [*kept, *(n for n in value if n not in kept)]]
            }
        links = [(link.url, link.kind) for link in candidate.links.all()]
        kept_links = [(url, kind) for url, kind in links if url not in removed]
        urls = {url for url, _ in kept_links}
        return {
            "links": [
                *({"url": url, "kind": kind} for url, kind in kept_links),
                *({"url": url, "kind": link_kind(url)} for url in value if url not in urls),
            ]
        }
    return {}


# --- the workspace's skills -----------------------------------------------------------------


def _clean_skill(name: str, aliases: Sequence[str], category: str) -> tuple[str, list[str], str]:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise InvalidInput("A skill name is 1 to 100 characters.", field="name")
    clean_aliases: list[str] = []
    for index, alias in enumerate(aliases):
        alias = " ".join(str(alias).split())
        if not alias or len(alias) > 100:
            raise InvalidInput("An alias is 1 to 100 characters.", field=f"aliases.{index}")
        if alias.lower() != name.lower() and alias not in clean_aliases:
            clean_aliases.append(alias)
    category = " ".join((category or "").split())
    if len(category) > 40:
        raise InvalidInput("At most 40 characters.", field="category")
    return name, clean_aliases[:50], category


def add_skill(
    *, actor: Actor, name: str, aliases: Sequence[str] = (), category: str = ""
) -> WorkspaceSkill:
    """Add a skill to the workspace's catalogue; the next parses normalize to it."""
    require_editor(actor)
    name, clean_aliases, category = _clean_skill(name, aliases, category)
    try:
        with transaction.atomic():
            skill = WorkspaceSkill.objects.create(
                workspace=actor.workspace,
                name=name,
                aliases=clean_aliases,
                category=category,
                created_by=actor.user,
            )
    except IntegrityError:
        raise Conflict(f"The workspace already has the skill {name!r}.", field="name") from None
    SkillPhrase.objects.filter(
        workspace=actor.workspace,
        phrase__in=[" ".join(x.lower().split()) for x in (name, *clean_aliases)],
    ).delete()
    return skill


def delete_skill(*, actor: Actor, skill: WorkspaceSkill) -> None:
    require_editor(actor)
    skill.delete()


@transaction.atomic
def promote_phrase(
    *, actor: Actor, phrase: SkillPhrase, name: str = "", category: str = ""
) -> WorkspaceSkill:
    """Make an unknown phrase a workspace skill (its written form an alias when renamed)."""
    require_editor(actor)
    name = name or phrase.example
    aliases = [phrase.example] if phrase.example.lower() != name.lower() else []
    existing = WorkspaceSkill.objects.filter(
        workspace=actor.workspace, name__iexact=" ".join(name.split())
    ).first()
    if existing is not None:
        if phrase.example not in existing.aliases and aliases:
            existing.aliases = [*existing.aliases, phrase.example]
            existing.save(update_fields=["aliases"])
        phrase.delete()
        return existing
    return add_skill(actor=actor, name=name, aliases=aliases, category=category)


def ignore_phrase(*, actor: Actor, phrase: SkillPhrase) -> SkillPhrase:
    require_editor(actor)
    phrase.is_ignored = True
    phrase.save(update_fields=["is_ignored"])
    return phrase


@transaction.atomic
def delete_resume(*, actor: Actor, resume: Resume) -> None:
    """Delete the stored original and its parse (the candidate stays)."""
    require_editor(actor)
    audit.record(
        actor=actor,
        action=audit.Action.RESUME_DELETED,
        target=resume,
        extra={"candidate_id": resume.candidate_id, "file_name": resume.file_name},
    )
    name = resume.file.name if resume.file else None
    if name:
        storage = resume.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    resume.delete()


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "doc": "application/msword",
    "rtf": "application/rtf",
}


def file_response(resume: Resume, *, inline: bool) -> FileResponse:
    """The original file. Only a PDF is shown inline (the review screen embeds it), under a
    sandboxing CSP; anything else downloads, so an uploaded HTML file never runs as a page."""
    if not resume.file:
        raise NotFound("This file was not kept (it was refused on arrival).")
    content_type = CONTENT_TYPES.get(resume.format, "application/octet-stream")
    inline = inline and resume.format == "pdf"
    response = FileResponse(
        resume.file.open("rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=resume.file_name.replace("\\", "/").rsplit("/", 1)[-1] or "resume",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def page_image(resume: Resume, page: int) -> bytes:
    """Page `page` (0-based) of a PDF resume as a PNG, rendered in the sandbox."""
    if resume.format != "pdf" or not resume.file or not 0 <= page < max(resume.pages, 1):
        raise NotFound("No such page.")
    with resume.file.open("rb") as stream:
        data = stream.read()
    try:
        png = _sandbox().run(functools.partial(pipeline.render_pdf_page, page_number=page), data)
    except (ExtractionError, IndexError):
        raise NotFound("This page cannot be shown.") from None
    return png


def log_resume_view(*, actor: Actor, resume: Resume, download: bool = False) -> None:
    """Reading a resume (the review screen or the original file) is audited."""
    audit.record(
        actor=actor,
        action=audit.Action.RESUME_VIEWED,
        target=resume,
        extra={"candidate_id": resume.candidate_id, "download": download},
    )


def resumable_batches() -> list[ParseBatch]:
    """Batches a stopped worker left running (no heartbeat for 2 minutes), and queued ones
    whose task was lost."""
    stale = timezone.now() - dt.timedelta(minutes=2)
    return list(
        ParseBatch.objects.filter(status__in=ParseBatch.ACTIVE).filter(heartbeat_at__lt=stale)
    ) + list(
        ParseBatch.objects.filter(
            status=ParseBatch.Status.QUEUED, heartbeat_at=None, created_at__lt=stale
        )
    )


def cancel_batch(*, actor: Actor, batch: ParseBatch) -> ParseBatch:
    """Stop after the current file; the files not parsed stay queued (kept, not parsed)."""
    require_editor(actor)
    ParseBatch.objects.filter(pk=batch.pk, status__in=ParseBatch.ACTIVE).update(
        status=ParseBatch.Status.CANCELLED, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch
