"""Django admin: orders (mark a bank transfer paid, refund), payments, invoices and their
lines (read-only, never deleted), payment events (the audit trail)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.security import recent_auth_required
from billing import services
from billing.forms import MarkPaidForm, RefundForm
from billing.models import (
    BillingRecord,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    Payment,
    PaymentEvent,
    RecordSubmission,
    SystemEvent,
)
from helpdesk.admin import ReadOnlyAdmin


def _invoice_links(invoices) -> str:
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("admin:billing_invoice_change", args=[invoice.pk]), invoice.number)
            for invoice in invoices
        ),
    )


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "organization",
        "credits",
        "total",
        "status",
        "method",
        "is_registration",
        "created_at",
        "paid_at",
        "invoice_numbers",
    )
    list_filter = ("status", "method", "is_registration")
    list_select_related = ("organization",)
    search_fields = ("=id", "organization__name", "provider_reference")
    date_hierarchy = "created_at"
    actions = ("mark_paid_action", "refund_action")
    readonly_fields = ("code",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("invoices")

    @admin.display(description=_("reference"), ordering="id")
    def code(self, order):
        return order.code

    @admin.display(description=_("invoices"))
    def invoice_numbers(self, order):
        return _invoice_links(order.invoices.all())

    def get_urls(self):
        def view(func, name):
            return path(f"<int:pk>/{name}/", self.admin_site.admin_view(func), name=name)

        return [
            view(self.mark_paid_view, "billing_order_mark_paid"),
            # Step-up: a refund asks for a fresh second-factor code (accounts.security).
            view(recent_auth_required(self.refund_view), "billing_order_refund"),
            *super().get_urls(),
        ]

    # --- Actions: each opens the form of one order ------------------------------------
    def _one(self, request, queryset, url_name):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one order."), messages.WARNING)
            return None
        return redirect(reverse(f"admin:{url_name}", args=[queryset.get().pk]))

    @admin.action(description=_("Mark as paid by bank transfer…"), permissions=["view"])
    def mark_paid_action(self, request, queryset):
        return self._one(request, queryset, "billing_order_mark_paid")

    @admin.action(description=_("Refund…"), permissions=["view"])
    def refund_action(self, request, queryset):
        return self._one(request, queryset, "billing_order_refund")

    # --- The forms --------------------------------------------------------------------
    def _form_page(self, request, order, form, title, button):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "order": order,
            "button": button,
            "opts": self.model._meta,
            "original": order,
        }
        return TemplateResponse(request, "admin/billing/order/action_form.html", context)

    def _check(self, request):
        if not (request.user.is_staff and self.has_view_permission(request)):
            raise PermissionDenied

    def _back(self, order):
        return redirect(reverse("admin:billing_order_change", args=[order.pk]))

    def mark_paid_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A bank transfer arrived: pay the order (credits, invoice, email) with its reference."""
        self._check(request)
        order = get_object_or_404(Order, pk=pk)
        if order.is_paid:
            self.message_user(request, gettext("This order is already paid."), messages.INFO)
            return self._back(order)
        form = MarkPaidForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invoice = services.mark_paid_by_transfer(
                    order, reference=form.cleaned_data["reference"], actor=request.user
                )
            except services.BillingError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    gettext("%(code)s paid: %(credits)s credits granted, invoice %(number)s.")
                    % {"code": order.code, "credits": order.credits, "number": invoice.number},
                    messages.SUCCESS,
                )
                return self._back(order)
        title = gettext("Mark order %(code)s as paid by bank transfer") % {"code": order.code}
        return self._form_page(request, order, form, title, gettext("Mark as paid"))

    def refund_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Refund a paid order, with a required reason."""
        self._check(request)
        order = get_object_or_404(Order, pk=pk)
        if order.status != Order.Status.PAID:
            self.message_user(request, gettext("Only a paid order can be refunded."), messages.INFO)
            return self._back(order)
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                corrective = services.refund_order(
                    order, reason=form.cleaned_data["reason"], actor=request.user
                )
            except services.BillingError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    gettext("%(code)s refunded: corrective invoice %(number)s.")
                    % {"code": order.code, "number": corrective.number},
                    messages.SUCCESS,
                )
                return self._back(order)
        title = gettext("Refund order %(code)s") % {"code": order.code}
        return self._form_page(request, order, form, title, gettext("Refund"))


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "created",
        "order",
        "variant",
        "status",
        "total",
        "captured_amount",
        "currency",
        "transaction_id",
    )
    list_filter = ("status", "variant")
    list_select_related = ("order",)
    search_fields = ("=order__id", "transaction_id", "token")
    exclude = ("extra_data",)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "kind", "credits", "expires_on", "quantity", "unit_price", "amount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "kind",
        "issued_at",
        "buyer_name",
        "buyer_tax_id",
        "base",
        "vat_amount",
        "total",
        "pdf",
    )
    list_filter = ("kind", "series", "year")
    list_select_related = ("order",)
    search_fields = ("buyer_name", "buyer_tax_id", "=sequence", "=order__id")
    date_hierarchy = "issued_at"
    ordering = ("-issued_at", "-id")
    inlines = [InvoiceLineInline]

    @admin.display(description=_("number"), ordering="sequence")
    def number(self, invoice):
        return invoice.number

    @admin.display(description="PDF")
    def pdf(self, invoice):
        return format_html(
            '<a href="{}">{}</a>', reverse("billing:invoice_pdf", args=[invoice.pk]), "PDF"
        )


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "position", "kind", "credits", "quantity", "unit_price", "amount")
    list_select_related = ("invoice",)
    list_filter = ("kind",)


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(ReadOnlyAdmin):
    list_display = ("series", "year", "last")
    ordering = ("series", "-year")


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "level", "kind", "source", "organization", "order", "message")
    list_filter = ("level", "kind", "source")
    list_select_related = ("organization", "order")
    search_fields = ("message", "organization__name", "=order__id")
    date_hierarchy = "created_at"


# --- VERI*FACTU: records (read-only, exported as XML), their submissions, the event log.


@admin.action(description=_("Export the selected records as the agency's XML"))
def export_records_xml(modeladmin, request, queryset):
    """One RegFactuSistemaFacturacion per issuer and 1,000 records (the XSD's limit): a
    single XML file, or a ZIP of them. Filter a period with the dates above first."""
    import io
    import zipfile

    from django.http import HttpResponse

    from billing.verifactu.chain import log_event
    from billing.verifactu.xml import MAX_RECORDS, submission_document, to_bytes

    records = list(queryset.select_related("previous").order_by("issuer_tax_id", "position"))
    files = []
    for issuer in sorted({r.issuer_tax_id for r in records}):
        mine = [r for r in records if r.issuer_tax_id == issuer]
        for start in range(0, len(mine), MAX_RECORDS):
            chunk = mine[start : start + MAX_RECORDS]
            name = f"verifactu-{issuer}-{chunk[0].position}-{chunk[-1].position}.xml"
            files.append((name, to_bytes(submission_document(chunk))))
    log_event(
        SystemEvent.Kind.EXPORT,
        f"{len(records)} records exported as XML by {request.user.email}.",
        records=len(records),
    )
    if len(files) == 1:
        response = HttpResponse(files[0][1], content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{files[0][0]}"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="verifactu-records.zip"'
    return response


@admin.register(BillingRecord)
class BillingRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "issuer_tax_id",
        "position",
        "kind",
        "invoice_number",
        "issue_date",
        "invoice_type",
        "total",
        "generated_at_text",
        "submission_status",
    )
    list_filter = ("kind", "invoice_type", "submission__status")
    list_select_related = ("submission",)
    search_fields = ("invoice_number", "fingerprint", "buyer_tax_id")
    date_hierarchy = "generated_at"
    actions = [export_records_xml]

    @admin.display(description=_("submission"))
    def submission_status(self, obj):
        return obj.submission.get_status_display()


@admin.register(RecordSubmission)
class RecordSubmissionAdmin(ReadOnlyAdmin):
    """Rejected and held records with the agency's error code, for the admin to act on."""

    list_display = (
        "record",
        "status",
        "error_code",
        "error_message",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "csv",
    )
    list_filter = ("status", "error_code")
    list_select_related = ("record",)
    search_fields = ("record__invoice_number", "error_code", "error_message")


@admin.register(SystemEvent)
class SystemEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "message")
    list_filter = ("kind",)
    date_hierarchy = "at"
