"""Every write to candidates and their timeline goes through these functions."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from talentloop.accounts.models import Membership, User, Workspace
from talentloop.accounts.roles import Capability
from talentloop.candidates.models import (
    Activity,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    CandidateTag,
    CustomFieldDefinition,
    Note,
    Seniority,
    Source,
    Tag,
)
from talentloop.candidates.normalize import (
    NormalizationError,
    build_search_text,
    link_kind,
    normalize_country,
    normalize_email,
    normalize_phone,
    normalize_timezone,
    normalize_url,
)
from talentloop.compliance import audit
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.search.services import refresh_candidate as refresh_search  # search: the hook

# Plain text fields: name -> max length (the model's).
TEXT_FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "headline": 255,
    "city": 100,
    "region": 100,
    "current_title": 200,
    "current_company": 200,
    "source_detail": 255,
}
# Fields whose changes are personal data and go into the audit row with old and new values.
AUDITED_FIELDS = (
    *TEXT_FIELDS,
    "country",
    "timezone",
    "seniority",
    "years_experience",
    "source",
    "owner_id",
    "is_do_not_contact",
    "is_archived",
    "emails",
    "phones",
    "links",
    "tags",
    "custom_fields",
)
# Timeline types that count as reaching out to the person.
OUTBOUND_TYPES = {
    Activity.Type.EMAIL_SENT,
    Activity.Type.SMS_SENT,
    Activity.Type.CALL,
    Activity.Type.LINKEDIN_MESSAGE,
}
MAX_CONTACTS = 20
MAX_TAGS = 50


# --- validation -----------------------------------------------------------------------------


def clean_candidate_data(
    actor: Actor,
    data: Mapping[str, Any],
    *,
    creating: bool,
    definitions: Mapping[str, CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """Validate and normalize `data` (any subset of the candidate's fields), as every way in
    does; raise InvalidInput naming the field. Bulk callers pass the workspace's custom field
    `definitions` once instead of a query per row."""
    return _clean(actor, data, creating=creating, definitions=definitions)


def _clean(
    actor: Actor,
    data: Mapping[str, Any],
    *,
    creating: bool,
    definitions: Mapping[str, CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """Validate and normalize `data` (any subset of the candidate's fields)."""
    clean: dict[str, Any] = {}
    for name, max_length in TEXT_FIELDS.items():
        if name in data:
            value = (data[name] or "").strip()
            if len(value) > max_length:
                raise InvalidInput(f"At most {max_length} characters.", field=name)
            clean[name] = value
    if creating and not clean.get("first_name"):
        raise InvalidInput("A first name is required.", field="first_name")
    if "first_name" in clean and not clean["first_name"]:
        raise InvalidInput("The first name cannot be empty.", field="first_name")
    for name, normalize in (("country", normalize_country), ("timezone", normalize_timezone)):
        if name in data:
            try:
                clean[name] = normalize(data[name] or "")
            except NormalizationError as error:
                raise InvalidInput(str(error), field=name) from None
    if "seniority" in data:
        clean["seniority"] = _choice(data["seniority"] or "", Seniority, "seniority", blank=True)
    if "source" in data:
        clean["source"] = _choice(data["source"] or "", Source, "source", blank=False)
    if "years_experience" in data:
        clean["years_experience"] = _years(data["years_experience"])
    if "owner_id" in data:
        clean["owner_id"] = _owner(actor, data["owner_id"])
    for flag in ("is_do_not_contact", "is_archived"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise InvalidInput("Must be true or false.", field=flag)
            clean[flag] = data[flag]
    # A list sent as null is emptied, as a text field sent as null is blanked.
    if "emails" in data:
        clean["emails"] = _emails(data["emails"] or [])
    if "phones" in data:
        region = actor.workspace.default_phone_region
        clean["phones"] = _phones(data["phones"] or [], region)
    if "links" in data:
        clean["links"] = _links(data["links"] or [])
    if "tags" in data:
        clean["tags"] = _tag_names(data["tags"] or [])
    if "custom_fields" in data:
        clean["custom_fields"] = clean_custom_fields(
            actor, data["custom_fields"] or {}, definitions=definitions
        )
    return clean


@functools.cache
def _values(choices: Any) -> frozenset[str]:
    return frozenset(choices.values)  # Django builds the list anew on every `.values`


def _choice(value: str, choices: Any, field: str, *, blank: bool) -> str:
    if value == "" and blank:
        return ""
    if value not in _values(choices):
        allowed = ", ".join(choices.values)
        raise InvalidInput(f"{value!r} is not one of: {allowed}.", field=field)
    return value


def _years(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        years = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("Must be a number of years.", field="years_experience") from None
    if years.is_nan() or not Decimal(0) <= years <= Decimal(80):
        raise InvalidInput("Must be between 0 and 80.", field="years_experience")
    return years


def _owner(actor: Actor, owner_id: Any) -> int | None:
    if owner_id is None or owner_id == "":
        return None
    # Type first: a string id would make the membership query itself raise (a 500, not a 422).
    # Ids are 64-bit: SQLite raises OverflowError on a bigger one instead of matching nothing.
    is_id = isinstance(owner_id, int) and not isinstance(owner_id, bool) and abs(owner_id) < 2**63
    if (
        not is_id
        or not Membership.objects.filter(workspace=actor.workspace, user_id=owner_id).exists()
    ):
        raise InvalidInput("The owner must be a member of this workspace.", field="owner_id")
    return int(owner_id)


def _emails(values: Iterable[str]) -> list[str]:
    emails: list[str] = []
    for index, value in enumerate(values):
        try:
            email = normalize_email(value)
        except NormalizationError as error:
            raise InvalidInput(str(error), field=f"emails[{index}]") from None
        if email not in emails:
            emails.append(email)
    if len(emails) > MAX_CONTACTS:
        raise InvalidInput(f"At most {MAX_CONTACTS} e-mails.", field="emails")
    return emails


def _phones(values: Iterable[Mapping[str, str]], region: str) -> list[tuple[str, str]]:
    phones: list[tuple[str, str]] = []
    for index, value in enumerate(values):
        kind = value.get("kind") or CandidatePhone.Kind.MOBILE
        if kind not in _values(CandidatePhone.Kind):
            raise InvalidInput(f"{kind!r} is not a phone kind.", field=f"phones[{index}].kind")
        try:
            number = normalize_phone(value.get("number", ""), default_region=region)
        except NormalizationError as error:
            raise InvalidInput(str(error), field=f"phones[{index}].number") from None
        if number not in [existing for existing, _ in phones]:
            phones.append((number, kind))
    if len(phones) > MAX_CONTACTS:
        raise InvalidInput(f"At most {MAX_CONTACTS} phone numbers.", field="phones")
    return phones


def _links(values: Iterable[Mapping[str, str]]) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for index, value in enumerate(values):
        try:
            url = normalize_url(value.get("url", ""))
        except NormalizationError as error:
            raise InvalidInput(str(error), field=f"links[{index}].url") from None
        kind = value.get("kind") or link_kind(url)
        if kind not in _values(CandidateLink.Kind):
            raise InvalidInput(f"{kind!r} is not a link kind.", field=f"links[{index}].kind")
        if url not in [existing for existing, _ in links]:
            links.append((url, kind))
    if len(links) > MAX_CONTACTS:
        raise InvalidInput(f"At most {MAX_CONTACTS} links.", field="links")
    return links


def clean_tag_names(values: Iterable[str]) -> list[str]:
    """Tag names trimmed, each once (case-insensitively); InvalidInput for a bad one."""
    return _tag_names(values)


def _tag_names(values: Iterable[str]) -> list[str]:
    names: dict[str, str] = {}
    for index, value in enumerate(values):
        name = " ".join(str(value).split())
        if not name or len(name) > 50:
            raise InvalidInput("A tag is 1 to 50 characters.", field=f"tags[{index}]")
        names.setdefault(name.casefold(), name)
    if len(names) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags.", field="tags")
    return list(names.values())


def clean_custom_fields(
    actor: Actor,
    values: Mapping[str, Any],
    *,
    definitions: Mapping[str, CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """Check each value against the workspace's definition of its key; None removes a value."""
    if definitions is None:
        definitions = custom_field_definitions(actor.workspace)
    clean: dict[str, Any] = {}
    for key, value in values.items():
        field = f"custom_fields.{key}"
        definition = definitions.get(key)
        if definition is None:
            raise InvalidInput(f"There is no custom field {key!r}.", field=field)
        if value is None or value == "":
            clean[key] = None
            continue
        clean[key] = _custom_value(definition, value, field)
    return clean


def custom_field_definitions(workspace: Workspace) -> dict[str, CustomFieldDefinition]:
    return {d.key: d for d in CustomFieldDefinition.objects.filter(workspace=workspace)}


def _custom_value(definition: CustomFieldDefinition, value: Any, field: str) -> Any:
    kind = CustomFieldDefinition.Type
    if definition.field_type == kind.TEXT:
        if not isinstance(value, str) or len(value) > 1000:
            raise InvalidInput("Must be text of at most 1000 characters.", field=field)
        return value.strip()
    if definition.field_type == kind.NUMBER:
        if isinstance(value, bool):
            raise InvalidInput("Must be a number.", field=field)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidInput("Must be a number.", field=field) from None
        if not math.isfinite(number):  # NaN and infinity are not JSON
            raise InvalidInput("Must be a number.", field=field)
        return int(number) if number.is_integer() else number
    if definition.field_type == kind.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise InvalidInput("Must be a date as YYYY-MM-DD.", field=field) from None
    if definition.field_type == kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"true", "yes", "1", "on"}:
            return True
        if str(value).lower() in {"false", "no", "0", "off"}:
            return False
        raise InvalidInput("Must be true or false.", field=field)
    if definition.field_type == kind.CHOICE:
        if value not in definition.choices:
            raise InvalidInput(f"Must be one of: {', '.join(definition.choices)}.", field=field)
        return value
    try:
        return normalize_url(str(value))
    except NormalizationError as error:
        raise InvalidInput(str(error), field=field) from None


# --- candidates -----------------------------------------------------------------------------


def _snapshot(candidate: Candidate) -> dict[str, Any]:
    """The audited fields as JSON-ready values, for old/new diffs."""
    snap: dict[str, Any] = {}
    for name in AUDITED_FIELDS:
        if name == "emails":
            snap[name] = [e.email for e in candidate.emails.all()]
        elif name == "phones":
            snap[name] = [p.number for p in candidate.phones.all()]
        elif name == "links":
            snap[name] = [link.url for link in candidate.links.all()]
        elif name == "tags":
            snap[name] = sorted(t.name for t in candidate.tags.all())
        elif name == "years_experience":
            value = candidate.years_experience
            snap[name] = str(value) if value is not None else None
        else:
            snap[name] = getattr(candidate, name)
    return snap


def _refresh_search_text(candidate: Candidate) -> None:
    emails = " ".join(e.email for e in candidate.emails.all())
    candidate.search_text = build_search_text(
        candidate.first_name,
        candidate.last_name,
        emails,
        candidate.current_title,
        candidate.current_company,
    )


def _write_contacts(actor: Actor, candidate: Candidate, clean: Mapping[str, Any]) -> None:
    """Replace the given lists. A list that is unchanged is not rewritten at all."""
    workspace = actor.workspace
    if "emails" in clean:
        _check_emails_free(actor, candidate, clean["emails"])
        current = {e.email: e for e in candidate.emails.all()}
        if list(current) != clean["emails"]:
            candidate.emails.all().delete()
            # A bounce belongs to the address, not the row: an address that stays keeps it.
            CandidateEmail.objects.bulk_create(
                CandidateEmail(
                    candidate=candidate,
                    workspace=workspace,
                    email=email,
                    is_primary=i == 0,
                    bounced_at=current[email].bounced_at if email in current else None,
                    created_at=current[email].created_at if email in current else timezone.now(),
                )
                for i, email in enumerate(clean["emails"])
            )
    if (
        "phones" in clean
        and [(p.number, p.kind) for p in candidate.phones.all()] != clean["phones"]
    ):
        candidate.phones.all().delete()
        CandidatePhone.objects.bulk_create(
            CandidatePhone(
                candidate=candidate, workspace=workspace, number=n, kind=k, is_primary=i == 0
            )
            for i, (n, k) in enumerate(clean["phones"])
        )
    if "links" in clean and [(lk.url, lk.kind) for lk in candidate.links.all()] != clean["links"]:
        candidate.links.all().delete()
        CandidateLink.objects.bulk_create(
            CandidateLink(candidate=candidate, workspace=workspace, url=url, kind=kind)
            for url, kind in clean["links"]
        )
    wanted_tags = {name.casefold() for name in clean.get("tags", ())}
    if "tags" in clean and {t.name_key for t in candidate.tags.all()} != wanted_tags:
        tags = _get_or_create_tags(actor, clean["tags"])
        CandidateTag.objects.filter(candidate=candidate).delete()
        CandidateTag.objects.bulk_create(CandidateTag(candidate=candidate, tag=t) for t in tags)


def _check_emails_free(actor: Actor, candidate: Candidate, emails: Sequence[str]) -> None:
    taken = (
        CandidateEmail.objects.filter(workspace=actor.workspace, email__in=emails)
        .exclude(candidate_id=candidate.pk)
        .values_list("email", "candidate_id")
        .first()
    )
    if taken:
        email, owner_id = taken
        raise Conflict(
            f"{email} already belongs to candidate {owner_id}.", field="emails", code="duplicate"
        )


def _check_identity_free(actor: Actor, clean: Mapping[str, Any]) -> None:
    """A new record must not repeat a stored person's phone or LinkedIn/GitHub profile (their
    e-mail is checked by `_check_emails_free` and a unique constraint)."""
    numbers = [number for number, _ in clean.get("phones", [])]
    profiles = [
        url
        for url, kind in clean.get("links", [])
        if kind in (CandidateLink.Kind.LINKEDIN, CandidateLink.Kind.GITHUB)
    ]
    lookups: list[tuple[str, Any]] = []
    if numbers:
        lookups.append(
            (
                "phones",
                CandidatePhone.objects.filter(workspace=actor.workspace, number__in=numbers)
                .values_list("number", "candidate_id")
                .first(),
            )
        )
    if profiles:
        lookups.append(
            (
                "links",
                CandidateLink.objects.filter(workspace=actor.workspace, url__in=profiles)
                .values_list("url", "candidate_id")
                .first(),
            )
        )
    for field, taken in lookups:
        if taken:
            value, owner_id = taken
            raise Conflict(
                f"{value} already belongs to candidate {owner_id}.", field=field, code="duplicate"
            )


def _get_or_create_tags(actor: Actor, names: Sequence[str]) -> list[Tag]:
    keys = {name.casefold(): name for name in names}
    existing = {
        t.name_key: t
        for t in Tag.objects.filter(workspace=actor.workspace).filter(name_key__in=keys)
    }
    missing = [
        Tag(workspace=actor.workspace, name=name, name_key=key)
        for key, name in keys.items()
        if key not in existing
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            t.name_key: t
            for t in Tag.objects.filter(workspace=actor.workspace).filter(name_key__in=keys)
        }
    return [existing[key] for key in keys]


def _require(actor: Actor, capability: Capability) -> None:
    if not actor.can(capability):
        raise Forbidden("Your role does not allow this.")


@transaction.atomic
def create_candidate(*, actor: Actor, data: Mapping[str, Any]) -> Candidate:
    """Create a candidate with contacts, tags and custom fields; audit it and start its timeline.

    Raises InvalidInput (with the field) for bad values, and Conflict when an e-mail, phone or
    LinkedIn/GitHub profile already identifies a stored candidate (update that one instead).
    """
    _require(actor, Capability.EDIT_CANDIDATES)
    clean = _clean(actor, data, creating=True)
    _check_identity_free(actor, clean)
    scalars = {k: v for k, v in clean.items() if k not in {"emails", "phones", "links", "tags"}}
    scalars["custom_fields"] = {
        k: v for k, v in scalars.get("custom_fields", {}).items() if v is not None
    }
    if "owner_id" not in scalars and actor.user is not None:
        scalars["owner_id"] = actor.user.pk
    candidate = Candidate.objects.create(workspace=actor.workspace, **scalars)
    try:
        with transaction.atomic():
            _write_contacts(actor, candidate, clean)
    except IntegrityError:
        # Two requests raced for one e-mail: the unique constraint decided.
        raise Conflict("One of these e-mails was just taken.", field="emails") from None
    _refresh_search_text(candidate)
    candidate.save(update_fields=["search_text"])
    refresh_search(candidate.pk)  # search: index the new candidate with its contacts
    after = _snapshot(candidate)
    audit.record(
        actor=actor,
        action=audit.Action.CANDIDATE_CREATED,
        target=candidate,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "", [], {}, False)},
    )
    record_activity(
        candidate=candidate,
        type=Activity.Type.CREATED,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary=f"Added by {actor.label} (source: {candidate.get_source_display()})",
    )
    # Imported here: the duplicates app builds on this module.
    from talentloop.duplicates.tasks import check_candidate_duplicates_task

    transaction.on_commit(lambda: check_candidate_duplicates_task.enqueue(candidate.pk))
    return candidate


@transaction.atomic
def update_candidate(*, actor: Actor, candidate: Candidate, data: Mapping[str, Any]) -> Candidate:
    """Change the given fields only. List fields (emails, phones, links, tags) are replaced.

    Custom fields are merged key by key; a None value removes that key. Nothing changes unless
    every value is valid.
    """
    _require(actor, Capability.EDIT_CANDIDATES)
    clean = _clean(actor, data, creating=False)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    before = _snapshot(candidate)
    for name, value in clean.items():
        if name == "custom_fields":
            merged = {**candidate.custom_fields, **value}
            candidate.custom_fields = {k: v for k, v in merged.items() if v is not None}
        elif name not in {"emails", "phones", "links", "tags"}:
            setattr(candidate, name, value)
    try:
        with transaction.atomic():
            _write_contacts(actor, candidate, clean)
    except IntegrityError:
        raise Conflict("One of these e-mails was just taken.", field="emails") from None
    _refresh_search_text(candidate)
    after = _snapshot(candidate)
    changes = audit.diff(before, after)
    if not changes:
        return candidate
    candidate.updated_at = timezone.now()
    candidate.save()
    refresh_search(candidate.pk)  # search: re-index what changed
    audit.record(
        actor=actor, action=audit.Action.CANDIDATE_UPDATED, target=candidate, changes=changes
    )
    record_activity(
        candidate=candidate,
        type=Activity.Type.UPDATED,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary="Changed " + ", ".join(name.replace("_id", "") for name in changes),
        payload={"fields": sorted(changes)},
    )
    return candidate


@transaction.atomic
def delete_candidate(*, actor: Actor, candidate: Candidate) -> None:
    """Soft-delete: the candidate leaves every list and search; the record stays for restore.

    Deleting twice is a no-op.
    """
    _require(actor, Capability.EDIT_CANDIDATES)
    updated = Candidate.objects.filter(pk=candidate.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), updated_at=timezone.now()
    )
    if updated:
        audit.record(actor=actor, action=audit.Action.CANDIDATE_DELETED, target=candidate)


def log_candidate_view(*, actor: Actor, candidate: Candidate) -> None:
    """Record that `actor` opened this profile (the access audit reads these)."""
    audit.record_read(actor=actor, action=audit.Action.CANDIDATE_VIEWED, target=candidate)


# `str(candidate)` in SQL, over the columns of the candidate row read.
_LABEL_SQL = "btrim(target.first_name || ' ' || target.last_name, E' \\t\\n\\r')"


def view_profile(*, actor: Actor, candidate_id: int) -> dict[str, Any]:
    """The profile API's read: the candidate and its contacts as `selectors.profile_row`
    gives them, with the view recorded in the access audit. On PostgreSQL the audit row is
    written by the reading statement itself (`audit.reading`): one round trip instead of two,
    and the read and its record are one transaction."""
    from talentloop.candidates import selectors

    if connection.vendor != "postgresql":
        row = selectors.access_profile_row(actor, candidate_id)
        audit.record_read_of(
            actor=actor,
            action=audit.Action.CANDIDATE_VIEWED,
            target_type="candidate",
            target_id=row["id"],
            target_label=row["full_name"],
        )
        return row
    audited = functools.partial(
        audit.reading,
        actor=actor,
        action=audit.Action.CANDIDATE_VIEWED,
        target=Candidate,
        label=_LABEL_SQL,
    )
    return selectors.access_profile_row(actor, candidate_id, wrap=audited)


@transaction.atomic
def export_candidate(*, actor: Actor, candidate: Candidate) -> dict[str, Any]:
    """Everything stored about the candidate, as JSON-ready data. Audited as an export."""
    from talentloop.candidates.selectors import candidate_timeline
    from talentloop.compliance.models import ConsentRecord

    timeline, _ = candidate_timeline(actor, candidate, limit=10_000)
    document = {
        "candidate": {"id": candidate.pk, **_snapshot(candidate)},
        "resume": candidate.resume,
        "timeline": [
            {
                "type": a.type,
                "channel": a.channel,
                "summary": a.summary,
                "payload": a.payload,
                "occurred_at": a.occurred_at.isoformat(),
            }
            for a in timeline
        ],
        "consent": [
            {
                "channel": c.channel,
                "purpose": c.purpose,
                "status": c.status,
                "source": c.source,
                "wording_version": c.wording_version,
                "occurred_at": c.occurred_at.isoformat(),
            }
            for c in ConsentRecord.objects.filter(candidate=candidate).order_by("occurred_at")
        ],
        # Every resume file received for the person: what it was and what parsing read.
        "resume_files": [
            {
                "file_name": r.file_name,
                "format": r.format,
                "size": r.size,
                "sha256": r.sha256,
                "status": r.status,
                "received_at": r.created_at.isoformat(),
                "parsed": r.parsed,
            }
            for r in candidate.resumes.order_by("created_at", "id")
        ],
        "exported_at": timezone.now().isoformat(),
    }
    audit.record(actor=actor, action=audit.Action.CANDIDATE_EXPORTED, target=candidate)
    return document


# --- timeline -------------------------------------------------------------------------------


def record_activity(
    *,
    candidate: Candidate,
    type: Activity.Type,
    channel: Activity.Channel,
    actor: Actor | None,
    summary: str = "",
    payload: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
    private_to: User | None = None,
    inbound: bool = False,
) -> Activity:
    """Add one entry to the candidate's timeline. The only writer of Activity rows.

    Outbound contact (not `inbound`) of an OUTBOUND_TYPES type moves `last_contacted_at`.
    """
    activity = Activity.objects.create(
        workspace_id=candidate.workspace_id,
        candidate=candidate,
        type=type,
        channel=channel,
        actor=actor.user if actor else None,
        summary=summary[:500],
        payload=payload or {},
        private_to=private_to,
        occurred_at=occurred_at or timezone.now(),
    )
    if type in OUTBOUND_TYPES and not inbound:
        # A backdated entry (a call logged a week later) must not move the date back.
        Candidate.objects.filter(pk=candidate.pk).filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=activity.occurred_at)
        ).update(last_contacted_at=activity.occurred_at)
    return activity


