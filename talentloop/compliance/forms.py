from __future__ import annotations

from django import forms

from talentloop.compliance.models import AuditEvent, ConsentRecord


class ConsentForm(forms.Form):
    same_unbound_html = True  # see core/templatetags/form_fields.py

    channel = forms.ChoiceField(choices=ConsentRecord.Channel.choices)
    purpose = forms.ChoiceField(choices=ConsentRecord.Purpose.choices)
    status = forms.ChoiceField(choices=ConsentRecord.Status.choices)
    source = forms.ChoiceField(
        choices=ConsentRecord.Source.choices, initial=ConsentRecord.Source.RECRUITER
    )
    wording_version = forms.CharField(max_length=64, required=False)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditEvent.Action.choices], required=False
    )
    actor = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    target_type = forms.CharField(required=False, max_length=40)
    target_id = forms.IntegerField(required=False, min_value=1)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
