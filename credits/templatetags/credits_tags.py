from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from credits import selectors
from credits.pdf import signed_credits
from helpdesk.formatting import format_credits
from helpdesk.rows import esc, short_datetime
from helpdesk.templatetags.helpdesk import choice_label

register = template.Library()


@register.filter
def signed(value):
    """``{{ entry.amount|signed }}`` → "+120", "-15", grouped per locale."""
    return signed_credits(int(value))


@register.filter
def unsigned(value):
    """``{{ entry.amount|unsigned }}`` → "15" for -15: the statement's in and out columns."""
    return format_credits(abs(int(value)))


@register.filter
def entry_reason(value):
    """A stored reason, translated when it is one of the app's own texts ("Credits expired")."""
    return gettext(value) if value else ""


@register.inclusion_tag("credits/partials/balance_card.html", takes_context=True)
def credits_balance_card(context, organization):
    """The dashboard card: available and held credits, the next expiry."""
    return {
        "summary": selectors.card_summary(organization),
        "request": context.get("request"),
    }


@register.simple_tag
def movement_rows(entries, staff_view=False) -> str:
    """The rows of the movements table (``credits/movements.html``), in Python
    (helpdesk.rows; issue 15): entries from ``selectors.movements_of``; the actor of each
    entry only on the staff's page. No empty row: without entries the page shows "No
    movements match." instead of the table."""
    date_label, reference_label, reason_label = (
        esc(gettext("Date")),
        esc(gettext("Reference")),
        esc(gettext("Reason")),
    )
    in_label = esc(pgettext("statement column: credits added", "In"))
    out_label = esc(pgettext("statement column: credits taken", "Out"))
    balance_label = esc(gettext("Balance"))
    minutes_text = gettext("%(minutes)s real minutes")
    rows = []
    for entry in entries:
        reference = ""
        if entry.reference_label:
            url = entry.reference_url
            label = esc(entry.reference_label)
            reference = f'<a href="{esc(url)}">{label}</a>' if url else label
        notes = ""
        if entry.work_minutes is not None:
            minutes = esc(minutes_text % {"minutes": format_credits(entry.work_minutes)})
            notes += f' <span class="small text-body-secondary text-nowrap">· {minutes}</span>'
        if staff_view and entry.actor:
            notes += f' <span class="small text-body-secondary">· {esc(entry.actor)}</span>'
        amount = entry.amount
        rows.append(
            f'<tr><td class="text-nowrap" data-label="{date_label}">'
            f"{short_datetime(entry.created_at)}</td>"
            f'<td class="text-break-anywhere" data-label="{reference_label}">{reference}</td>'
            f'<td class="text-break-anywhere" data-label="{reason_label}">'
            f'<span class="badge text-bg-light border">{esc(choice_label(entry, "kind"))}</span> '
            f"{esc(entry_reason(entry.reason))}{notes}</td>"
            f'<td class="num text-success" data-label="{in_label}">'
            f"{format_credits(amount) if amount > 0 else ''}</td>"
            f'<td class="num text-danger" data-label="{out_label}">'
            f"{format_credits(-amount) if amount < 0 else ''}</td>"
            f'<td class="num" data-label="{balance_label}">'
            f"{format_credits(entry.balance_after)}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above
