"""The shape of ticket input. Rules that need other rows (contracts, transitions) are in
``tickets.services``; files are checked here for early feedback and again there."""

import html

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tickets import limits, workflow
from tickets.attachments import ALLOWED_TYPES, check_uploads
from tickets.errors import AttachmentRejected
from tickets.models import OutOfScopeReason, Product, Ticket
from tickets.selectors import QueueAssignee, QueueFilters, QueueSort, QueueStatus

# Plain words for clients (the labels of the radio buttons). The severity's name is its
# model label, so that the form, the lists, the emails and the PDFs say the same word.
SEVERITY_HELP = {
    Ticket.Severity.CRITICAL: format_lazy(
        "{}: {}", Ticket.Severity.CRITICAL.label, _("you cannot use the application at all.")
    ),
    Ticket.Severity.MAJOR: format_lazy(
        "{}: {}",
        Ticket.Severity.MAJOR.label,
        _("an essential part of the application cannot be used."),
    ),
    Ticket.Severity.MINOR: format_lazy(
        "{}: {}", Ticket.Severity.MINOR.label, _("a non-essential part does not work as it should.")
    ),
}
KIND_HELP = {
    Ticket.Kind.CONSULTATION: _("Consultation: a question we answer without entering your system."),
    Ticket.Kind.INTERVENTION: _(
        "Intervention: a technician enters your system and fixes the problem there."
    ),
    Ticket.Kind.SECURITY_UPDATE: _(
        "Security update of your website, with a backup of its code and database first."
    ),
    Ticket.Kind.CUSTOMIZATION: _(
        "Customization: new functionality. We send you a quote to accept before any work."
    ),
}


def _attachments_help() -> str:
    return gettext("Documents or images (%(types)s), up to %(size)s each.") % {
        "types": ", ".join(sorted(ALLOWED_TYPES)),
        "size": filesizeformat(settings.TICKET_ATTACHMENT_MAX_BYTES),
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each is checked (size, type, content)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("help_text", lazy(_attachments_help, str)())
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ",".join(f".{ext}" for ext in sorted(ALLOWED_TYPES))

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(AttachmentsField, self).clean(f, initial) for f in files]
        try:
            check_uploads(files)
        except AttachmentRejected as exc:
            raise forms.ValidationError(exc.message) from exc
        return files


class TicketForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    severity = forms.ChoiceField(
        label=_("How serious is it?"),
        choices=list(SEVERITY_HELP.items()),
        widget=forms.RadioSelect,
        initial=Ticket.Severity.MINOR,
    )
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=list(KIND_HELP.items()),
        widget=forms.RadioSelect,
        initial=Ticket.Kind.CONSULTATION,
    )
    subject = forms.CharField(label=_("Subject"), max_length=limits.SUBJECT_MAX_CHARS)
    description = forms.CharField(
        label=_("Description"),
        max_length=limits.DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happens, since when, and what you expected to happen."),
    )
    attachments = AttachmentsField()


class _OwnIds:
    """Gives a form's fields ids of their own (``id_<ID_PREFIX>_<field>``), so that several
    forms on one page never repeat an id; the field names, and so the POST contract, stay."""

    ID_PREFIX = ""

    def __init__(self, *args, **kwargs):
        if self.ID_PREFIX:
            kwargs.setdefault("auto_id", f"id_{self.ID_PREFIX}_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(_OwnIds, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.MESSAGE_MAX_CHARS,
    )
    attachments = AttachmentsField()


class StaffReplyForm(ReplyForm):
    """A technician's public reply, optionally moving the ticket (e.g. awaiting client)."""

    ID_PREFIX = "reply"
    status = forms.ChoiceField(label=_("Then set the status to"), required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Public reply")
        self.fields["status"].choices = [
            ("", _("(keep as it is)")),
            *status_choices(ticket, exclude=(Ticket.Status.OUT_OF_SCOPE,)),
        ]


class NoteForm(_OwnIds, forms.Form):
    ID_PREFIX = "note"
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MESSAGE_MAX_CHARS,
        help_text=_("Only technicians see internal notes."),
    )
    attachments = AttachmentsField()


