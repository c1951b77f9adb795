"""CSV and XLSX exports, streamed: rows are read from the database in chunks and written
as they come, so 100,000 rows never sit in memory.

Each dataset is (header, rows) for a user and a period; ``datasets_for(user)`` names
what the user may export (clients: their organization's; technicians: their own work;
admins: everything). Numbers and dates follow the active language (Spanish: decimal
comma and ``;`` between fields, as Spanish spreadsheets expect).
"""

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.dateformat import format as django_date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from billing.models import Invoice
from credits.models import LedgerEntry
from reports.periods import Period
from reports.selectors import FINISHED_FOR_SLA, _assigned_to
from tickets.models import Ticket, TicketCharge, TimeEntry

CHUNK = 2000
# Django date format letters → strftime, for the short formats of both languages.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


class Formatter:
    """Turns values into the cells of one language: text for CSV, typed for XLSX."""

    def __init__(self):
        self.decimal = formats.get_format("DECIMAL_SEPARATOR")
        self.date_format = self._strftime(formats.get_format("SHORT_DATE_FORMAT"))
        self.datetime_format = self._strftime(formats.get_format("SHORT_DATETIME_FORMAT"))
        self.yes, self.no = _("yes"), _("no")

    @staticmethod
    def _strftime(django_format: str) -> str | None:
        out = []
        for char in django_format:
            if char.isalpha():
                if char not in _STRFTIME:
                    return None
                out.append(_STRFTIME[char])
            else:
                out.append(char)
        return "".join(out)

    def text(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, datetime):
            value = timezone.localtime(value)
            if self.datetime_format:
                return value.strftime(self.datetime_format)
            return django_date_format(value, formats.get_format("SHORT_DATETIME_FORMAT"))
        if isinstance(value, date):
            if self.date_format:
                return value.strftime(self.date_format)
            return django_date_format(value, formats.get_format("SHORT_DATE_FORMAT"))
        if isinstance(value, Decimal | float):
            return str(value).replace(".", self.decimal)
        return str(value)

    def cell(self, value):
        if isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, bool):
            return self.yes if value else self.no
        return value


@dataclass(frozen=True)
class Dataset:
    key: str
    label: object  # lazy text
    roles: tuple  # who may export it
    header: Callable[[], list[str]]
    rows: Callable[[User, Period], Iterator[tuple]]
    filename: object  # lazy text, without extension


def _choices(choices) -> dict:
    return {value: str(label) for value, label in choices}


# --- Movements -------------------------------------------------------------------------


def _movement_rows(user: User, period: Period):
    entries = LedgerEntry.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_at
    )
    if user.is_client:
        entries = entries.filter(wallet__organization_id=user.organization_id)
    kinds = _choices(LedgerEntry.Kind.choices)
    values = entries.order_by("created_at", "id").values_list(
        "created_at",
        "wallet__organization__name",
        "kind",
        "amount",
        "balance_after",
        "reason",
        "reference_label",
        "work_minutes",
    )
    for created, org, kind, amount, after, reason, ref, minutes in values.iterator(CHUNK):
        yield (created, org, kinds.get(kind, kind), amount, after, reason, ref, minutes)


def _movement_header():
    return [
        _("Date"),
        _("Organization"),
        _("Kind"),
        _("Credits"),
        _("Balance after"),
        _("Reason"),
        _("Refers to"),
        _("Real minutes"),
    ]


# --- Tickets with their time and charges -----------------------------------------------


def _scoped_tickets(user: User):
    tickets = Ticket.objects.all()
    if user.is_client:
        return tickets.filter(organization_id=user.organization_id)
    if user.is_technician:
        return tickets.filter(_assigned_to(user))
    return tickets


def _ticket_rows(user: User, period: Period):
    minutes = (
        TimeEntry.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(n=Sum("minutes"))
        .values("n")
    )
    charged = (
        TicketCharge.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(n=Sum("credits"))
        .values("n")
    )
    statuses = _choices(Ticket.Status.choices)
    kinds = _choices(Ticket.Kind.choices)
    severities = _choices(Ticket.Severity.choices)
    values = (
        _scoped_tickets(user)
        .filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
        .annotate(
            minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), 0),
            charged=Coalesce(Subquery(charged, output_field=IntegerField()), 0),
        )
        .order_by("created_at", "id")
        .values_list(
            "reference",
            "created_at",
            "organization__name",
            "product__name",
            "requester__email",
            "subject",
            "kind",
            "severity",
            "status",
            "resolved_at",
            "minutes",
            "charged",
        )
    )
    for row in values.iterator(CHUNK):
        ref, created, org, product, requester, subject, kind, severity, status, *rest = row
        yield (
            ref,
            created,
            org,
            product,
            requester,
            subject,
            kinds.get(kind, kind),
            severities.get(severity, severity),
            statuses.get(status, status),
            *rest,
        )


def _ticket_header():
    return [
        _("Reference"),
        _("Opened"),
        _("Organization"),
        _("Product"),
        _("Requester"),
        _("Subject"),
        _("Kind"),
        _("Severity"),
        _("Status"),
        _("Resolved"),
        _("Real minutes"),
        _("Credits charged"),
    ]


# --- Time entries ----------------------------------------------------------------------


def _time_rows(user: User, period: Period):
    entries = TimeEntry.objects.filter(work_date__gte=period.start, work_date__lte=period.end)
    if user.is_client:
        entries = entries.filter(ticket__organization_id=user.organization_id)
    elif user.is_technician:
        entries = entries.filter(technician=user)
    channels = _choices(Ticket.Channel.choices)
    values = entries.order_by("work_date", "id").values_list(
        "work_date",
        "ticket__reference",
        "ticket__organization__name",
        "technician__full_name",
        "minutes",
        "channel",
        "note",
        "charge_id",
    )
    for day, ref, org, technician, minutes, channel, note, charge in values.iterator(CHUNK):
        # Notes are the technician's working notes: not for clients.
        yield (
            day,
            ref,
            org,
            technician,
            minutes,
            channels.get(channel, channel),
            "" if user.is_client else note,
            charge is not None,
        )


