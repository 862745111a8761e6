"""Pages: the outreach home, the sequence builder and page with its enrolments and funnel, the
enrol flow (check first, then confirm), and the campaign editor and page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability
from talentloop.candidates.selectors import visible_candidates
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound, TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.outreach import policy, selectors, services, timing
from talentloop.outreach.forms import (
    WEEKDAYS,
    CampaignForm,
    DropRow,
    EnrollAudienceForm,
    SequenceForm,
    StepRow,
    apply_row_op,
    drop_rows,
    place_row_error,
    step_rows,
)
from talentloop.outreach.models import (
    CampaignDrop,
    Enrollment,
    Sequence,
    SequenceStep,
    StepChannel,
    Template,
)
from talentloop.pools import selectors as pool_selectors
from talentloop.pools.models import Pool, Segment

ENROLLMENTS_SHOWN = 50
# On the check page, at most this many people are listed per outcome (all are counted).
CHECK_LISTED = 100


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def _links(*names: tuple[str, str, list[int]]) -> list[tuple[str, str]]:
    """(label, URL) of other outreach pages (automations: export, dry-run, import) that are
    mounted; a page not wired in is left out rather than breaking this one."""
    found = []
    for label, name, args in names:
        try:
            found.append((label, reverse(name, args=args)))
        except NoReverseMatch:
            continue
    return found


def _can_write(actor: Actor) -> bool:
    return actor.can(Capability.OUTREACH)


def _raise_forbidden(error: TalentloopError) -> None:
    if error.status in (403, 404):
        raise error


# --- home -----------------------------------------------------------------------------------


@member_required
def home(request: MemberRequest) -> HttpResponse:
    """Sequences and campaigns with their status and key numbers."""
    actor = request.actor
    return render(
        request,
        "outreach/home.html",
        {
            "sequences": selectors.sequence_list(actor),
            "campaigns": selectors.campaign_list(actor),
            "can_outreach": _can_write(actor),
            "links": _links(("Import", "outreach_automation:import", []))
            if _can_write(actor)
            else [],
        },
    )


# --- sequences ------------------------------------------------------------------------------


def _builder_context(actor: Actor) -> dict[str, Any]:
    return {
        "channels": StepChannel.choices,
        "senders": SequenceStep.Sender.choices,
        "templates": selectors.template_choices(actor),
        "members": selectors.member_choices(actor),
        "message_channels": {
            StepChannel.EMAIL: Template.Kind.EMAIL,
            StepChannel.SMS: Template.Kind.SMS,
        },
    }


def _default_window(actor: Actor) -> str:
    rules = policy.settings_for(actor.workspace)
    start, end = timing.as_time(rules.window_start), timing.as_time(rules.window_end)
    return f"{start:%H:%M}-{end:%H:%M}"


def _jobs(actor: Actor) -> list[tuple[int, str]]:
    return [
        (
            job.pk,
            f"{job.title} (hiring manager: {job.hiring_manager.display_name})"
            if job.hiring_manager
            else job.title,
        )
        for job in selectors.job_choices(actor)
    ]


@member_required
def sequence_edit(request: MemberRequest, sequence_id: int | None = None) -> HttpResponse:
    """The sequence builder: settings and the steps in order, each with its channel, delay,
    send window, template or instructions, and sender. Without JavaScript, the add, remove and
    move buttons re-render the page; with it, sequence-builder.js does the same in place."""
    actor = request.actor
    sequence = (
        selectors.access_sequence(actor, sequence_id, for_write=True)
        if sequence_id is not None
        else None
    )
    if not _can_write(actor):
        raise Forbidden("Your role does not allow outreach.")
    jobs = _jobs(actor)
    status = 200
    if request.method == "POST":
        form = SequenceForm(request.POST, jobs=jobs)
        rows = step_rows(request.POST)
        op = request.POST.get("op", "save")
        if apply_row_op(rows, op, StepRow()):
            form.is_valid()  # show the other fields as typed, without errors for now
            form.errors.clear()
        else:
            status = 422
            if form.is_valid():
                data = {**form.to_data(), "steps": [row.to_data() for row in rows]}
                try:
                    if sequence is None:
                        saved = services.create_sequence(actor=actor, data=data)
                    else:
                        saved = services.update_sequence(actor=actor, sequence=sequence, data=data)
                except TalentloopError as error:
                    _raise_forbidden(error)
                    if not place_row_error(rows, error.field or "", error.message):
                        form.add_service_error(error.field, error.message)
                else:
                    messages.success(request, f"Saved {saved.name} (version {saved.version}).")
                    return redirect("outreach:sequence", saved.pk)
    elif sequence is not None:
        form = SequenceForm(initial=SequenceForm.initial_from(sequence), jobs=jobs)
        rows = [StepRow.from_step(s) for s in selectors.sequence_steps(sequence)]
    else:
        form = SequenceForm(initial={"stop_on": ["reply"]}, jobs=jobs)
        rows = [StepRow()]
    return render(
        request,
        "outreach/sequence_form.html",
        {
            "sequence": sequence,
            "form": form,
            "rows": rows,
            "blank": StepRow(),
            "default_window": _default_window(actor),
            **_builder_context(actor),
        },
        status=status,
    )


@member_required
def sequence_detail(request: MemberRequest, sequence_id: int) -> HttpResponse:
    """The sequence's steps, its per-step funnel, and its enrolments with each person's state."""
    actor = request.actor
    sequence = selectors.access_sequence(actor, sequence_id)
    status = request.GET.get("status", "")
    if status not in Enrollment.Status.values:
        status = ""
    try:
        rows, next_cursor = selectors.enrollment_rows(
            actor,
            sequence,
            status=status,
            cursor=request.GET.get("cursor", ""),
            limit=ENROLLMENTS_SHOWN,
        )
    except InvalidInput:
        rows, next_cursor = selectors.enrollment_rows(
            actor, sequence, status=status, limit=ENROLLMENTS_SHOWN
        )
    funnel = selectors.sequence_funnel(sequence)
    counts = selectors.enrollment_counts(sequence)
    return render(
        request,
        "outreach/sequence_detail.html",
        {
            "sequence": sequence,
            "steps": selectors.sequence_steps(sequence),
            "funnel": funnel,
            "funnel_max": max([row.counts["sent"] for row in funnel] + [1]),
            "counts": counts,
            "total": sum(counts.values()),
            "status_tabs": [(v, label, counts[v]) for v, label in Enrollment.Status.choices],
            "status": status,
            "enrollments": rows,
            "next_url": f"?{urlencode({'status': status, 'cursor': next_cursor})}"
            if next_cursor
            else "",
            "actions": services.sequence_actions(sequence.status),
            "can_outreach": _can_write(actor),
            "links": _links(
                ("Dry-run", "outreach_automation:sequence_dry_run", [sequence.pk]),
                ("Export", "outreach_automation:sequence_export", [sequence.pk]),
            ),
        },
    )


@require_POST
@member_required
def sequence_status(request: MemberRequest, sequence_id: int) -> HttpResponse:
    actor = request.actor
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    try:
        sequence = services.set_sequence_status(
            actor=actor, sequence=sequence, status=request.POST.get("status", "")
        )
    except TalentloopError as error:
        _raise_forbidden(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"{sequence.name} is {sequence.get_status_display().lower()}.")
    return redirect("outreach:sequence", sequence.pk)


@require_POST
@member_required
def sequence_delete(request: MemberRequest, sequence_id: int) -> HttpResponse:
    actor = request.actor
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    try:
        services.delete_sequence(actor=actor, sequence=sequence)
    except TalentloopError as error:
        _raise_forbidden(error)
        messages.error(request, error.message)
        return redirect("outreach:sequence", sequence.pk)
    messages.success(request, f"Deleted {sequence.name}.")
    return redirect("outreach:home")


# --- enrolment ------------------------------------------------------------------------------


def _audience(actor: Actor, params: QueryDict) -> dict[str, Any]:
    """Whom the enrol page is about: `candidate` ids, a `pool` or a `segment` (query string or
    form), with a label. Raises NotFound for one the actor may not see."""
    pool_id, segment_id = _int(params.get("pool")), _int(params.get("segment"))
    if (params.get("pool") and pool_id is None) or (params.get("segment") and segment_id is None):
        raise NotFound("No such pool or segment.")
    if pool_id is not None:
        pool = pool_selectors.access_pool(actor, pool_id)
        return {"pool": pool, "label": f"the members of the pool {pool.name}"}
    if segment_id is not None:
        segment = pool_selectors.access_segment(actor, segment_id)
        return {"segment": segment, "label": f"the candidates in the segment {segment.name}"}
    values = params.getlist("candidate")
    ids = [_int(v) for v in values]
    if not ids:
        return {}
    if None in ids:
        raise NotFound("No such candidate.")
    wanted = [pk for pk in dict.fromkeys(ids) if pk is not None]
    # One query for up to the 1,000 ids a bulk action hands over; any one the actor may not see
    # answers as a missing candidate, as access_candidate would.
    found = visible_candidates(actor).in_bulk(wanted)
    if len(found) != len(wanted):
        raise NotFound("No such candidate.")
    candidates = [found[pk] for pk in wanted]
    label = candidates[0].full_name if len(candidates) == 1 else f"{len(candidates)} candidates"
    return {"candidate_ids": [c.pk for c in candidates], "candidates": candidates, "label": label}


def _audience_query(audience: dict[str, Any]) -> list[tuple[str, Any]]:
    if "pool" in audience:
        return [("pool", audience["pool"].pk)]
    if "segment" in audience:
        return [("segment", audience["segment"].pk)]
    return [("candidate", pk) for pk in audience.get("candidate_ids", [])]


def _enroll(
    actor: Actor, sequence: Sequence, audience: dict[str, Any], **options: Any
) -> services.EnrollmentReport:
    return services.enroll(
        actor=actor,
        sequence=sequence,
        candidate_ids=audience.get("candidate_ids"),
        pool=audience.get("pool"),
        segment=audience.get("segment"),
        **options,
    )


def _choices(items: list[Pool] | list[Segment]) -> list[tuple[int, str]]:
    return [(item.pk, item.name) for item in items]


@member_required
def enroll(request: MemberRequest, sequence_id: int) -> HttpResponse:
    """Enrol people in a sequence: GET checks first (who would be enrolled, who is skipped and
    why, whose recent contact by a teammate collides: who, when, what) without writing; POST
    enrols, with collisions only when confirmed."""
    actor = request.actor
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    params = request.POST if request.method == "POST" else request.GET
    audience = _audience(actor, params)
    if not audience:
        form = EnrollAudienceForm(
            request.GET or None,
            pools=_choices(_pools(actor)),
            segments=_choices(list(pool_selectors.visible_segments(actor).order_by("name"))),
        )
        return render(
            request,
            "outreach/enrollment_form.html",
            {"sequence": sequence, "form": form, "report": None},
        )
    query = urlencode(_audience_query(audience))
    if request.method == "POST":
        try:
            report = _enroll(
                actor,
                sequence,
                audience,
                allow_collisions=request.POST.get("allow_collisions") == "1",
            )
        except TalentloopError as error:
            _raise_forbidden(error)
            messages.error(request, error.message)
            return redirect(reverse("outreach:enroll", args=[sequence.pk]) + f"?{query}")
        messages.success(request, _summary(report))
        return redirect("outreach:sequence", sequence.pk)
    return _check_page(request, sequence, audience)


def _check_page(
    request: MemberRequest, sequence: Sequence, audience: dict[str, Any]
) -> HttpResponse:
    """What enrolling would do, grouped by outcome, with the confirm form."""
    problem = ""
    report: services.EnrollmentReport | None = None
    try:
        report = _enroll(request.actor, sequence, audience, dry_run=True, allow_collisions=False)
    except TalentloopError as error:
        _raise_forbidden(error)
        problem = error.message
    groups = []
    if report is not None:
        for outcome, title in (
            (services.COLLISION, "Contacted recently by a teammate"),
            (services.SKIPPED, "Skipped"),
            (services.REENTRY_REFUSED, "Not allowed back in"),
            (services.ALREADY_ENROLLED, "Already in this sequence"),
            (services.ENROLLED, "Will be enrolled"),
        ):
            found = report.of(outcome)
            if found:
                groups.append(
                    {
                        "outcome": outcome,
                        "title": title,
                        "count": len(found),
                        "items": found[:CHECK_LISTED],
                    }
                )
    return render(
        request,
        "outreach/enrollment_form.html",
        {
            "sequence": sequence,
            "audience": audience,
            "hidden": _audience_query(audience),
            "report": report,
            "groups": groups,
            "warned": report.warned[:CHECK_LISTED] if report else [],
            "error": problem,
        },
        status=422 if problem else 200,
    )


def _pools(actor: Actor) -> list[Pool]:
    return list(pool_selectors.visible_pools(actor).order_by("name", "id"))


def _summary(report: services.EnrollmentReport) -> str:
    counts = report.counts
    parts = [f"Enrolled {counts[services.ENROLLED]}"]
    for key, words in (
        (services.ALREADY_ENROLLED, "already in"),
        (services.SKIPPED, "skipped"),
        (services.REENTRY_REFUSED, "not allowed back in"),
        (services.COLLISION, "left out for a teammate's recent contact"),
    ):
        if counts[key]:
            parts.append(f"{counts[key]} {words}")
    return "; ".join(parts) + "."


@member_required
def enroll_start(request: MemberRequest) -> HttpResponse:
    """From a candidate, pool or segment: choose the sequence, then check and confirm."""
    actor = request.actor
    if not _can_write(actor):
        raise Forbidden("Your role does not allow outreach.")
    audience = _audience(actor, request.GET)
    if not audience:
        raise NotFound("Choose a candidate, a pool or a segment first.")
    sequences = selectors.enrollable_sequences(actor)
    chosen = _int(request.GET.get("sequence"))
    if chosen is not None:
        sequence = selectors.access_sequence(actor, chosen, for_write=True)
        query = urlencode(_audience_query(audience))
        return redirect(reverse("outreach:enroll", args=[sequence.pk]) + f"?{query}")
    current: list[Enrollment] = []
    if len(audience.get("candidates", [])) == 1:
        current = selectors.candidate_enrollments(actor, audience["candidates"][0])
    return render(
        request,
        "outreach/enrollment_start.html",
        {
            "audience": audience,
            "hidden": _audience_query(audience),
            "sequences": sequences,
            "current": current,
        },
    )


@require_POST
@member_required
def enrollment_action(request: MemberRequest, enrollment_id: int, action: str) -> HttpResponse:
    """Pause, resume or stop one person's sequence."""
    actor = request.actor
    enrollment = selectors.access_enrollment(actor, enrollment_id, for_write=True)
    act = {
        "pause": services.pause_enrollment,
        "resume": services.resume_enrollment,
        "stop": services.stop_enrollment,
    }.get(action)
    if act is None:
        raise NotFound("No such action.")
    name = enrollment.candidate.full_name
    try:
        act(actor=actor, enrollment=enrollment)
    except TalentloopError as error:
        _raise_forbidden(error)
        messages.error(request, error.message)
    else:
        done = {"pause": "Paused", "resume": "Resumed", "stop": "Stopped"}[action]
        messages.success(request, f"{done} {name}'s sequence.")
    back = request.POST.get("next", "")
    if back == "candidate":
        return redirect(
            reverse("outreach:enroll_start")
            + f"?{urlencode({'candidate': enrollment.candidate_id})}"
        )
    return redirect("outreach:sequence", enrollment.sequence_id)


