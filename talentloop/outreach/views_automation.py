"""Pages: import an automation document, download one, and dry-run a sequence or campaign."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from talentloop.accounts.roles import Capability
from talentloop.core import nesting
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, NotFound, TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.outreach import automation, timing
from talentloop.outreach.models import Sequence
from talentloop.outreach.selectors import access_campaign, access_sequence
from talentloop.pools.selectors import access_pool, access_segment, visible_pools, visible_segments

MAX_UPLOAD = 2 * 1024 * 1024  # bytes of a document file; real ones are a few kilobytes
LIMIT = 100  # recipients and skipped people listed on the page


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label="Document file (.json)")
    text = forms.CharField(
        required=False,
        label="…or paste the document",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    mode = forms.ChoiceField(
        choices=[
            (automation.CREATE, "Create new (reuse identical templates, copy different ones)"),
            (automation.UPDATE, "Update the sequence or campaign, and templates, of the same name"),
        ],
        initial=automation.CREATE,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload: Any = cleaned.get("file")
        text = (cleaned.get("text") or "").strip()
        if upload is not None and text:
            raise forms.ValidationError("Upload a file or paste the document, not both.")
        if upload is not None:
            if upload.size is not None and upload.size > MAX_UPLOAD:
                self.add_error("file", "The file is over 2 MB; an export is a few kilobytes.")
                return cleaned
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text: is it a Talentloop export?")
                return cleaned
        if not text:
            raise forms.ValidationError("Upload a file or paste the document.")
        field = "file" if upload is not None else "text"
        try:
            cleaned["document"] = nesting.loads(text)
        except json.JSONDecodeError as error:
            self.add_error(
                field, f"Not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}."
            )
        except nesting.NestingError as error:
            self.add_error(field, str(error))
        return cleaned


def _can_write(actor: Actor) -> bool:
    return actor.can(Capability.OUTREACH)


@member_required
def import_page(request: MemberRequest) -> HttpResponse:
    """Upload or paste a document; a good one becomes a sequence or campaign and the page moves
    on to its dry-run. A problem names its place in the document."""
    actor = request.actor
    if not _can_write(actor):
        raise Forbidden("Your role does not allow outreach.")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = automation.import_automation(
                actor=actor, document=form.cleaned_data["document"], mode=form.cleaned_data["mode"]
            )
        except TalentloopError as error:
            form.add_error(None, error.message)
        else:
            verb = "Imported" if result.created else "Updated"
            messages.success(
                request, f"{verb} the {result.kind} “{result.name}”. {_summary(result)}"
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            name = "sequence_dry_run" if result.kind == "sequence" else "campaign_dry_run"
            return redirect(f"outreach_automation:{name}", result.object.pk)
    return render(
        request,
        "outreach/automation_import.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


def _summary(result: automation.ImportResult) -> str:
    """ "Templates: 2 created, 1 reused. …" in one line."""
    parts = []
    for kind in ("template", "snippet", "segment", "pool"):
        counts: dict[str, int] = {}
        for placed in result.placed:
            if placed.kind == kind:
                counts[placed.action] = counts.get(placed.action, 0) + 1
        if counts:
            done = ", ".join(f"{n} {action}" for action, n in counts.items())
            parts.append(f"{kind.title()}s: {done}.")
    return " ".join(parts)


def _download(document: dict[str, Any], kind: str, name: str) -> HttpResponse:
    response = HttpResponse(
        automation.document_json(document), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-{slugify(name) or kind}.json"'
    return response


@member_required
def sequence_export(request: MemberRequest, sequence_id: int) -> HttpResponse:
    actor = request.actor
    sequence = access_sequence(actor, sequence_id)
    document = automation.export_sequence(actor=actor, sequence=sequence)
    return _download(document, "sequence", sequence.name)


@member_required
def campaign_export(request: MemberRequest, campaign_id: int) -> HttpResponse:
    actor = request.actor
    campaign = access_campaign(actor, campaign_id)
    document = automation.export_campaign(actor=actor, campaign=campaign)
    return _download(document, "campaign", campaign.name)


class AudienceForm(forms.Form):
    """Who to dry-run a sequence for: a segment, a pool or a list of candidate ids."""

    audience = forms.ChoiceField(
        choices=[("segment", "A segment"), ("pool", "A pool"), ("ids", "Candidate ids")],
        initial="segment",
        widget=forms.RadioSelect,
    )
    segment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    pool = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    ids = forms.CharField(
        required=False,
        label="Candidate ids",
        help_text="Separated by spaces, commas or new lines.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    start = forms.DateTimeField(
        required=False,
        label="Enrol at",
        help_text="Blank: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, data: Any, *, actor: Actor) -> None:
        super().__init__(data)
        self.actor = actor
        segments = visible_segments(actor).order_by("name", "id").values_list("pk", "name")
        pools = visible_pools(actor).order_by("name", "id").values_list("pk", "name")
        self.fields["segment"].choices = [("", "—"), *segments]  # type: ignore[attr-defined]
        self.fields["pool"].choices = [("", "—"), *pools]  # type: ignore[attr-defined]

    def clean_ids(self) -> list[int]:
        text = self.cleaned_data.get("ids") or ""
        words = text.replace(",", " ").split()
        if not all(w.isascii() and w.isdigit() and len(w) < 19 for w in words):
            raise forms.ValidationError("Candidate ids are whole numbers.")
        if len(words) > automation.MAX_IDS:
            raise forms.ValidationError(f"At most {automation.MAX_IDS:,} ids.")
        return [int(w) for w in words]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        audience = cleaned.get("audience")
        if audience in ("segment", "pool") and cleaned.get(audience) is None:
            self.add_error(audience, f"Choose a {audience}.")
        if audience == "ids" and not cleaned.get("ids") and "ids" not in self.errors:
            self.add_error("ids", "Give at least one candidate id.")
        start = cleaned.get("start")
        if start is not None:
            # The page asks in the workspace's timezone.
            local = start.replace(tzinfo=None)
            cleaned["start"] = local.replace(tzinfo=timing.zone(self.actor.workspace.timezone))
        return cleaned

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        audience = data["audience"]
        found: dict[str, Any] = {"start": data.get("start")}
        if audience == "segment":
            found["segment"] = access_segment(self.actor, data["segment"])
        elif audience == "pool":
            found["pool"] = access_pool(self.actor, data["pool"])
        else:
            found["candidate_ids"] = data["ids"]
        return found


def _label(code: str) -> str:
    return automation.OUTCOME_LABELS.get(code, code)


def _display(run: automation.DryRun) -> dict[str, Any]:
    """The run as the page shows it: labels for codes, and send times in each person's zone."""
    rows = []
    for recipient in run.recipients:
        zone = timing.zone(recipient.timezone)
        rows.append(
            {
                "recipient": recipient,
                "zone": str(zone),
                "messages": [{"message": m, "skip": _label(m.skipped)} for m in recipient.messages],
            }
        )
    labels = run.as_dict()["warning_labels"]
    return {
        "run": run,
        "bars": run.bars(),
        "rows": rows,
        "recipient_total": run.totals.get(automation.SCHEDULED, 0)
        + run.totals.get(automation.PARTIAL, 0),
        "steps": [
            {"step": step, "skipped": [(_label(r), n) for r, n in step.skipped.items()]}
            for step in run.steps
        ],
        "skipped": [{"skip": skip, "label": _label(skip.reason)} for skip in run.skipped],
        "warnings": [(labels[code], n) for code, n in run.warnings.items()],
    }