def record_activities(entries: Sequence[Activity]) -> list[Activity]:
    """Add many timeline entries at once (unsaved Activity objects), as record_activity would.

    For the outreach engine, which records a group of sends in one transaction.
    """
    for entry in entries:
        entry.summary = entry.summary[:500]
    created = Activity.objects.bulk_create(entries)
    latest: dict[dt.datetime, list[int]] = defaultdict(list)
    for entry in created:
        if entry.type in OUTBOUND_TYPES:
            latest[entry.occurred_at].append(entry.candidate_id)
    for occurred_at, candidate_ids in latest.items():
        Candidate.objects.filter(pk__in=candidate_ids).filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=occurred_at)
        ).update(last_contacted_at=occurred_at)
    return created


LOGGABLE_TYPES = {
    Activity.Type.CALL: Activity.Channel.PHONE,
    Activity.Type.LINKEDIN_MESSAGE: Activity.Channel.LINKEDIN,
}


@transaction.atomic
def log_touchpoint(
    *,
    actor: Actor,
    candidate: Candidate,
    type: str,
    summary: str,
    occurred_at: dt.datetime | None = None,
    direction: str = "outbound",
) -> Activity:
    """Log a call or LinkedIn message that happened outside Talentloop."""
    _require(actor, Capability.ADD_NOTES)
    if type not in LOGGABLE_TYPES:
        raise InvalidInput("Log a call or a LinkedIn message.", field="type")
    if direction not in {"outbound", "inbound"}:
        raise InvalidInput("Direction is outbound or inbound.", field="direction")
    summary = summary.strip()
    if not summary or len(summary) > 500:
        raise InvalidInput("Say what happened, in 1 to 500 characters.", field="summary")
    if occurred_at and timezone.is_naive(occurred_at):
        raise InvalidInput("Give the time with a time zone.", field="occurred_at")
    if occurred_at and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput("A logged touchpoint cannot be in the future.", field="occurred_at")
    activity_type = Activity.Type(type)
    activity = record_activity(
        candidate=candidate,
        type=activity_type,
        channel=LOGGABLE_TYPES[activity_type],
        actor=actor,
        summary=summary,
        payload={"direction": direction},
        occurred_at=occurred_at,
        inbound=direction == "inbound",
    )
    audit.record(
        actor=actor,
        action=audit.Action.ACTIVITY_LOGGED,
        target=candidate,
        extra={"activity_id": activity.pk, "type": type},
    )
    return activity


