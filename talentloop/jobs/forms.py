"""The job form: what a browser sends, parsed; the services validate it, as for the API."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from talentloop.accounts.models import Membership
from talentloop.candidates.models import Seniority
from talentloop.core.actor import Actor
from talentloop.jobs.models import Job, JobSkill

_WEIGHTED = re.compile(r"^(?P<name>.+?)\s*\((?P<weight>\d)\)\s*$")
SKILL_HELP = "One per line; add a weight from 1 to 5 in brackets, e.g. Python (5). Default 3."


def skill_lines(skills: list[JobSkill], kind: str) -> str:
    return "\n".join(
        s.name if s.weight == 3 else f"{s.name} ({s.weight})" for s in skills if s.kind == kind
    )


def parse_skill_lines(text: str, kind: str) -> list[dict[str, Any]]:
    skills: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip(" \t,;•-*")
        if not line:
            continue
        found = _WEIGHTED.match(line)
        if found:
            skills.append({"name": found["name"], "kind": kind, "weight": int(found["weight"])})
        else:
            skills.append({"name": line, "kind": kind, "weight": 3})
    return skills


class JobForm(forms.Form):
    title = forms.CharField(max_length=200)
    department = forms.CharField(max_length=100, required=False)
    status = forms.ChoiceField(choices=Job.Status.choices, initial=Job.Status.OPEN)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text="Skills are proposed from it when the skill lists below are left empty.",
    )
    must_skills = forms.CharField(
        label="Must-have skills",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=SKILL_HELP,
    )
    nice_skills = forms.CharField(
        label="Nice-to-have skills",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=SKILL_HELP,
    )
    seniority = forms.ChoiceField(choices=[("", "—"), *Seniority.choices], required=False)
    years_min = forms.IntegerField(
        label="Years of experience, at least", required=False, min_value=0, max_value=60
    )
    years_max = forms.IntegerField(
        label="Years of experience, at most", required=False, min_value=0, max_value=60
    )
    city = forms.CharField(max_length=100, required=False)
    region = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=60, required=False, help_text="e.g. DE or Germany")
    remote_policy = forms.ChoiceField(choices=Job.Remote.choices, initial=Job.Remote.ONSITE)
    hiring_manager = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    openings = forms.IntegerField(initial=1, min_value=1, max_value=1000)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(workspace=actor.workspace).select_related("user")
        field = self.fields["hiring_manager"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [
            (m.user_id, m.user.display_name) for m in members.order_by("user__email")
        ]

    def to_data(self, *, creating: bool) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["hiring_manager_id"] = data.pop("hiring_manager")
        must, nice = data.pop("must_skills"), data.pop("nice_skills")
        # Skills go to the service only when a person wrote or changed them; otherwise they
        # are (re-)proposed from the description.
        typed = (
            bool(must.strip() or nice.strip())
            if creating
            else bool({"must_skills", "nice_skills"} & set(self.changed_data))
        )
        if typed:
            data["skills"] = parse_skill_lines(must, JobSkill.Kind.MUST) + parse_skill_lines(
                nice, JobSkill.Kind.NICE
            )
        return data

    def add_service_error(self, field: str | None, message: str) -> None:
        name = (field or "").split("[")[0].split(".")[0]
        name = {"hiring_manager_id": "hiring_manager", "skills": "must_skills"}.get(name, name)
        self.add_error(name if name in self.fields else None, message)


def initial_from(job: Job) -> dict[str, Any]:
    skills = list(job.skills.all())
    return {
        **{
            name: getattr(job, name)
            for name in (
                "title",
                "department",
                "status",
                "description",
                "seniority",
                "years_min",
                "years_max",
                "city",
                "region",
                "country",
                "remote_policy",
                "openings",
            )
        },
        "hiring_manager": job.hiring_manager_id,
        "must_skills": skill_lines(skills, JobSkill.Kind.MUST),
        "nice_skills": skill_lines(skills, JobSkill.Kind.NICE),
    }
