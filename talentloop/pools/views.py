"""Pages: pools and their stages, event check-in, segments, bulk actions and referrals."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability, Role
from talentloop.candidates import selectors as candidate_selectors
from talentloop.candidates.selectors import CandidateFilters
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput, NotFound, TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.outreach import selectors as outreach_selectors
from talentloop.pools import selectors, services
from talentloop.pools.api import export_response
from talentloop.pools.forms import (
    ENROLL,
    AttendeesForm,
    BulkForm,
    PoolEditForm,
    PoolForm,
    ReferralForm,
    SegmentForm,
    StageForm,
)
from talentloop.pools.models import BulkAction, Pool, PoolStage
from talentloop.pools.rules import RuleError

MEMBERS_SHOWN = 500
FIND_LIMIT = 10
PREVIEW_LIMIT = 25
# Query-string names of a candidate search, as the candidates list page writes them.
SEARCH_PARAMS = ("q", "tag", "source", "owner", "archived")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


# --- pools ----------------------------------------------------------------------------------


@member_required
def pool_list(request: MemberRequest) -> HttpResponse:
    """The pools the member can see, and a form to start one."""
    actor = request.actor
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.create_pool(actor=actor, data=form.to_data())
        except TalentloopError as error:
            form.add_service_error(error.field, error.message)
        else:
            messages.success(request, f"Created {pool.name}.")
            return redirect("pools:detail", pool.pk)
    return render(
        request,
        "pools/pool_list.html",
        {
            "pools": selectors.pool_list(actor),
            "form": form,
            "can_edit_pools": actor.can(Capability.EDIT_CANDIDATES),
        },
        status=422 if request.method == "POST" else 200,
    )


def _find(actor: Actor, text: str) -> tuple[list[dict[str, Any]], str]:
    """Candidates whose name, e-mail, title or company match `text` (the add/check-in box)."""
    if not text.strip():
        return [], ""
    try:
        filters = candidate_selectors.parse_filters(text=text)
        rows, _ = candidate_selectors.candidate_page(
            actor, filters, limit=FIND_LIMIT, contacts=("emails",)
        )
    except InvalidInput as error:
        return [], error.message
    return rows, ""


@member_required
def pool_detail(request: MemberRequest, pool_id: int) -> HttpResponse:
    """Members grouped by stage with a count per stage, a box to add people, and bulk actions
    on the selected members."""
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    stage_id = _int(request.GET.get("stage"))
    counts = selectors.stage_counts(actor, pool)
    members = selectors.pool_members(actor, pool, stage_id=stage_id, limit=MEMBERS_SHOWN)
    found, find_error = _find(actor, request.GET.get("find", ""))
    if request.GET.get("partial") == "find":
        return render(
            request,
            "pools/pool_detail.html#find-results",
            {"pool": pool, "found": found, "find_error": find_error},
        )
    stages = selectors.workspace_stages(actor)
    groups = [
        {"stage": stage, "members": [m for m in members if m["stage_id"] == stage.pk]}
        for stage in stages
        if stage_id is None or stage.pk == stage_id
    ]
    total = sum(c["count"] for c in counts)
    return render(
        request,
        "pools/pool_detail.html",
        {
            "pool": pool,
            "counts": counts,
            "count_max": max([c["count"] for c in counts] + [1]),
            "total": total,
            "groups": groups,
            "stages": stages,
            "stage_id": stage_id,
            "is_truncated": len(members) >= MEMBERS_SHOWN,
            "found": found,
            "find_error": find_error,
            "find": request.GET.get("find", ""),
            "can_edit_pools": actor.can(Capability.EDIT_CANDIDATES),
            "is_owner": pool.owner_id == actor.user_id or actor.can(Capability.MANAGE_WORKSPACE),
            "bulk_form": _bulk_form(actor, None),
            "attendees_form": AttendeesForm(),
        },
    )


@member_required
def pool_edit(request: MemberRequest, pool_id: int) -> HttpResponse:
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    initial = {
        "name": pool.name,
        "description": pool.description,
        "visibility": pool.visibility,
        "event_date": pool.event_date,
    }
    form = PoolEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_pool(actor=actor, pool=pool, data=form.to_data())
        except TalentloopError as error:
            if error.status == 403:
                raise
            form.add_service_error(error.field, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("pools:detail", pool.pk)
    return render(
        request,
        "pools/pool_form.html",
        {"form": form, "pool": pool},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@member_required
def pool_delete(request: MemberRequest, pool_id: int) -> HttpResponse:
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    services.delete_pool(actor=actor, pool=pool)
    messages.success(request, f"Deleted {pool.name}; its candidates stay.")
    return redirect("pools:list")


def _back(pool: Pool, request: MemberRequest) -> HttpResponse:
    url = reverse(
        "pools:check_in" if request.POST.get("next") == "check_in" else "pools:detail",
        args=[pool.pk],
    )
    return redirect(url)


@require_POST
@member_required
def member_add(request: MemberRequest, pool_id: int) -> HttpResponse:
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    candidate_id = _int(request.POST.get("candidate_id"))
    candidate = candidate_selectors.access_candidate(actor, candidate_id or 0, for_write=True)
    _, created = services.add_to_pool(actor=actor, pool=pool, candidate=candidate)
    if created:
        messages.success(request, f"Added {candidate.full_name}.")
    else:
        messages.info(request, f"{candidate.full_name} is in this pool already.")
    return _back(pool, request)


@require_POST
@member_required
def member_move(request: MemberRequest, pool_id: int, candidate_id: int) -> HttpResponse:
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    membership = selectors.access_membership(actor, pool, candidate_id)
    stage = selectors.access_stage(actor, _int(request.POST.get("stage_id")) or 0)
    services.move_stage(actor=actor, membership=membership, stage=stage)
    messages.success(request, f"Moved {membership.candidate.full_name} to {stage.name}.")
    return redirect("pools:detail", pool.pk)


@require_POST
@member_required
def member_remove(request: MemberRequest, pool_id: int, candidate_id: int) -> HttpResponse:
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    membership = selectors.access_membership(actor, pool, candidate_id)
    services.remove_from_pool(actor=actor, membership=membership)
    messages.success(request, f"Removed {membership.candidate.full_name} from the pool.")
    return redirect("pools:detail", pool.pk)


# --- events ---------------------------------------------------------------------------------


@member_required
def check_in_page(request: MemberRequest, pool_id: int) -> HttpResponse:
    """The door: find people as you type and check them in, or import the attendee list."""
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    if pool.kind != Pool.Kind.EVENT:
        raise NotFound("This pool is not an event.")
    found, find_error = _find(actor, request.GET.get("find", ""))
    if request.GET.get("partial") == "find":
        return render(
            request,
            "pools/check_in.html#find-results",
            {"pool": pool, "found": found, "find_error": find_error},
        )
    form = AttendeesForm()
    report = None
    status = 200
    if request.method == "POST":
        form = AttendeesForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            try:
                report = services.import_attendees(
                    actor=actor,
                    pool=pool,
                    text=form.cleaned_data["text"],
                    mark_checked_in=form.cleaned_data["check_in"],
                )
            except TalentloopError as error:
                if error.status == 403:
                    raise
                form.add_service_error(None, error.message)
            else:
                status = 200
                form = AttendeesForm()
    attendees = selectors.pool_members(actor, pool, limit=MEMBERS_SHOWN)
    return render(
        request,
        "pools/check_in.html",
        {
            "pool": pool,
            "found": found,
            "find_error": find_error,
            "find": request.GET.get("find", ""),
            "form": form,
            "report": report,
            "attendees": attendees,
            "checked_in": sum(1 for a in attendees if a["checked_in_at"]),
        },
        status=status,
    )


@require_POST
@member_required
def check_in(request: MemberRequest, pool_id: int) -> HttpResponse:
    actor = request.actor
    pool = selectors.access_pool(actor, pool_id)
    candidate_id = _int(request.POST.get("candidate_id"))
    candidate = candidate_selectors.access_candidate(actor, candidate_id or 0, for_write=True)
    try:
        _, checked = services.check_in(actor=actor, pool=pool, candidate=candidate)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("pools:detail", pool.pk)
    if checked:
        messages.success(request, f"Checked in {candidate.full_name}.")
    else:
        messages.info(request, f"{candidate.full_name} was checked in already.")
    return redirect("pools:check_in", pool.pk)


# --- stages ---------------------------------------------------------------------------------


@member_required
def stage_settings(request: MemberRequest) -> HttpResponse:
    """The workspace's stages: add, rename, move up or down, delete (admins change them)."""
    actor = request.actor
    form = StageForm()
    status = 200
    if request.method == "POST":
        status = 422
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = StageForm(request.POST)
                if form.is_valid():
                    services.create_stage(actor=actor, name=form.cleaned_data["name"])
                    messages.success(request, "Stage added.")
                    return redirect("pools:stages")
            else:
                stage = selectors.access_stage(actor, _int(request.POST.get("stage_id")) or 0)
                if action == "rename":
                    services.rename_stage(
                        actor=actor, stage=stage, name=request.POST.get("name", "")
                    )
                elif action in ("up", "down"):
                    _move(actor, stage, -1 if action == "up" else 1)
                elif action == "delete":
                    services.delete_stage(actor=actor, stage=stage)
                else:
                    raise InvalidInput("Unknown action.", field="action")
                messages.success(request, "Stages saved.")
                return redirect("pools:stages")
        except TalentloopError as error:
            if error.status == 403:
                raise
            if action == "add":
                form.add_service_error(error.field, error.message)
            else:
                messages.error(request, error.message)
                return redirect("pools:stages")
    return render(
        request,
        "pools/stages.html",
        {
            "stages": selectors.workspace_stages(actor),
            "form": form,
            "can_manage_stages": actor.can(Capability.MANAGE_WORKSPACE),
        },
        status=status,
    )


