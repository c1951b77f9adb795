"""``{% load ticket_tags %}``: SLA badges, status colours, and the dashboard panels."""

from datetime import timedelta

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from helpdesk.formatting import format_credits
from helpdesk.rows import esc, short_datetime, table_body
from helpdesk.templatetags.helpdesk import choice_label, url_for_pk
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
def capped(value: int) -> str:
    """A dashboard count of ``selectors.staff_summary``: "99+" past the cap, else grouped."""
    cap = settings.DASHBOARD_COUNT_CAP
    return f"{format_credits(cap)}+" if value > cap else format_credits(value)


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


@register.simple_tag
def client_ticket_rows(tickets) -> str:
    """The rows of the client's ticket list (``tickets/ticket_list.html``), in Python
    (helpdesk.rows; issue 15). ``tickets`` come from ``selectors.lists.client_rows``."""
    labels = {
        key: esc(_(text))
        for key, text in (
            ("reference", "Reference"),
            ("product", "Product"),
            ("severity", "Severity"),
            ("status", "Status"),
            ("replies", "Replies"),
            ("minutes", "Minutes"),
            ("credits", "Credits charged"),
            ("activity", "Last activity"),
        )
    }
    rows = []
    for ticket in tickets:
        url = url_for_pk("tickets:detail", ticket.pk)
        charged = ticket.charged_credits
        rows.append(
            '<tr data-testid="ticket-row">'
            f'<td class="text-nowrap" data-label="{labels["reference"]}"><a href="{url}">'
            f"{esc(ticket.reference)}</a></td>"
            f'<td class="card-title-cell text-break-anywhere"><a href="{url}">'
            f'{esc(ticket.subject)}</a><div class="small text-body-secondary fw-normal">'
            f"{esc(ticket.requester.get_full_name())}</div></td>"
            f'<td data-label="{labels["product"]}">{esc(ticket.product.name)}</td>'
            f'<td data-label="{labels["severity"]}">{severity_badge(ticket)}</td>'
            f'<td data-label="{labels["status"]}">{status_badge(ticket)}</td>'
            f'<td class="num" data-label="{labels["replies"]}">'
            f"{esc(ticket.public_message_count)}</td>"
            f'<td class="num" data-label="{labels["minutes"]}" data-testid="ticket-minutes">'
            f"{esc(ticket.logged_minutes)}</td>"
            f'<td class="num" data-label="{labels["credits"]}" data-testid="ticket-credits">'
            f"{esc(format_credits(charged)) if charged is not None else NO_CHARGE}</td>"
            f'<td class="small text-nowrap" data-label="{labels["activity"]}">'
            f"{short_datetime(ticket.last_activity_at)}</td></tr>"
        )
    return table_body(rows, columns=9, empty=_("No tickets here yet."))


def severity_badge(ticket) -> str:
    label = esc(choice_label(ticket, "severity"))
    return f'<span class="badge {severity_class(ticket.severity)}">{label}</span>'


def status_badge(ticket) -> str:
    label = esc(choice_label(ticket, "status"))
    return f'<span class="badge {status_class(ticket.status)}">{label}</span>'


def assignee_short_names(ticket) -> list[str]:
    """``person.get_short_name()`` of each assignee, by name: from ``assignee_names``
    (``selectors.lists.with_assignee_names``: the full name or the email) when the query
    read them, else from the prefetched assignees."""
    labels = getattr(ticket, "assignee_names", None)
    if labels is None:
        return [person.get_short_name() for person in ticket.assignees.all()]
    return [label.split()[0] for label in labels if label]


@register.simple_tag
def queue_rows(tickets) -> str:
    """The rows of the technicians' queue (``tickets/queue.html``), in Python
    (helpdesk.rows; issue 15): tickets from ``selectors.lists.queue_rows`` with
    ``clock.attach_sla``."""
    rows = []
    for ticket in tickets:
        url = url_for_pk("tickets:detail", ticket.pk)
        names = ", ".join(esc(name) for name in assignee_short_names(ticket))
        rows.append(
            f'<tr data-testid="queue-row"><td class="text-nowrap">{sla_badge(ticket)}</td>'
            f'<td><a href="{url}" class="fw-semibold">{esc(ticket.reference)}</a>'
            f'<div class="text-break">{esc(ticket.subject)}</div></td>'
            f'<td class="small">{esc(ticket.organization.name)}'
            f'<div class="text-body-secondary">{esc(ticket.product.name)}</div></td>'
            f"<td>{severity_badge(ticket)}</td><td>{status_badge(ticket)}</td>"
            f'<td class="small text-nowrap">{short_datetime(ticket.due_at)}</td>'
            f'<td class="small">{names or EMPTY_CELL}</td>'
            f'<td class="num">{esc(ticket.public_message_count)}</td></tr>'
        )
    return table_body(rows, columns=8, empty=_("No tickets match."))


NO_CHARGE = "\u2013"  # an en dash: nothing charged yet
EMPTY_CELL = '<span class="text-body-secondary">—</span>'
