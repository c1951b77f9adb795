"""What every API view shares: the base class and the 404-by-construction lookups."""

from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.views import APIView

from tickets import selectors as ticket_selectors
from tickets.models import Estimate, Ticket


class ApiView(APIView):
    """The base of the API's views (auth, key scope, rate limit and errors from settings)."""


def visible_ticket(request: Request, pk: int) -> Ticket:
    """A ticket the key's user may see (``tickets_visible_to``), else 404."""
    return get_object_or_404(
        ticket_selectors.tickets_visible_to(request.user).select_related("product"), pk=pk
    )


def visible_estimate(request: Request, pk: int) -> Estimate:
    """An estimate of a ticket the user may see, else 404 (like the estimate pages)."""
    estimates = Estimate.objects.filter(
        ticket__in=ticket_selectors.tickets_visible_to(request.user).values("pk")
    ).select_related("ticket", "ticket__organization", "ticket__product", "hold")
    return get_object_or_404(estimates, pk=pk)