def _move(actor: Actor, stage: PoolStage, step: int) -> None:
    ids = [s.pk for s in selectors.workspace_stages(actor)]
    index = ids.index(stage.pk)
    other = index + step
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    services.reorder_stages(actor=actor, stage_ids=ids)


# --- segments -------------------------------------------------------------------------------


@member_required
def segment_list(request: MemberRequest) -> HttpResponse:
    """Segments with their sizes (stored sizes younger than a few minutes are reused)."""
    actor = request.actor
    segments = list(selectors.visible_segments(actor).select_related("owner").order_by("name"))
    sizes = {s.pk: selectors.segment_size(actor, s, fresh=False) for s in segments}
    return render(
        request,
        "pools/segment_list.html",
        {
            "segments": [(s, sizes[s.pk]) for s in segments],
            "can_edit_pools": actor.can(Capability.EDIT_CANDIDATES),
        },
    )


def _builder_context(actor: Actor) -> dict[str, Any]:
    """What the builder script offers: fields, their operators, pools and stages."""
    from talentloop.candidates.models import Activity, CustomFieldDefinition
    from talentloop.pools import rules

    fields: dict[str, list[str]] = {}
    for name in rules.TEXT_FIELDS:
        fields[name] = [*rules.TEXT_OPS, *rules.EMPTY_OPS]
    for name in rules.CHOICE_FIELDS:
        fields[name] = [*rules.CHOICE_OPS, *rules.EMPTY_OPS]
    for name in rules.NUMBER_FIELDS:
        fields[name] = [*rules.NUMBER_OPS, *rules.EMPTY_OPS]
    for name in rules.DATE_FIELDS:
        fields[name] = [*rules.DATE_OPS, *rules.EMPTY_OPS]
    fields["owner"] = [*rules.OWNER_OPS, *rules.EMPTY_OPS]
    fields["tag"] = list(rules.TAG_OPS)
    fields["pool"] = list(rules.POOL_OPS)
    fields["stage"] = list(rules.STAGE_OPS)
    fields["activity"] = list(rules.ACTIVITY_OPS)
    for kind in Activity.Type.values:
        fields[f"activity.{kind}"] = list(rules.ACTIVITY_OPS)
    for definition in CustomFieldDefinition.objects.filter(workspace=actor.workspace):
        fields[f"custom.{definition.key}"] = list(
            rules.CUSTOM_OPS.get(definition.field_type, rules.EMPTY_OPS)
        )
    return {
        "fields": fields,
        "no_value": sorted(rules.NO_VALUE_OPS),
        "list_ops": ["in", "not_in", "has_any", "has_all", "has_none"],
        "pools": [{"id": p.pk, "name": p.name} for p in selectors.visible_pools(actor)],
        "stages": [s.name for s in selectors.workspace_stages(actor)],
    }


