"""The shapes of the API: output serializers mirror the pages; inputs reject unknown fields."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.models import ApiKey
from billing.models import Invoice, Order
from credits.models import LedgerEntry, Lot, Pack
from tickets.models import Attachment, Estimate, Message, Ticket, TimeEntry

MAX_TEXT = 20_000


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (a typo is a 400)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field.")] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


# --- Output ------------------------------------------------------------------------------


class BalanceSerializer(serializers.Serializer):
    available = serializers.IntegerField()
    held = serializers.IntegerField()


class TicketSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "organization",
            "product",
            "product_name",
            "kind",
            "severity",
            "channel",
            "status",
            "subject",
            "description",
            "created_at",
            "last_activity_at",
            "due_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "created_at"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author_name", "body", "is_internal", "created_at", "attachments"]
        read_only_fields = fields


class EstimateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Estimate
        fields = ["id", "ticket", "kind", "credits", "description", "status", "created_at"]
        read_only_fields = fields


class EstimateAcceptSerializer(EstimateSerializer):
    """The answer to accepting an estimate: the estimate (its fields unchanged) plus what
    happened, for people and for programs."""

    awaiting_approval = serializers.SerializerMethodField(
        help_text=_(
            "True when the acceptance waits for a manager's approval (a member's acceptance "
            'above the organization\'s approval threshold): the estimate stays "pending" '
            "and the managers are emailed. False when it is accepted."
        )
    )
    message = serializers.SerializerMethodField(
        help_text=_("What happened, in the key owner's language (for people).")
    )

    class Meta(EstimateSerializer.Meta):
        fields = [*EstimateSerializer.Meta.fields, "awaiting_approval", "message"]
        read_only_fields = fields

    def get_awaiting_approval(self, estimate) -> bool:
        return estimate.status == Estimate.Status.PENDING

    def get_message(self, estimate) -> str:
        if self.get_awaiting_approval(estimate):
            return gettext(
                "Your acceptance needs a manager's approval: the estimate stays pending until a "
                "manager of your organization approves it. The managers have been emailed."
            )
        return gettext("Accepted: the credits are held for the ticket and work resumes.")


class TicketDetailSerializer(TicketSerializer):
    messages = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    estimates = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages", "attachments", "estimates"]
        read_only_fields = fields

    def get_messages(self, ticket) -> list[dict]:
        return MessageSerializer(self.context["thread"], many=True).data

    def get_attachments(self, ticket) -> list[dict]:
        return AttachmentSerializer(self.context["opening_files"], many=True).data

    def get_estimates(self, ticket) -> list[dict]:
        return EstimateSerializer(self.context["estimates"], many=True).data


class LotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["id", "kind", "granted", "remaining", "expires_at", "reason", "created_at"]
        read_only_fields = fields


class MovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "balance_after", "reason", "created_at"]
        read_only_fields = fields


class PackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pack
        fields = ["id", "credits", "price", "kind"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    payment_url = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "pack",
            "credits",
            "base",
            "vat_rate",
            "vat_amount",
            "total",
            "status",
            "created_at",
            "payment_url",
        ]
        read_only_fields = fields

    def get_payment_url(self, order) -> str | None:
        """Where the client pays this order in the browser (online or by transfer)."""
        if not order.is_pending:
            return None
        request = self.context.get("request")
        url = order.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class InvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "order",
            "kind",
            "series",
            "year",
            "sequence",
            "number",
            "issued_at",
            "base",
            "vat_rate",
            "vat_amount",
            "total",
        ]
        read_only_fields = fields


class TimeEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeEntry
        fields = ["id", "ticket", "technician", "minutes", "channel", "work_date", "note"]
        read_only_fields = fields


class OrganizationBalanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tax_id = serializers.CharField()
    available = serializers.IntegerField()
    held = serializers.IntegerField()


class ChargePreviewSerializer(serializers.Serializer):
    to_charge = serializers.IntegerField(help_text="Credits the resolution would charge now.")
    covered = serializers.IntegerField(help_text="Credits available for it.")
    backup_missing = serializers.BooleanField()
    quote_missing = serializers.BooleanField()


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


# --- Input -------------------------------------------------------------------------------


class TicketCreateSerializer(StrictSerializer):
    product = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices)
    severity = serializers.ChoiceField(choices=Ticket.Severity.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_TEXT)


class ReplySerializer(StrictSerializer):
    body = serializers.CharField(max_length=MAX_TEXT)


class TicketCreateUploadSerializer(TicketCreateSerializer):
    """``multipart/form-data`` form of the ticket: the same fields plus ``files``."""

    files = serializers.ListField(child=serializers.FileField(), required=False)


class ReplyUploadSerializer(ReplySerializer):
    """``multipart/form-data`` form of a reply: ``body`` plus ``files`` (the portal's
    size, type and content checks apply)."""

    files = serializers.ListField(child=serializers.FileField(), required=False)


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DeclineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class OrderCreateSerializer(StrictSerializer):
    pack = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class TimeEntryCreateSerializer(StrictSerializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, default="portal")
    work_date = serializers.DateField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignSerializer(StrictSerializer):
    technician = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class StatusChangeSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ResolveSerializer(StrictSerializer):
    expected_credits = serializers.IntegerField(
        min_value=0,
        max_value=10**7,
        help_text="The charge the preview showed (GET .../resolve/); another charge is a 409.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    cap_to_estimate = serializers.BooleanField(default=False)
    goodwill_reason = serializers.CharField(max_length=500, required=False)


class StatementQuerySerializer(StrictSerializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs):
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError(_("The period starts after it ends."))
        if (attrs["end"] - attrs["start"]).days > 366 * 5:
            raise serializers.ValidationError(_("The period is longer than five years."))
        return attrs


_PAGES: dict[str, type] = {}


def paged(serializer_class) -> serializers.Serializer:
    """The schema of a cursor page of ``serializer_class`` rows (next, previous, results)."""
    name = f"Paged{serializer_class.__name__.removesuffix('Serializer')}"
    if name not in _PAGES:
        _PAGES[name] = type(
            name,
            (serializers.Serializer,),
            {
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _PAGES[name]