def _back_url(kind: str, pk: int) -> str:
    """The sequence's or campaign's own page, once the outreach pages are mounted."""
    try:
        return reverse(f"outreach:{kind}", args=[pk])
    except NoReverseMatch:
        return ""


def _render_run(
    request: MemberRequest, run: automation.DryRun | None, context: dict[str, Any], status: int
) -> HttpResponse:
    context["back_url"] = _back_url(context["kind"], context["object"].pk)
    if run is not None:
        context.update(_display(run))
    return render(request, "outreach/automation_dry_run.html", context, status=status)


@member_required
def sequence_dry_run(request: MemberRequest, sequence_id: int) -> HttpResponse:
    """Choose an audience; see who would get each step and when, and who would be skipped."""
    actor = request.actor
    sequence: Sequence = access_sequence(actor, sequence_id)
    asked = "audience" in request.GET
    form = AudienceForm(request.GET if asked else None, actor=actor)
    run = None
    status = 200
    if asked and form.is_valid():
        try:
            run = automation.dry_run_sequence(
                actor=actor, sequence=sequence, limit=LIMIT, **form.arguments()
            )
        except NotFound as error:
            form.add_error(form.cleaned_data["audience"], error.message)
        except TalentloopError as error:
            form.add_error(None, error.message)
    if asked and form.errors:
        status = 422
    context = {
        "kind": "sequence",
        "object": sequence,
        "form": form,
        "can_write": _can_write(actor),
        "timezone": actor.workspace.timezone,
    }
    return _render_run(request, run, context, status)


@member_required
def campaign_dry_run(request: MemberRequest, campaign_id: int) -> HttpResponse:
    """Who each drop still to send would reach, and who it would skip, for the campaign's own
    segment or pool."""
    actor = request.actor
    campaign = access_campaign(actor, campaign_id)
    run = None
    problem = ""
    try:
        run = automation.dry_run_campaign(actor=actor, campaign=campaign, limit=LIMIT)
    except TalentloopError as error:
        problem = error.message
    context = {
        "kind": "campaign",
        "object": campaign,
        "problem": problem,
        "can_write": _can_write(actor),
    }
    return _render_run(request, run, context, 422 if problem else 200)
