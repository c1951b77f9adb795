"""Who may call what: a key for everything, a write key for writes, staff for staff routes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from api.models import ApiKey


class HasApiKey(permissions.BasePermission):
    """Any valid key may read; only a ``write`` key may change anything."""

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            raise exceptions.NotAuthenticated(
                _("Send an API key as 'Authorization: Bearer <key>'."), code="not_authenticated"
            )
        if request.method not in permissions.SAFE_METHODS and key.scope != ApiKey.Scope.WRITE:
            raise exceptions.PermissionDenied(
                _("This API key may only read."), code="read_only_key"
            )
        return True


class IsClient(permissions.BasePermission):
    """Client users of an organization (their own organization's data)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user.is_client and user.organization_id):
            # A 404, like the pages: the route does not exist for this user.
            raise exceptions.NotFound(code="not_found")
        return True


class IsOrgManager(permissions.BasePermission):
    """A manager of their client organization (issue 19): money, movements, buying.
    A member gets the same 404 as the pages."""

    def has_permission(self, request, view):
        from accounts.permissions import is_org_manager

        if not is_org_manager(request.user):
            raise exceptions.NotFound(code="not_found")
        return True


class IsSupportStaff(permissions.BasePermission):
    """Technicians and admins."""

    def has_permission(self, request, view):
        if not request.user.is_support_staff:
            raise exceptions.NotFound(code="not_found")
        return True