def status_choices(ticket: Ticket, *, exclude=()) -> list[tuple[str, str]]:
    """The statuses staff may move ``ticket`` to, in the order of ``Ticket.Status``."""
    targets = workflow.allowed_targets(ticket.status, staff=True)
    return [(s.value, s.label) for s in Ticket.Status if s in targets and s not in exclude]


class StatusForm(_OwnIds, forms.Form):
    ID_PREFIX = "status"
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        # Out of scope needs a reason: its own form.
        self.fields["status"].choices = status_choices(
            ticket, exclude=(Ticket.Status.OUT_OF_SCOPE,)
        )


class OutOfScopeForm(_OwnIds, forms.Form):
    ID_PREFIX = "scope"
    reason = forms.ChoiceField(label=_("Reason"), choices=OutOfScopeReason.choices)
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProductForm(_OwnIds, forms.Form):
    """A technician confirms or changes a ticket's product (``services.set_product`` checks
    that it is under the organization's active contracts)."""

    ID_PREFIX = "product"
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.all(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={
            "invalid_choice": _("Choose one of the products of the list."),
            "required": _("Choose one of the products of the list."),
        },
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The chooser lists the organization's contracted products; a POST may name any
        # product id, and the service refuses one outside those contracts.
        self.fields["product"].choices = [(p.pk, p.name) for p in products]


class RenewalForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.all(), widget=forms.HiddenInput)


class QuickSelect(forms.Select):
    """A ``<select>`` rendered in Python: the queue's filter bar lists every organization
    and technician, and Django's per-option widget templates cost milliseconds per page."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = "" if value is None else str(value)
        # Escaped as format_html escapes (conditional_escape: a safe string as it is),
        # with the standard library's html.escape per value: about 230 options a page.
        parts = []
        for key, label in self.choices:
            key = str(key)
            parts.append(
                f'<option value="{_escape(key)}"{" selected" if key == selected else ""}>'
                f"{_escape(label)}</option>"
            )
        options = mark_safe("".join(parts))  # noqa: S308 - every value escaped above
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


def _escape(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap classes for forms rendered field by field (the filter bars)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class ClientFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (QueueStatus.ACTIVE, _("Open (not finished)")),
            *Ticket.Status.choices,
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class QueueFilterForm(forms.Form):
    """The queue's filters, from the query string (every field optional)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*QueueStatus.choices, *Ticket.Status.choices],
        widget=QuickSelect,
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("Any")), *Ticket.Severity.choices],
        widget=QuickSelect,
    )
    organization = forms.TypedChoiceField(
        label=_("Organization"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=QuickSelect)
    breached = forms.BooleanField(label=_("Breached only"), required=False)
    due_within_hours = forms.IntegerField(
        label=_("Due within (hours)"), required=False, min_value=0, max_value=24 * 365
    )
    sort = forms.ChoiceField(
        label=pgettext_lazy("queue order", "Sort"),
        required=False,
        choices=QueueSort.choices,
        widget=QuickSelect,
    )

    def __init__(self, *args, organizations=(), technicians=(), **kwargs):
        """``organizations`` and ``technicians``: (pk, name) pairs."""
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("Any")), *organizations]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            *QueueAssignee.choices,
        ] + [(str(pk), name) for pk, name in technicians]
        _bootstrap(self)

    def filters(self):
        """The ``QueueFilters`` of the form's valid fields: a refused one (its error shown)
        falls back to its default, and the others still apply (defaults for a blank form)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            status=data.get("status") or QueueStatus.ACTIVE,
            severity=data.get("severity") or "",
            organization=data.get("organization"),
            assignee=data.get("assignee") or "",
            breached=bool(data.get("breached")),
            due_within_hours=data.get("due_within_hours"),
            q=data.get("q") or "",
            sort=data.get("sort") or QueueSort.DUE,
        )