# --- campaigns ------------------------------------------------------------------------------


def _campaign_form(
    actor: Actor, data: QueryDict | None, *, initial: dict[str, Any], started: bool
) -> CampaignForm:
    form = CampaignForm(
        data,
        initial=initial,
        segments=_choices(list(pool_selectors.visible_segments(actor).order_by("name"))),
        pools=_choices(_pools(actor)),
        senders=[(m.user_id, m.user.display_name) for m in selectors.member_choices(actor)],
    )
    if started:
        # A drop went out: who gets it and why is fixed (the ledger says who got what).
        form.fields["audience"].disabled = True
        form.fields["purpose"].disabled = True
    return form


@member_required
def campaign_edit(request: MemberRequest, campaign_id: int | None = None) -> HttpResponse:
    """The campaign editor: audience, sender, pacing (throttle, quiet days) and the drops."""
    actor = request.actor
    campaign = (
        selectors.access_campaign(actor, campaign_id, for_write=True)
        if campaign_id is not None
        else None
    )
    if not _can_write(actor):
        raise Forbidden("Your role does not allow outreach.")
    tz = actor.workspace.timezone
    started = bool(
        campaign
        and CampaignDrop.objects.filter(campaign=campaign)
        .exclude(status=CampaignDrop.Status.PENDING)
        .exists()
    )
    status = 200
    initial = CampaignForm.initial_from(campaign) if campaign else {"sender": actor.user_id}
    if request.method == "POST":
        form = _campaign_form(actor, request.POST, initial=initial, started=started)
        rows = drop_rows(request.POST)
        op = request.POST.get("op", "save")
        if apply_row_op(rows, op, DropRow()):
            form.is_valid()
            form.errors.clear()
        else:
            status = 422
            if form.is_valid():
                data = form.to_data()
                if started:
                    # Started drops and their audience are fixed; the form offers the rest.
                    for key in ("segment_id", "pool_id", "purpose"):
                        data.pop(key)
                else:
                    data["drops"] = [row.to_data(tz) for row in rows]
                try:
                    if campaign is None:
                        saved = services.create_campaign(actor=actor, data=data)
                    else:
                        saved = services.update_campaign(actor=actor, campaign=campaign, data=data)
                except TalentloopError as error:
                    _raise_forbidden(error)
                    if not place_row_error(rows, error.field or "", error.message):
                        form.add_service_error(error.field, error.message)
                else:
                    messages.success(request, f"Saved {saved.name}.")
                    return redirect("outreach:campaign", saved.pk)
    else:
        form = _campaign_form(actor, None, initial=initial, started=started)
        rows = (
            [DropRow.from_drop(d, tz) for d in selectors.campaign_drops(campaign)]
            if campaign
            else [DropRow()]
        )
    if started and campaign is not None and request.method == "POST":
        rows = [DropRow.from_drop(d, tz) for d in selectors.campaign_drops(campaign)]
    return render(
        request,
        "outreach/campaign_form.html",
        {
            "campaign": campaign,
            "form": form,
            "rows": rows,
            "blank": DropRow(),
            "started": started,
            "templates": selectors.template_choices(actor, kind=Template.Kind.EMAIL),
            "tz": tz,
        },
        status=status,
    )


