"""The team pages of a client organization (issue 19): people, invitations, roles.

Every page is for the organization's managers (``manager_required``: a member gets 404),
except the invitation link, which is public and works once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import approvals, invitations, people, selectors
from accounts.models import User
from accounts.permissions import manager_required
from accounts.team_forms import AcceptInvitationForm, InviteForm, RoleForm, TeamSettingsForm

INVITATIONS_SHOWN = 50


def _people_page(request, form, *, status=200):
    org = request.user.organization
    context = {
        "organization": org,
        "form": form,
        "people": selectors.organization_people(org),
        "invitations": selectors.open_invitations(org, limit=INVITATIONS_SHOWN),
        "roles": User.OrgRole.choices,
    }
    return render(request, "accounts/people.html", context, status=status)


@manager_required
def people_list(request):
    """The organization's people and open invitations; POST invites someone."""
    org = request.user.organization
    form = InviteForm(request.POST or None, initial={"language": org.language})
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _token = invitations.invite(
                    org,
                    form.cleaned_data["email"],
                    by=request.user,
                    org_role=form.cleaned_data["org_role"],
                    language=form.cleaned_data["language"],
                )
            except invitations.InvitationError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s. The link works for %(days)d days.")
                    % {"email": invitation.email, "days": invitations.valid_days()},
                )
                return redirect("accounts:people")
        return _people_page(request, form, status=400)
    return _people_page(request, form)


def _person(request, pk) -> User:
    """A client user of the manager's own organization, else 404."""
    person = selectors.client_person(request.user.organization_id, pk)
    if person is None:
        raise Http404
    return person


@manager_required
@require_POST
def person_role(request, pk):
    person = _person(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: manager or member."))
        return redirect("accounts:people")
    try:
        people.change_role(person, org_role=form.cleaned_data["org_role"], by=request.user)
    except people.PeopleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": person.get_full_name(), "role": person.get_org_role_display().lower()},
        )
    if person.pk == request.user.pk and person.org_role != User.OrgRole.MANAGER:
        return redirect("dashboard")  # they just gave up managing: this page is gone
    return redirect("accounts:people")


@manager_required
@require_POST
def person_remove(request, pk):
    person = _person(request, pk)
    try:
        people.remove(person, by=request.user)
    except people.PeopleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s has been removed. Their tickets stay with the organization.")
            % {"name": person.get_full_name()},
        )
    return redirect("accounts:people")


@manager_required
@require_POST
def invitation_withdraw(request, pk):
    invitation = selectors.invitation_of(request.user.organization_id, pk)
    if invitation is None:
        raise Http404
    try:
        invitations.withdraw(invitation, by=request.user)
    except invitations.InvitationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("accounts:people")


def invitation_accept(request, token):
    """The emailed link: choose a password, once, before it expires (public)."""
    try:
        invitation = invitations.open_invitation(token)
    except invitations.InvitationNotFound as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"message": exc.message}, status=404
        )
    except invitations.InvitationError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"message": exc.message}, status=410
        )
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.accept(
                token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except invitations.InvitationError as exc:
            return render(
                request, "accounts/invitation_invalid.html", {"message": exc.message}, status=410
            )
        messages.success(
            request,
            _("Welcome to %(org)s. Log in with your email and the password you chose.")
            % {"org": invitation.organization.name},
        )
        return redirect("accounts:login")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


# --- Settings and approvals -----------------------------------------------------------

APPROVALS_SHOWN = 50


@manager_required
def team_settings(request):
    """Who sees what, the approval threshold and the members' monthly limit."""
    org = request.user.organization
    initial = {
        "members_see_all_tickets": org.members_see_all_tickets,
        "approval_threshold_credits": org.approval_threshold_credits,
        "member_monthly_credit_limit": org.member_monthly_credit_limit,
    }
    form = TeamSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                approvals.update_team_settings(org, by=request.user, **form.cleaned_data)
            except approvals.ApprovalError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("accounts:team_settings")
        status = 400
    recent = selectors.recent_approvals(org, limit=APPROVALS_SHOWN)
    return render(
        request,
        "accounts/team_settings.html",
        {"organization": org, "form": form, "approvals": recent},
        status=status,
    )


@login_required
def approval_decide(request, token):
    """The signed link of the manager's email: GET confirms, POST decides (once)."""
    try:
        link = approvals.read_link(token, user=request.user)
    except approvals.BadLink:
        raise Http404 from None
    approval = link.approval
    if request.method == "POST":
        try:
            decided = approvals.decide(
                approval, by=request.user, approve=link.decision == "approve"
            )
        except approvals.ApprovalError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Approved: %(what)s") % {"what": approval.what}
                if link.decision == "approve"
                else _("Refused: %(what)s") % {"what": approval.what},
            )
            for text in getattr(decided, "consequences", ()):
                messages.info(request, text)
        return redirect("accounts:team_settings")
    return render(
        request,
        "accounts/approval_decide.html",
        {"approval": approval, "decision": link.decision},
    )