def _time_header():
    return [
        _("Date"),
        _("Ticket"),
        _("Organization"),
        _("Technician"),
        _("Minutes"),
        _("Channel"),
        _("Note"),
        _("Charged"),
    ]


# --- Invoices (for the accountant) -----------------------------------------------------


def _invoice_rows(user: User, period: Period):
    invoices = Invoice.objects.filter(issued_at__gte=period.starts_at, issued_at__lt=period.ends_at)
    if user.is_client:
        invoices = invoices.filter(order__organization_id=user.organization_id)
    kinds = _choices(Invoice.Kind.choices)
    values = invoices.order_by("issued_at", "id").values_list(
        "series",
        "year",
        "sequence",
        "issued_at",
        "kind",
        "seller_tax_id",
        "buyer_name",
        "buyer_tax_id",
        "base",
        "vat_rate",
        "vat_amount",
        "total",
    )
    for series, year, seq, issued, kind, *rest in values.iterator(CHUNK):
        yield (f"{series}-{year}-{seq:04d}", issued, kinds[kind], *rest)


def _invoice_header():
    return [
        _("Number"),
        _("Date"),
        _("Kind"),
        _("Seller tax id"),
        _("Buyer"),
        _("Buyer tax id"),
        _("Base (€)"),
        _("VAT rate (%)"),
        _("VAT (€)"),
        _("Total (€)"),
    ]


# --- SLA report ------------------------------------------------------------------------


def _sla_rows(user: User, period: Period):
    severities = _choices(Ticket.Severity.choices)
    values = (
        _scoped_tickets(user)
        .filter(
            status__in=FINISHED_FOR_SLA,
            resolved_at__gte=period.starts_at,
            resolved_at__lt=period.ends_at,
        )
        .order_by("resolved_at", "id")
        .values_list(
            "reference",
            "organization__name",
            "severity",
            "sla_target_hours",
            "sla_business_hours",
            "created_at",
            "due_at",
            "sla_paused_at",
            "resolved_at",
            "report_times__first_response_seconds",
            "report_times__resolution_seconds",
        )
    )
    for row in values.iterator(CHUNK):
        ref, org, severity, target, business, opened, due, stopped, resolved, first, took = row
        yield (
            ref,
            org,
            severities.get(severity, severity),
            target,
            business,
            opened,
            due,
            resolved,
            stopped is not None and stopped <= due,
            None if first is None else round(Decimal(first) / 3600, 2),
            None if took is None else round(Decimal(took) / 3600, 2),
        )


def _sla_header():
    return [
        _("Reference"),
        _("Organization"),
        _("Severity"),
        _("Target (hours)"),
        _("Business hours"),
        _("Opened"),
        _("Due"),
        _("Resolved"),
        _("Target met"),
        _("First response (hours)"),
        _("Resolution (hours)"),
    ]


CLIENT, TECHNICIAN, ADMIN = User.Role.CLIENT, User.Role.TECHNICIAN, User.Role.ADMIN
DATASETS = {
    d.key: d
    for d in (
        Dataset(
            "movements",
            gettext_lazy("Credit movements"),
            (CLIENT, ADMIN),
            _movement_header,
            _movement_rows,
            gettext_lazy("movements"),
        ),
        Dataset(
            "tickets",
            gettext_lazy("Tickets with time and charges"),
            (CLIENT, TECHNICIAN, ADMIN),
            _ticket_header,
            _ticket_rows,
            gettext_lazy("tickets"),
        ),
        Dataset(
            "time",
            gettext_lazy("Time entries"),
            (CLIENT, TECHNICIAN, ADMIN),
            _time_header,
            _time_rows,
            gettext_lazy("time-entries"),
        ),
        Dataset(
            "invoices",
            gettext_lazy("Invoices (for the accountant)"),
            (CLIENT, ADMIN),
            _invoice_header,
            _invoice_rows,
            gettext_lazy("invoices"),
        ),
        Dataset(
            "sla",
            gettext_lazy("SLA report"),
            (TECHNICIAN, ADMIN),
            _sla_header,
            _sla_rows,
            gettext_lazy("sla"),
        ),
    )
}
FORMATS = ("csv", "xlsx")


def datasets_for(user: User) -> list[Dataset]:
    return [d for d in DATASETS.values() if user.role in d.roles]


class _Echo:
    """A file-like object whose write returns the line (csv writes into it)."""

    def write(self, value):
        return value


def csv_lines(dataset: Dataset, user: User, period: Period) -> Iterator[str]:
    """The CSV text, line by line (a BOM first, so spreadsheets read UTF-8)."""
    formatter = Formatter()
    delimiter = ";" if formatter.decimal == "," else ","
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield "\ufeff" + writer.writerow(dataset.header())
    text = formatter.text
    for row in dataset.rows(user, period):
        yield writer.writerow([text(value) for value in row])


def xlsx_file(dataset: Dataset, user: User, period: Period):
    """The XLSX workbook in a temporary file (openpyxl write-only: rows are streamed to
    disk, never kept in memory), rewound for reading."""
    from openpyxl import Workbook

    formatter = Formatter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(dataset.label)[:31])
    sheet.append(dataset.header())
    cell = formatter.cell
    for row in dataset.rows(user, period):
        sheet.append([cell(value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    workbook.save(handle)
    handle.seek(0)
    return handle