# --- notes ----------------------------------------------------------------------------------


def _clean_note(body: str, remind_at: dt.datetime | None) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput("A note needs some text.", field="body")
    if len(body) > 10_000:
        raise InvalidInput("At most 10,000 characters.", field="body")
    if remind_at is not None and timezone.is_naive(remind_at):
        raise InvalidInput("Give the reminder time with a time zone.", field="remind_at")
    return body


@transaction.atomic
def add_note(
    *,
    actor: Actor,
    candidate: Candidate,
    body: str,
    visibility: str = Note.Visibility.TEAM,
    remind_at: dt.datetime | None = None,
) -> Note:
    """Add a note (team-visible or private) with an optional reminder for its author."""
    _require(actor, Capability.ADD_NOTES)
    body = _clean_note(body, remind_at)
    if visibility not in Note.Visibility.values:
        raise InvalidInput("Visibility is team or private.", field="visibility")
    if actor.user is None and (visibility == Note.Visibility.PRIVATE or remind_at):
        raise InvalidInput(
            "Private notes and reminders belong to a person, not an API key.", field="visibility"
        )
    private = visibility == Note.Visibility.PRIVATE
    activity = record_activity(
        candidate=candidate,
        type=Activity.Type.NOTE,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary=body[:500],
        private_to=actor.user if private else None,
    )
    note = Note.objects.create(
        workspace=actor.workspace,
        candidate=candidate,
        author=actor.user,
        activity=activity,
        body=body,
        visibility=visibility,
        remind_at=remind_at,
    )
    activity.payload = {"note_id": note.pk}
    activity.save(update_fields=["payload"])
    audit.record(
        actor=actor, action=audit.Action.NOTE_CREATED, target=candidate, extra={"note_id": note.pk}
    )
    return note


