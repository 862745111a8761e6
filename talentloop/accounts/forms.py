from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from talentloop.accounts.models import ApiKey
from talentloop.accounts.roles import Role


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RECRUITER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100)
    scope = forms.ChoiceField(choices=ApiKey.Scope.choices, initial=ApiKey.Scope.READ)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    password = forms.CharField(widget=forms.PasswordInput, min_length=10)
