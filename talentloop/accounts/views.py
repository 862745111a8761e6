from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from talentloop.accounts import selectors, services
from talentloop.accounts.forms import (
    AcceptInvitationForm,
    ApiKeyForm,
    EmailAuthenticationForm,
    InviteForm,
    RoleForm,
)
from talentloop.accounts.models import Membership
from talentloop.accounts.roles import Capability
from talentloop.core.errors import Forbidden, TalentloopError
from talentloop.core.views import MemberRequest, member_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def _require_admin(request: MemberRequest) -> None:
    if not request.actor.can(Capability.MANAGE_WORKSPACE):
        raise Forbidden("Only workspace admins can manage the team.")


@member_required
def members(request: MemberRequest) -> HttpResponse:
    """The team: members with roles, pending invitations, and the invite form (admins)."""
    actor = request.actor
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        _require_admin(request)
        if form.is_valid():
            try:
                services.invite_member(actor=actor, **form.cleaned_data)
            except TalentloopError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("accounts:members")
    return render(
        request,
        "accounts/members.html",
        {
            "members": selectors.workspace_members(actor),
            "invitations": selectors.pending_invitations(actor),
            "form": form,
            "role_form": RoleForm(),
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@member_required
def member_role(request: MemberRequest, membership_id: int) -> HttpResponse:
    actor = request.actor
    _require_admin(request)
    membership = selectors.access_membership(actor, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_member_role(
                actor=actor, membership=membership, role=form.cleaned_data["role"]
            )
        except TalentloopError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{membership.user.email} is now {membership.role}.")
    return redirect("accounts:members")


@require_POST
@member_required
def member_remove(request: MemberRequest, membership_id: int) -> HttpResponse:
    actor = request.actor
    _require_admin(request)
    membership = selectors.access_membership(actor, membership_id)
    try:
        services.remove_member(actor=actor, membership=membership)
    except TalentloopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Removed {membership.user.email}.")
    return redirect("accounts:members")


@member_required
def api_keys(request: MemberRequest) -> HttpResponse:
    """API keys: create (the secret is shown once), list, revoke. Admins only."""
    actor = request.actor
    keys = selectors.workspace_api_keys(actor)
    form = ApiKeyForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = services.create_api_key(actor=actor, **form.cleaned_data)
        except TalentloopError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = ApiKeyForm()
    return render(
        request,
        "accounts/api_keys.html",
        {"keys": keys, "form": form, "new_secret": new_secret},
        status=422 if form.errors else 200,
    )


@require_POST
@member_required
def api_key_revoke(request: MemberRequest, key_id: int) -> HttpResponse:
    key = selectors.access_api_key(request.actor, key_id)
    services.revoke_api_key(actor=request.actor, key=key)
    messages.success(request, f"Revoked {key.name}.")
    return redirect("accounts:api_keys")


@require_POST
@member_required
def switch_workspace(request: MemberRequest) -> HttpResponse:
    workspace_id = request.POST.get("workspace_id", "")
    if (
        workspace_id.isdigit()
        and Membership.objects.filter(
            user=request.actor.user, workspace_id=int(workspace_id)
        ).exists()
    ):
        request.session[selectors.SESSION_WORKSPACE] = int(workspace_id)
    return redirect("core:home")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Join a workspace from an e-mailed link: signed-in users join; others make an account."""
    invitation = services.find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    # A signed-in person only confirms: an empty form still carries the service's errors.
    form_class = AcceptInvitationForm if user is None else forms.Form
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if user is None:
                validate_password(form.cleaned_data["password"])
            joined = services.accept_invitation(
                invitation=invitation,
                user=user,
                full_name=form.cleaned_data.get("full_name", "") if user is None else "",
                password=form.cleaned_data.get("password", "") if user is None else "",
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        except TalentloopError as exc:
            form.add_error(None, exc.message)
        else:
            if user is None:
                login(request, joined, backend=settings.AUTHENTICATION_BACKENDS[0])
            request.session[selectors.SESSION_WORKSPACE] = invitation.workspace_id
            messages.success(request, f"Welcome to {invitation.workspace.name}.")
            return redirect("core:home")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"invitation": invitation, "form": form, "signed_in_user": user},
        status=422 if request.method == "POST" else 200,
    )