def _require_author(actor: Actor, note: Note) -> None:
    if actor.user is None or note.author_id != actor.user.pk:
        raise Forbidden("Only the author can change this note.")


@transaction.atomic
def update_note(
    *,
    actor: Actor,
    note: Note,
    body: str | None = None,
    remind_at: dt.datetime | None = None,
    clear_reminder: bool = False,
) -> Note:
    """Change a note's text or reminder. Only its author may."""
    _require_author(actor, note)
    before = {"body": note.body, "remind_at": note.remind_at}
    if body is not None:
        note.body = _clean_note(body, remind_at)
        Activity.objects.filter(pk=note.activity_id).update(summary=note.body[:500])
    if clear_reminder:
        note.remind_at = None
    elif remind_at is not None:
        _clean_note(note.body, remind_at)
        note.remind_at = remind_at
        note.reminder_done_at = None
        note.reminder_notified_at = None
    note.updated_at = timezone.now()
    note.save()
    after = {"body": note.body, "remind_at": note.remind_at}
    audit.record(
        actor=actor,
        action=audit.Action.NOTE_UPDATED,
        target=note.candidate,
        # ISO 8601 for times and a real null for a cleared reminder (str() would store "None").
        changes={
            k: [v.isoformat() if isinstance(v, dt.datetime) else v for v in pair]
            for k, pair in audit.diff(before, after).items()
        },
        extra={"note_id": note.pk},
    )
    return note