@member_required
def segment_edit(request: MemberRequest, segment_id: int | None = None) -> HttpResponse:
    """The segment builder. "Preview" counts and lists matches without saving."""
    actor = request.actor
    segment = selectors.access_segment(actor, segment_id) if segment_id is not None else None
    initial = SegmentForm.initial_from(segment) if segment else {"rules": _starter_rules()}
    form = SegmentForm(request.POST or None, initial=initial)
    preview: tuple[int, list[dict[str, Any]]] | None = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("name", "description", "rules")}
            try:
                if request.POST.get("action") == "preview":
                    preview = selectors.segment_preview(actor, data["rules"], limit=PREVIEW_LIMIT)
                    status = 200
                elif segment is None:
                    segment = services.create_segment(actor=actor, data=data)
                    messages.success(request, f"Saved {segment.name}.")
                    return redirect("pools:segment_detail", segment.pk)
                else:
                    services.update_segment(actor=actor, segment=segment, data=data)
                    messages.success(request, "Saved.")
                    return redirect("pools:segment_detail", segment.pk)
            except TalentloopError as error:
                if error.status == 403:
                    raise
                form.add_service_error(error.field, error.message)
    return render(
        request,
        "pools/segment_form.html",
        {
            "form": form,
            "segment": segment,
            "preview": preview,
            "builder": _builder_context(actor),
        },
        status=status,
    )


