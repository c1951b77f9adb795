"""Role checks for views. Authorization is enforced on the server, never only in templates.

Data scoping (a client sees only their organization's rows) lives in each app's
selectors; these decorators only say who may open a page at all.
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