@transaction.atomic
def complete_reminder(*, actor: Actor, note: Note) -> Note:
    """Mark the note's reminder done; it leaves the home page. Doing it twice is harmless."""
    _require_author(actor, note)
    if note.reminder_done_at is None:
        note.reminder_done_at = timezone.now()
        note.save(update_fields=["reminder_done_at"])
    return note


@transaction.atomic
def delete_note(*, actor: Actor, note: Note) -> None:
    """Delete a note and its timeline entry. Only its author may."""
    _require_author(actor, note)
    audit.record(
        actor=actor,
        action=audit.Action.NOTE_DELETED,
        target=note.candidate,
        extra={"note_id": note.pk},
    )
    note.activity.delete()  # cascades to the note


# --- tags and custom field definitions ------------------------------------------------------


@transaction.atomic
def create_tag(*, actor: Actor, name: str) -> Tag:
    """Create a tag; a tag of the same name (any case) is returned instead of a second one."""
    _require(actor, Capability.EDIT_CANDIDATES)
    (clean,) = _tag_names([name])
    return _get_or_create_tags(actor, [clean])[0]


@transaction.atomic
def rename_tag(*, actor: Actor, tag: Tag, name: str) -> Tag:
    _require(actor, Capability.EDIT_CANDIDATES)
    (clean,) = _tag_names([name])
    key = clean.casefold()
    if Tag.objects.filter(workspace=actor.workspace, name_key=key).exclude(pk=tag.pk).exists():
        raise Conflict(f"A tag named {clean!r} exists already.", field="name")
    old = tag.name
    tag.name, tag.name_key = clean, key
    tag.save()
    audit.record(
        actor=actor, action=audit.Action.TAG_CHANGED, target=tag, changes={"name": [old, clean]}
    )
    return tag