def _starter_rules() -> str:
    return json.dumps({"all": [{"field": "city", "op": "eq", "value": ""}]}, indent=2)


@member_required
def segment_detail(request: MemberRequest, segment_id: int) -> HttpResponse:
    """The segment's size and first members, evaluated now, and bulk actions on all of them."""
    actor = request.actor
    segment = selectors.access_segment(actor, segment_id)
    error = ""
    size, rows = 0, list[dict[str, Any]]()
    try:
        size, rows = selectors.segment_preview(actor, segment.rules, limit=50)
    except RuleError as rule_error:  # a pool or custom field it names has gone since
        error = rule_error.message
    else:
        if actor.can(Capability.VIEW_ALL_CANDIDATES):
            services.store_segment_size(segment=segment, size=size)
    return render(
        request,
        "pools/segment_detail.html",
        {
            "segment": segment,
            "size": size,
            "rows": rows,
            "error": error,
            "rules_json": json.dumps(segment.rules, indent=2),
            "bulk_url": reverse("pools:bulk") + f"?select=segment&segment={segment.pk}",
            "can_change": segment.owner_id == actor.user_id
            or actor.can(Capability.MANAGE_WORKSPACE),
        },
    )


@require_POST
@member_required
def segment_delete(request: MemberRequest, segment_id: int) -> HttpResponse:
    actor = request.actor
    segment = selectors.access_segment(actor, segment_id)
    services.delete_segment(actor=actor, segment=segment)
    messages.success(request, f"Deleted {segment.name}.")
    return redirect("pools:segments")


# --- bulk actions ---------------------------------------------------------------------------


def _bulk_form(actor: Actor, data: QueryDict | None) -> BulkForm:
    sequences = None
    if actor.can(Capability.OUTREACH):
        sequences = [(s.pk, s.name) for s in outreach_selectors.enrollable_sequences(actor)]
    return BulkForm(
        data,
        pools=selectors.pool_list(actor),
        stages=selectors.workspace_stages(actor),
        sequences=sequences,
    )


# Candidates picked by hand or by a search travel to the enrolment check as ids in its
# address; past this many, the page asks for a pool instead (a URL stays under ~16 KB).
ENROLL_BY_IDS = 1_000