@member_required
def campaign_detail(request: MemberRequest, campaign_id: int) -> HttpResponse:
    """Status buttons from the transition table, progress, and each drop's funnel."""
    actor = request.actor
    campaign = selectors.access_campaign(actor, campaign_id)
    funnel = selectors.campaign_funnel(campaign)
    return render(
        request,
        "outreach/campaign_detail.html",
        {
            "campaign": campaign,
            "funnel": funnel,
            "funnel_max": max([row.counts["sent"] for row in funnel] + [1]),
            "progress": selectors.campaign_progress(funnel),
            "audience_size": selectors.audience_size(actor, campaign),
            "actions": services.campaign_actions(campaign.status),
            "editable": campaign.status in services.CAMPAIGN_EDITABLE,
            "links": _links(
                ("Dry-run", "outreach_automation:campaign_dry_run", [campaign.pk]),
                ("Export", "outreach_automation:campaign_export", [campaign.pk]),
            ),
            "can_outreach": _can_write(actor),
            "tz": actor.workspace.timezone,
            "quiet_names": [name for day, name in WEEKDAYS if day in campaign.quiet_days],
        },
    )


@require_POST
@member_required
def campaign_status(request: MemberRequest, campaign_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.access_campaign(actor, campaign_id, for_write=True)
    try:
        campaign = services.set_campaign_status(
            actor=actor, campaign=campaign, status=request.POST.get("status", "")
        )
    except TalentloopError as error:
        _raise_forbidden(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"{campaign.name} is {campaign.get_status_display().lower()}.")
    return redirect("outreach:campaign", campaign.pk)


@require_POST
@member_required
def campaign_delete(request: MemberRequest, campaign_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.access_campaign(actor, campaign_id, for_write=True)
    try:
        services.delete_campaign(actor=actor, campaign=campaign)
    except TalentloopError as error:
        _raise_forbidden(error)
        messages.error(request, error.message)
        return redirect("outreach:campaign", campaign.pk)
    messages.success(request, f"Deleted {campaign.name}.")
    return redirect("outreach:home")