@transaction.atomic
def delete_tag(*, actor: Actor, tag: Tag) -> None:
    _require(actor, Capability.EDIT_CANDIDATES)
    audit.record(
        actor=actor, action=audit.Action.TAG_CHANGED, target=tag, changes={"name": [tag.name, None]}
    )
    tag.delete()


@transaction.atomic
def define_custom_field(
    *, actor: Actor, key: str, label: str, field_type: str, choices: Sequence[str] = ()
) -> CustomFieldDefinition:
    """Add a typed custom field to the workspace's candidates. Admins only."""
    from django.utils.text import slugify

    _require(actor, Capability.MANAGE_WORKSPACE)
    key = key.strip()
    if not key or slugify(key).replace("-", "_") != key or len(key) > 50:
        raise InvalidInput("Use lower-case letters, digits and _ (at most 50).", field="key")
    label = label.strip()
    if not label or len(label) > 100:
        raise InvalidInput("A label is 1 to 100 characters.", field="label")
    if field_type not in CustomFieldDefinition.Type.values:
        allowed = ", ".join(CustomFieldDefinition.Type.values)
        raise InvalidInput(f"Type is one of: {allowed}.", field="field_type")
    clean_choices = [c.strip() for c in choices if c.strip()]
    if field_type == CustomFieldDefinition.Type.CHOICE and not clean_choices:
        raise InvalidInput("A choice field needs at least one choice.", field="choices")
    if CustomFieldDefinition.objects.filter(workspace=actor.workspace, key=key).exists():
        raise Conflict(f"A custom field {key!r} exists already.", field="key")
    definition = CustomFieldDefinition.objects.create(
        workspace=actor.workspace,
        key=key,
        label=label,
        field_type=field_type,
        choices=clean_choices,
        position=CustomFieldDefinition.objects.filter(workspace=actor.workspace).count(),
    )
    audit.record(
        actor=actor,
        action=audit.Action.CUSTOM_FIELD_CHANGED,
        target=definition,
        changes={"key": [None, key], "field_type": [None, field_type]},
    )
    return definition


