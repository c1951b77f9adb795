"""Role checks for views. Authorization is enforced on the server, never only in templates.

Data scoping (a client sees only their organization's rows) lives in each app's
selectors; these decorators only say who may open a page at all.

Inside a client organization (issue 19) there are managers and members: the rule of
who may do what is here, once (``is_org_manager``, ``sees_all_org_tickets``), and every
view outside tickets/ asks it through ``manager_required``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from accounts.models import User


def role_required(*roles: str):
    """Let in logged-in users with one of ``roles``; others get 404, anonymous users login.

    A 404 rather than a 403: a client need not learn that a staff page exists.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


client_required = role_required(User.Role.CLIENT)
staff_required = role_required(User.Role.TECHNICIAN, User.Role.ADMIN)
admin_required = role_required(User.Role.ADMIN)


def is_org_manager(user) -> bool:
    """An active client user who manages their organization: buys, sees every ticket and
    movement, manages people and settings, decides approvals."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == User.Role.CLIENT
        and user.organization_id is not None
        and user.org_role == User.OrgRole.MANAGER
    )


def sees_all_org_tickets(user) -> bool:
    """A client user who sees every ticket of their organization, not only their own:
    a manager, or a member when the organization allows it."""
    if is_org_manager(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == User.Role.CLIENT
        and user.organization_id is not None
        and user.organization.members_see_all_tickets
    )


def manager_required(view):
    """Only the organization's managers; a member (or anyone else) gets 404 and nothing
    runs, anonymous users are sent to log in."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_org_manager(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def staff_or_manager_required(view):
    """Support staff, or a manager of a client organization (pages that show money to
    both: an invoice, a statement); a member gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_support_staff or is_org_manager(request.user)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
