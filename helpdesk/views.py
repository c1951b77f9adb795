"""Pages that belong to no single app: the dashboard and the error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from accounts import selectors as account_selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The first page after login: what matters now, per role."""
    user = request.user
    if user.is_client:
        context = {
            "organization": user.organization,
            "members": account_selectors.members_of(user.organization),
        }
        return render(request, "dashboard/client.html", context)
    context = {"organization_count": account_selectors.organizations_visible_to(user).count()}
    return render(request, "dashboard/staff.html", context)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processor may touch the database, which
    # may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