@transaction.atomic
def delete_custom_field(*, actor: Actor, definition: CustomFieldDefinition) -> None:
    """Remove the definition; stored values stay in each candidate's data until changed."""
    _require(actor, Capability.MANAGE_WORKSPACE)
    audit.record(
        actor=actor,
        action=audit.Action.CUSTOM_FIELD_CHANGED,
        target=definition,
        changes={"key": [definition.key, None]},
    )
    definition.delete()


# --- stale data ----------------------------------------------------------------------------


@transaction.atomic
def confirm_current(*, actor: Actor, candidate: Candidate) -> Candidate:
    """A recruiter checked the profile and it is current: it leaves the "not refreshed" queue
    for the workspace's number of months."""
    _require(actor, Capability.EDIT_CANDIDATES)
    candidate.updated_at = timezone.now()
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=candidate.updated_at)
    audit.record(
        actor=actor,
        action=audit.Action.CANDIDATE_UPDATED,
        target=candidate,
        extra={"confirmed_current": True},
    )
    record_activity(
        candidate=candidate,
        type=Activity.Type.UPDATED,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary="Confirmed the profile is up to date",
        payload={"confirmed_current": True},
    )
    return candidate


@transaction.atomic
def set_email_bounced(
    *, actor: Actor, candidate: Candidate, email: str, bounced: bool
) -> CandidateEmail:
    """Mark one of the candidate's e-mails as bounced (or not any more). Outreach warns before
    using a bounced address; bounce handling calls this too."""
    _require(actor, Capability.EDIT_CANDIDATES)
    try:
        address = normalize_email(email)
    except NormalizationError as error:
        raise InvalidInput(str(error), field="email") from None
    row = CandidateEmail.objects.select_for_update().filter(candidate=candidate, email=address)
    found = row.first()
    if found is None:
        raise InvalidInput(f"{address} is not one of this candidate's e-mails.", field="email")
    if (found.bounced_at is not None) == bounced:
        return found  # already so: nothing to record
    found.bounced_at = timezone.now() if bounced else None
    found.save(update_fields=["bounced_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CANDIDATE_UPDATED,
        target=candidate,
        changes={f"emails.{address}.bounced": [not bounced, bounced]},
    )
    record_activity(
        candidate=candidate,
        type=Activity.Type.EMAIL_BOUNCED if bounced else Activity.Type.UPDATED,
        channel=Activity.Channel.EMAIL if bounced else Activity.Channel.INTERNAL,
        actor=actor,
        summary=f"Marked {address} as bounced" if bounced else f"{address} works again",
        payload={"email": address, "bounced": bounced},
    )
    return found


@transaction.atomic
def set_phone_invalid(
    *, actor: Actor, candidate: Candidate, number: str, invalid: bool
) -> CandidatePhone:
    """Mark one of the candidate's numbers as invalid (not in service, someone else's), or
    valid again."""
    _require(actor, Capability.EDIT_CANDIDATES)
    try:
        e164 = normalize_phone(number, default_region=actor.workspace.default_phone_region)
    except NormalizationError as error:
        raise InvalidInput(str(error), field="number") from None
    found = CandidatePhone.objects.select_for_update().filter(candidate=candidate, number=e164)
    phone = found.first()
    if phone is None:
        raise InvalidInput(f"{e164} is not one of this candidate's numbers.", field="number")
    if (phone.invalid_at is not None) == invalid:
        return phone
    phone.invalid_at = timezone.now() if invalid else None
    phone.save(update_fields=["invalid_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CANDIDATE_UPDATED,
        target=candidate,
        changes={f"phones.{e164}.invalid": [not invalid, invalid]},
    )
    record_activity(
        candidate=candidate,
        type=Activity.Type.UPDATED,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary=f"Marked {e164} as invalid" if invalid else f"{e164} works again",
        payload={"number": e164, "invalid": invalid},
    )
    return phone