def _enroll_url(actor: Actor, selection: dict[str, Any], sequence_id: int) -> str:
    """The outreach enrolment check for this selection: it shows who would be enrolled and
    when, who is skipped and why and whose recent contact collides, then enrols. Pools and
    segments pass as themselves (evaluated there, when confirming); ids and searches as the
    visible candidates' ids."""
    sequence = _field(outreach_selectors.access_sequence, actor, sequence_id, "sequence")
    if "segment" in selection:
        audience: list[tuple[str, Any]] = [("segment", selection["segment"].pk)]
    elif "in_pool" in selection:
        audience = [("pool", selection["in_pool"].pk)]
    else:
        ids = services.selected_candidate_ids(
            actor=actor,
            candidate_ids=selection.get("ids"),
            filters=selection.get("filters"),
            talent_search=selection.get("talent_search"),
        )
        if not ids:
            raise InvalidInput("None of these candidates can be enrolled.", field="ids")
        if len(ids) > ENROLL_BY_IDS:
            raise InvalidInput(
                f"{len(ids):,} candidates: enrol at most {ENROLL_BY_IDS:,} picked this way. "
                "Add them to a pool first, then enrol the pool.",
                field="kind",
            )
        audience = [("candidate", pk) for pk in ids]
    return reverse("outreach:enroll", args=[sequence.pk]) + "?" + urlencode(audience)


def _selection(actor: Actor, params: QueryDict) -> dict[str, Any]:
    """What the bulk page acts on, by `select`: "ids" (checked boxes), "segment", "pool" (all
    members of `in_pool`), or else a candidate search (the candidates list's query string)."""
    select = params.get("select", "")
    if select == "segment":
        segment = selectors.access_segment(actor, _int(params.get("segment")) or 0)
        return {"segment": segment, "label": f"every candidate in the segment {segment.name}"}
    if select == "pool":
        pool = selectors.access_pool(actor, _int(params.get("in_pool")) or 0)
        rules = {"all": [{"field": "pool", "op": "in", "value": pool.pk}]}
        return {"rules": rules, "in_pool": pool, "label": f"every member of the pool {pool.name}"}
    if select == "search":
        # A talent search (the search page's query string, carried whole in `search`).
        from talentloop.search.forms import SearchForm  # search builds on pools

        form = SearchForm(QueryDict(params.get("search", "")), actor=actor)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise InvalidInput(f"The search is not valid: {errors[0]}", field=field)
        query = form.cleaned_data["q"] or ""
        if not query.strip() and form.filters.is_empty:
            raise InvalidInput("Search for something first.", field="search")
        return {
            "talent_search": (query, form.filters),
            "label": f"every candidate matching the talent search {query.strip() or '(filters)'}",
        }
    if select == "ids":
        clean = [_int(value) for value in params.getlist("ids")]
        if not clean:
            raise InvalidInput("Select at least one candidate.", field="ids")
        if None in clean:
            raise InvalidInput("Candidate ids are whole numbers.", field="ids")
        count = len(set(clean))
        return {"ids": clean, "label": f"{count} selected candidate{'s' if count != 1 else ''}"}
    filters = candidate_selectors.parse_filters(
        text=params.get("q", ""),
        tag=params.get("tag", ""),
        owner=params.get("owner", ""),
        source=params.get("source", ""),
        include_archived=params.get("archived") == "1",
        me=actor.user_id,
    )
    if filters == CandidateFilters():
        return {"filters": filters, "label": "every candidate"}
    return {"filters": filters, "label": "every candidate matching the search"}


