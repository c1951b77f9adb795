"""Sample contexts for every kind of email, and outbox rows for admin tests."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import UserFactory

MADRID = ZoneInfo("Europe/Madrid")
DUE = datetime(2026, 3, 10, 17, 30, tzinfo=MADRID)

# A valid context per kind, as the apps that queue them will pass it.
SAMPLE_CONTEXTS = {
    Kind.BALANCE_AFTER_DEDUCTION: {
        "organization_name": "Panadería La Espiga",
        "credits": 75,
        "balance": 1245,
        "reason": "Intervención: copia de seguridad",
        "ticket_reference": "#42",
        "ticket_url": "/tickets/42/",
    },
    Kind.LOW_BALANCE: {"organization_name": "Talleres Norte", "balance": 25, "threshold": 30},
    Kind.CREDITS_EXPIRING: {
        "organization_name": "Talleres Norte",
        "credits": 60,
        "expires_at": DUE,
        "balance": 90,
    },
    Kind.ESTIMATE_EXCEEDS_BALANCE: {
        "organization_name": "Talleres Norte",
        "ticket_reference": "#7",
        "ticket_subject": "Actualizar la tienda",
        "ticket_url": "/tickets/7/",
        "estimated_credits": 120,
        "balance": 45,
        "recharge_url": "/credits/buy/",
    },
    Kind.SLA_WARNING: {
        "ticket_reference": "#7",
        "ticket_subject": "La web no carga",
        "ticket_url": "/tickets/7/",
        "organization_name": "Talleres Norte",
        "severity": "critical",
        "due_at": DUE,
        "percent": 75,
    },
    Kind.SLA_BREACH: {
        "ticket_reference": "#7",
        "ticket_subject": "La web no carga",
        "ticket_url": "/tickets/7/",
        "organization_name": "Talleres Norte",
        "severity": "major",
        "due_at": DUE,
    },
    Kind.TICKET_REPLY: {
        "ticket_reference": "#7",
        "ticket_subject": "La web no carga",
        "ticket_url": "/tickets/7/",
        "author_name": "Lucía Técnica",
        "message_excerpt": "Ya está resuelto: <b>caché</b> & DNS.",
    },
    Kind.INVOICE_ISSUED: {
        "organization_name": "Brightwave Studio",
        "invoice_number": "A-2026-0012",
        "total": Decimal("1234.56"),
        "issued_on": date(2026, 3, 10),
        "invoice_url": "/billing/invoices/12/",
    },
    Kind.AUTOMATIC_PAYMENT_DECLINED: {
        "organization_name": "Talleres Norte",
        "purpose": "auto_recharge",
        "total": Decimal("43.56"),
        "recharge_stopped": 1,
        "provider_message": "Your card was declined.",
        "settings_url": "/plans/",
    },
    Kind.PLAN_RENEWAL_DECLINED: {
        "organization_name": "Talleres Norte",
        "plan_name": "Plan 300",
        "total": Decimal("302.50"),
        "declined_attempts": 1,
        "next_retry_at": DUE,
        "retries_left": 3,
        "provider_message": "Your card was declined.",
        "pay_url": "/plans/#pay-now",
    },
    Kind.PLAN_ENDED_UNPAID: {
        "organization_name": "Talleres Norte",
        "plan_name": "Plan 300",
        "ended_at": DUE,
        "total": Decimal("302.50"),
        "declined_attempts": 4,
        "provider_message": "Your card was declined.",
        "plans_url": "/plans/",
    },
    Kind.ESTIMATE_AWAITING_ANSWER: {
        "organization_name": "Talleres Norte",
        "ticket_reference": "T-2026-00007",
        "ticket_subject": "Actualizar la tienda",
        "ticket_url": "/tickets/7/",
        "estimate_kind": "estimate",
        "estimated_credits": 60,
        "balance": 120,
        "description_excerpt": "Copia de seguridad y actualización del núcleo.",
    },
    Kind.ESTIMATE_ANSWERED: {
        "organization_name": "Talleres Norte",
        "ticket_reference": "T-2026-00007",
        "ticket_subject": "Actualizar la tienda",
        "ticket_url": "/tickets/7/",
        "estimate_kind": "quote",
        "estimated_credits": 240,
        "client_name": "Iker Cliente",
        "decline_reason": "Demasiado caro <b>ahora</b>.",
    },
    Kind.ESTIMATE_COVERED: {
        "organization_name": "Talleres Norte",
        "ticket_reference": "T-2026-00007",
        "ticket_subject": "Actualizar la tienda",
        "ticket_url": "/tickets/7/",
        "estimate_kind": "estimate",
        "estimated_credits": 120,
        "balance": 150,
        "work_resumes": 1,
    },
    Kind.TICKET_OUT_OF_SCOPE: {
        "organization_name": "Talleres Norte",
        "ticket_reference": "T-2026-00007",
        "ticket_subject": "La impresora no imprime",
        "ticket_url": "/tickets/7/",
        "reason": "hardware",
        "technician_name": "Lucía Técnica",
    },
    Kind.CREDENTIAL_REVEALED: {
        "organization_name": "Talleres Norte",
        "technician_name": "Lucía Técnica",
        "technician_email": "lucia@soporte.example",
        "credential_label": "Administración de la tienda",
        "revealed_at": DUE,
        "ticket_reference": "T-2026-00007",
        "ticket_subject": "Actualizar la tienda",
        "ticket_url": "/tickets/7/",
        "access_log_url": "/tickets/access-data/",
    },
    Kind.PASSWORD_RESET: {"reset_url": "/accounts/password/reset/MQ/abc-123/", "valid_hours": 2},
    Kind.WEBHOOK_PAUSED: {
        "endpoint_url": "https://tienda.example/hooks/soporte",
        "failures": 10,
        "last_error": "HTTP 500",
        "endpoint_page_url": "/integrations/webhooks/1/",
    },
    Kind.INBOUND_REJECTED: {
        "reason": "We do not know this address.",
        "original_subject": "La tienda no carga",
    },
    Kind.MAILBOX_FAILING: {
        "mailbox_name": "Soporte",
        "error": "AUTHENTICATIONFAILED",
        "admin_url": "/admin/mailchannel/mailbox/1/change/",
    },
    Kind.TEAM_INVITATION: {
        "organization_name": "Cliente Uno S.L.",
        "inviter_name": "Ana Gestora",
        "accept_url": "/accounts/invitations/abc/",
        "expires_at": datetime(2026, 12, 10, 12, 0, tzinfo=MADRID),
    },
    Kind.APPROVAL_REQUESTED: {
        "organization_name": "Cliente Uno S.L.",
        "requester_name": "Bruno Miembro",
        "what": "Presupuesto de 240 créditos para T-2026-00014",
        "credits": 240,
        "approve_url": "/accounts/approvals/1/approve/x/",
        "refuse_url": "/accounts/approvals/1/refuse/x/",
    },
}


class OutboxEmailFactory(factory.django.DjangoModelFactory):
    """A row as ``queue_email`` writes it, without publishing a task."""

    class Meta:
        model = OutboxEmail

    kind = Kind.LOW_BALANCE
    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda email: email.recipient.email)
    language = factory.LazyAttribute(lambda email: email.recipient.language)
    context = {"organization_name": "Talleres Norte", "balance": 25, "threshold": 30}
    enqueued_at = factory.LazyFunction(timezone.now)
