"""``{% load ticket_tags %}``: SLA badges, status colours, and the dashboard panels."""

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tickets import selectors
from tickets.models import Ticket
from tickets.sla import SlaState

register = template.Library()

STATUS_CLASSES = {
    Ticket.Status.NEW: "text-bg-primary",
    Ticket.Status.OPEN: "text-bg-info",
    Ticket.Status.IN_PROGRESS: "text-bg-info",
    Ticket.Status.AWAITING_CLIENT: "text-bg-warning",
    Ticket.Status.AWAITING_CREDITS: "text-bg-warning",
    Ticket.Status.AWAITING_ACCEPTANCE: "text-bg-warning",
    Ticket.Status.RESOLVED: "text-bg-success",
    Ticket.Status.CLOSED: "text-bg-secondary",
    Ticket.Status.OUT_OF_SCOPE: "text-bg-dark",
}
SEVERITY_CLASSES = {
    Ticket.Severity.CRITICAL: "text-bg-danger",
    Ticket.Severity.MAJOR: "text-bg-warning",
    Ticket.Severity.MINOR: "text-bg-light border",
}
SLA_CLASSES = {
    SlaState.OK: "text-bg-success",
    SlaState.WARNING: "text-bg-warning",
    SlaState.BREACHED: "text-bg-danger",
    SlaState.PAUSED: "text-bg-secondary",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def severity_class(severity: str) -> str:
    return SEVERITY_CLASSES.get(severity, "text-bg-secondary")


@register.filter
def sla_duration(value: timedelta | None) -> str:
    """A remaining SLA time as "26 h 05 min" (hours of the clock, never days)."""
    if value is None:
        return ""
    minutes = int(abs(value.total_seconds()) // 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


@register.simple_tag
def sla_badge(ticket):
    """The colour-coded countdown of a ticket (``ticket.sla`` from ``clock.attach_sla``).

    Built in Python: the queue shows one per row. static/js/tickets.js counts it down.
    """
    sla = getattr(ticket, "sla", None)
    if sla is None:
        return mark_safe('<span class="text-body-secondary">—</span>')
    # The state in words as well as in colour (WCAG 1.4.1); the labels travel with the badge
    # so that static/js/tickets.js keeps them when it changes the state on the page.
    overdue, on_time, due_soon = _("Overdue"), _("On time"), _("Due soon")
    text = sla_duration(sla.remaining)
    if sla.state == SlaState.PAUSED and sla.breached_before_pause:
        text = _("Paused") + " · " + _("overdue before the pause by %(time)s") % {"time": text}
    elif sla.state == SlaState.PAUSED:
        text = _("Paused") + " · " + text
    elif sla.state == SlaState.BREACHED:
        text = overdue + " " + text
    elif sla.state == SlaState.WARNING:
        text = due_soon + " · " + text
    else:
        text = on_time + " · " + text
    ticking = ""
    if sla.ticking_until:
        ticking = format_html(' data-ticking-until="{}"', int(sla.ticking_until.timestamp()))
    return format_html(
        '<span class="badge {} sla-badge" data-sla data-testid="sla-badge" data-state="{}" '
        'data-remaining="{}" data-warn-below="{}"{} data-label-overdue="{}" '
        'data-label-ok="{}" data-label-warning="{}"><span data-sla-text>{}</span></span>',
        SLA_CLASSES.get(sla.state, ""),
        sla.state,
        sla.remaining_seconds,
        sla.warn_below,
        ticking,
        overdue,
        on_time,
        due_soon,
        text,
    )


@register.inclusion_tag("tickets/partials/dashboard_client.html", takes_context=True)
def client_tickets_panel(context):
    return {"summary": selectors.client_summary(context["request"].user)}


@register.inclusion_tag("tickets/partials/dashboard_staff.html", takes_context=True)
def staff_tickets_panel(context):
    return {"summary": selectors.staff_summary(context["request"].user)}