@member_required
def bulk(request: MemberRequest) -> HttpResponse:
    """Choose an action for a selection: ids (checkboxes), a segment, or a candidate search
    (the candidates list's query string)."""
    actor = request.actor
    params = request.POST if request.method == "POST" else request.GET
    try:
        selection = _selection(actor, params)
    except InvalidInput as error:
        return render(request, "pools/bulk.html", {"error": error.message}, status=422)
    form = _bulk_form(actor, request.POST if request.POST.get("kind") else None)
    status = 200
    if request.method == "POST" and request.POST.get("kind"):
        status = 422
        if form.is_valid() and form.cleaned_data["kind"] == ENROLL:
            try:
                return redirect(_enroll_url(actor, selection, form.cleaned_data["sequence"]))
            except TalentloopError as error:
                if error.status == 403:
                    raise
                form.add_service_error(
                    "kind" if error.field in ("ids", "kind") else "sequence", error.message
                )
        elif form.is_valid():
            try:
                action = services.start_bulk_action(
                    actor=actor,
                    kind=form.cleaned_data["kind"],
                    candidate_ids=selection.get("ids"),
                    segment=selection.get("segment"),
                    filters=selection.get("filters"),
                    rules=selection.get("rules"),
                    talent_search=selection.get("talent_search"),
                    pool=_field(selectors.access_pool, actor, form.cleaned_data["pool"], "pool"),
                    stage=_field(
                        selectors.access_stage, actor, form.cleaned_data["stage"], "stage"
                    ),
                    tag=form.cleaned_data["tag"],
                )
            except TalentloopError as error:
                if error.status == 403:
                    raise
                field = {"pool_id": "pool", "stage_id": "stage", "tags[0]": "tag"}.get(
                    error.field or "", error.field
                )
                form.add_service_error(field, error.message)
            else:
                return redirect("pools:bulk_action", action.pk)
    hidden = [
        (name, value)
        for name in ("select", "segment", "in_pool", "ids", "search", *SEARCH_PARAMS)
        for value in params.getlist(name)
    ]
    return render(
        request,
        "pools/bulk.html",
        {"form": form, "selection": selection, "hidden": hidden},
        status=status,
    )


def _field(getter: Any, actor: Actor, object_id: int | None, field: str) -> Any:
    if object_id is None:
        return None
    try:
        return getter(actor, object_id)
    except NotFound as error:
        raise InvalidInput(error.message, field=field) from None


ACTIVE = [BulkAction.Status.QUEUED, BulkAction.Status.RUNNING]


@member_required
def bulk_action_detail(request: MemberRequest, action_id: int) -> HttpResponse:
    """A bulk action's progress (followed live while it runs) and, for exports, the file."""
    action = selectors.access_bulk_action(request.actor, action_id)
    return render(
        request,
        "pools/bulk_action.html",
        {
            "action": action,
            "is_active": action.status in ACTIVE,
            "active_json": json.dumps(ACTIVE),
        },
    )


@member_required
def bulk_action_status(request: MemberRequest, action_id: int) -> HttpResponse:
    """The progress as JSON for talentloop/follow.js."""
    action = selectors.access_bulk_action(request.actor, action_id)
    return JsonResponse(
        {
            "status": action.status,
            "percent": action.percent,
            "show": {
                "status_label": action.get_status_display(),
                "processed": str(action.processed),
                "changed": str(action.changed),
                "percent": f"{action.percent}%",
            },
        }
    )


@member_required
def bulk_action_download(request: MemberRequest, action_id: int) -> HttpResponse:
    action = selectors.access_bulk_action(request.actor, action_id)
    try:
        return export_response(action)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("pools:bulk_action", action.pk)


# --- referrals ------------------------------------------------------------------------------


@member_required
def referral(request: MemberRequest) -> HttpResponse:
    """Refer someone: open to every member but auditors (hiring managers included)."""
    actor = request.actor
    pools = list(selectors.visible_pools(actor).order_by("name"))
    form = ReferralForm(request.POST or None, pools=pools)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            pool_id = data.pop("pool")
            try:
                pool = _field(selectors.access_pool, actor, pool_id, "pool")
                candidate, created = services.submit_referral(
                    actor=actor, referral=services.Referral(**data), pool=pool
                )
            except TalentloopError as error:
                if error.status == 403:
                    raise
                form.add_service_error(error.field, error.message)
            else:
                name = candidate.full_name
                messages.success(
                    request,
                    f"Thank you: {name} was added as your referral."
                    if created
                    else f"Thank you: {name} was already known; your note is on their profile.",
                )
                return redirect("pools:referral")
    return render(
        request,
        "pools/referral.html",
        {"form": form, "is_auditor": actor.role == Role.AUDITOR},
        status=status,
    )
