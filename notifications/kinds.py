"""The kinds of email and the context each one needs: the contract with the apps that queue them.

A context holds ids and plain values only, stored as JSON in the outbox row and turned
back into Python values when the email is rendered, in the recipient's language:

| type       | give                                   | the template gets                  |
|------------|----------------------------------------|------------------------------------|
| ``text``   | ``str`` (already in the data's words)  | ``str``                            |
| ``int``    | ``int`` (credits are minutes)          | ``int`` (print with ``|credits``)  |
| ``money``  | ``Decimal`` or ``int`` (euros)         | ``Decimal`` (print with ``|money``)|
| ``datetime`` | aware ``datetime``                   | aware ``datetime`` (``|date``)     |
| ``date``   | ``date``                               | ``date``                           |
| ``url``    | a path (``/tickets/5/``) or full URL   | an absolute URL on ``SITE_URL``    |
| ``choice`` | one of the key's values                | its label, translated              |
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Raised here; importable from here as before.
from notifications.errors import InvalidContext, NotificationError, UnknownKind  # noqa: F401
from notifications.models import Kind


def absolute_url(path: str) -> str:
    """``/tickets/5/`` → ``https://soporte.example.com/tickets/5/`` (full URLs pass through)."""
    if path.startswith(("http://", "https://")):
        return path
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


@dataclass(frozen=True)
class Key:
    """One context key: its name, type (see the table above), and meaning."""

    name: str
    type: str
    help: str
    required: bool = True
    choices: Mapping[str, object] = field(default_factory=dict)

    def dump(self, value):
        """The JSON value stored for ``value``. Raises InvalidContext."""
        bad = InvalidContext(f"{self.name!r} must be {self.type}, not {value!r}")
        if self.type in ("text", "url", "choice"):
            if not isinstance(value, str):  # lazy translations too: translate at render
                raise bad
            if self.type == "url" and not value.startswith(("/", "http://", "https://")):
                raise bad
            if self.type == "choice" and value not in self.choices:
                raise bad
            return value
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad
            return value
        if self.type == "money":
            if isinstance(value, bool) or not isinstance(value, Decimal | int):
                raise bad  # never float
            return str(value)
        if self.type == "datetime":
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise bad
            return value.isoformat()
        if self.type == "date":
            if isinstance(value, datetime) or not isinstance(value, date):
                raise bad
            return value.isoformat()
        raise InvalidContext(f"unknown key type {self.type!r}")

    def load(self, stored):
        """The Python value the templates get for a stored JSON value."""
        if stored is None:
            return None
        if self.type == "money":
            try:
                return Decimal(stored)
            except InvalidOperation as exc:
                raise InvalidContext(f"{self.name!r}: bad amount {stored!r}") from exc
        if self.type == "datetime":
            return datetime.fromisoformat(stored)
        if self.type == "date":
            return date.fromisoformat(stored)
        if self.type == "url":
            return absolute_url(stored)
        if self.type == "choice":
            return str(self.choices[stored])
        return stored


@dataclass(frozen=True)
class EmailKind:
    """A kind of email: who gets it and the context keys its templates use."""

    kind: Kind
    audience: str
    keys: tuple[Key, ...]

    def template(self, part: str) -> str:
        """``subject.txt``, ``body.txt`` or ``body.html`` of this kind."""
        return f"notifications/{self.kind}/{part}"

    def dump_context(self, context: Mapping) -> dict:
        """The JSON stored for a caller's context. Raises InvalidContext."""
        known = {key.name for key in self.keys}
        if unknown := sorted(set(context) - known):
            raise InvalidContext(f"{self.kind}: unknown context keys {unknown}")
        if missing := [k.name for k in self.keys if k.required and context.get(k.name) is None]:
            raise InvalidContext(f"{self.kind}: missing context keys {missing}")
        return {
            key.name: key.dump(context[key.name])
            for key in self.keys
            if context.get(key.name) is not None
        }

    def load_context(self, stored: Mapping) -> dict:
        """The template context for a stored one; optional keys left out are None."""
        return {key.name: key.load(stored.get(key.name)) for key in self.keys}


SEVERITIES = {
    "critical": _("Critical"),
    "major": _("Major"),
    "minor": _("Minor"),
}

ESTIMATE_KINDS = {"estimate": _("Estimate"), "quote": _("Quote")}
# plans.notify: what a declined automatic payment was for.
AUTOMATIC_PAYMENT_PURPOSES = {
    "auto_recharge": _("Automatic recharge"),
    "plan": _("Monthly plan"),
}
# The reasons of tickets.models.OutOfScopeReason (the same words, so the same translations).
OUT_OF_SCOPE_REASONS = {
    "network_or_power": _("Local network or power failure"),
    "hardware": _("Hardware drivers and hardware"),
    "third_party": _("Third-party software"),
    "no_maintenance": _("Obsolete application or no maintenance"),
    "virus": _("Viruses"),
    "operating_system": _("Operating-system problems"),
}

ORGANIZATION = Key("organization_name", "text", "the client organization's name")
BALANCE = Key("balance", "int", "spendable credits now (minutes)")
RECHARGE_URL = Key(
    "recharge_url", "url", "where to buy credits (default: the site's home)", required=False
)
TICKET_REFERENCE = Key("ticket_reference", "text", "the ticket's reference, e.g. '#42'")
TICKET_SUBJECT = Key("ticket_subject", "text", "the ticket's subject")
TICKET_URL = Key("ticket_url", "url", "the ticket's page")
TICKET_KEYS = (ORGANIZATION, TICKET_REFERENCE, TICKET_SUBJECT, TICKET_URL)
ESTIMATE_KIND = Key("estimate_kind", "choice", "estimate or quote", choices=ESTIMATE_KINDS)
SLA_KEYS = (
    TICKET_REFERENCE,
    TICKET_SUBJECT,
    TICKET_URL,
    ORGANIZATION,
    Key("severity", "choice", "critical, major or minor", choices=SEVERITIES),
    Key("due_at", "datetime", "when the resolution target is (was) reached"),
)

KINDS: dict[str, EmailKind] = {
    spec.kind: spec
    for spec in (
        EmailKind(
            Kind.BALANCE_AFTER_DEDUCTION,
            "clients",
            (
                ORGANIZATION,
                Key("credits", "int", "credits deducted (minutes)"),
                Key("balance", "int", "spendable credits after the deduction"),
                Key("reason", "text", "what the credits paid for"),
                Key("ticket_reference", "text", "the ticket charged", required=False),
                Key("ticket_url", "url", "the ticket's page", required=False),
                Key("statement_url", "url", "the movements page", required=False),
            ),
        ),
        EmailKind(
            Kind.LOW_BALANCE,
            "clients",
            (
                ORGANIZATION,
                BALANCE,
                Key("threshold", "int", "the organization's low-balance threshold (credits)"),
                RECHARGE_URL,
            ),
        ),
        EmailKind(
            Kind.CREDITS_EXPIRING,
            "clients",
            (
                ORGANIZATION,
                Key("credits", "int", "credits that will expire (minutes)"),
                Key("expires_at", "datetime", "when they expire"),
                BALANCE,
            ),
        ),
        EmailKind(
            Kind.ESTIMATE_EXCEEDS_BALANCE,
            "clients",
            (
                ORGANIZATION,
                TICKET_REFERENCE,
                TICKET_SUBJECT,
                TICKET_URL,
                Key("estimated_credits", "int", "credits the work is estimated to take"),
                BALANCE,
                Key(
                    "credits_to_buy",
                    "int",
                    "credits missing to cover the estimate (estimate minus balance)",
                    required=False,
                ),
                RECHARGE_URL,
            ),
        ),
        EmailKind(
            Kind.SLA_WARNING,
            "staff",
            (*SLA_KEYS, Key("percent", "int", "share of the target elapsed, e.g. 75")),
        ),
        EmailKind(Kind.SLA_BREACH, "staff", SLA_KEYS),
        EmailKind(
            Kind.TICKET_REPLY,
            "clients or staff",
            (
                TICKET_REFERENCE,
                TICKET_SUBJECT,
                TICKET_URL,
                Key("author_name", "text", "who wrote the reply"),
                Key("message_excerpt", "text", "the reply's first lines, plain text"),
                Key("organization_name", "text", "the client organization", required=False),
            ),
        ),
        EmailKind(
            Kind.ESTIMATE_AWAITING_ANSWER,
            "clients",
            (
                *TICKET_KEYS,
                ESTIMATE_KIND,
                Key("estimated_credits", "int", "credits of the estimate or quote"),
                BALANCE,
                Key("description_excerpt", "text", "what the work covers, first lines"),
            ),
        ),
        EmailKind(
            Kind.ESTIMATE_ANSWERED,
            "staff (the assigned technicians)",
            (
                *TICKET_KEYS,
                ESTIMATE_KIND,
                Key("estimated_credits", "int", "credits of the estimate or quote"),
                Key("client_name", "text", "who answered"),
                # Declining always has a reason (a constraint): its presence says "declined".
                Key(
                    "decline_reason",
                    "text",
                    "why the client declined; none: accepted",
                    required=False,
                ),
            ),
        ),
        EmailKind(
            Kind.ESTIMATE_COVERED,
            "clients and staff",
            (
                *TICKET_KEYS,
                ESTIMATE_KIND,
                Key("estimated_credits", "int", "credits of the estimate or quote"),
                BALANCE,
                Key(
                    "work_resumes",
                    "int",
                    "1: the estimate was taken as accepted and work resumes; "
                    "0: the quote now waits for the client's acceptance",
                ),
            ),
        ),
        EmailKind(
            Kind.TICKET_OUT_OF_SCOPE,
            "clients",
            (
                *TICKET_KEYS,
                Key("reason", "choice", "why it is out of scope", choices=OUT_OF_SCOPE_REASONS),
                Key("technician_name", "text", "who closed it"),
            ),
        ),
        EmailKind(
            Kind.CREDENTIAL_REVEALED,
            "clients",
            (
                ORGANIZATION,
                Key("technician_name", "text", "who revealed the access data"),
                Key("technician_email", "text", "their email address"),
                Key("credential_label", "text", "the entry revealed (its label, never a secret)"),
                Key("revealed_at", "datetime", "when"),
                Key("ticket_reference", "text", "the ticket it was revealed for", required=False),
                Key("ticket_subject", "text", "that ticket's subject", required=False),
                Key("ticket_url", "url", "that ticket's page", required=False),
                Key("access_log_url", "url", "the organization's access log"),
            ),
        ),
        EmailKind(
            Kind.INVOICE_ISSUED,
            "clients",
            (
                ORGANIZATION,
                Key("invoice_number", "text", "the invoice's number, e.g. 'A-2026-0001'"),
                Key("total", "money", "the total, VAT included (euros)"),
                Key("issued_on", "date", "the invoice's date"),
                Key("invoice_url", "url", "the invoice's page or PDF"),
            ),
        ),
        EmailKind(
            Kind.AUTOMATIC_PAYMENT_DECLINED,
            "clients",
            (
                ORGANIZATION,
                Key(
                    "purpose",
                    "choice",
                    "what the payment was for",
                    choices=AUTOMATIC_PAYMENT_PURPOSES,
                ),
                Key("total", "money", "the amount declined, VAT included (euros)"),
                Key("recharge_stopped", "int", "1: the automatic recharge is now off; 0: a plan"),
                Key("provider_message", "text", "the provider's words", required=False),
                Key("settings_url", "url", "the plans and automatic recharge page"),
            ),
        ),
        # Queued by plans.notify when a plan's renewal is declined (the renewal itself, an
        # automatic retry or the client's own): the next automatic retry and "Pay now".
        EmailKind(
            Kind.PLAN_RENEWAL_DECLINED,
            "the organization's managers",
            (
                ORGANIZATION,
                Key("plan_name", "text", "the plan whose period was not paid"),
                Key("total", "money", "the amount declined, VAT included (euros)"),
                Key("declined_attempts", "int", "attempts declined so far (1: the renewal)"),
                Key("next_retry_at", "datetime", "when the card is charged again by itself"),
                Key("retries_left", "int", "automatic retries still to come, this one included"),
                Key("provider_message", "text", "the provider's words", required=False),
                Key("pay_url", "url", "the page that pays the period now (Pay now)"),
            ),
        ),
        # Queued by plans.notify after the last automatic retry was declined.
        EmailKind(
            Kind.PLAN_ENDED_UNPAID,
            "the organization's managers",
            (
                ORGANIZATION,
                Key("plan_name", "text", "the plan that ended"),
                Key("ended_at", "datetime", "when it ended"),
                Key("total", "money", "the amount left unpaid, VAT included (euros)"),
                Key("declined_attempts", "int", "attempts declined in all"),
                Key("provider_message", "text", "the provider's words", required=False),
                Key("plans_url", "url", "the plans page, to subscribe again"),
            ),
        ),
        # Queued by accounts.forms.LocalizedPasswordResetForm (accounts.views.password_reset).
        EmailKind(
            Kind.PASSWORD_RESET,
            "any user",
            (
                Key("reset_url", "url", "the one-time link to choose a new password"),
                Key("valid_hours", "int", "hours the link works (PASSWORD_RESET_TIMEOUT)"),
            ),
        ),
        # Queued by notifications.webhooks when an endpoint is paused after N failures.
        EmailKind(
            Kind.WEBHOOK_PAUSED,
            "the endpoint's owner",
            (
                Key("endpoint_url", "text", "the paused endpoint's address"),
                Key("failures", "int", "failed deliveries in a row"),
                Key("last_error", "text", "the last answer or error", required=False),
                Key("endpoint_page_url", "url", "the endpoint's page, to resume it"),
            ),
        ),
        # Queued by mailchannel.services (at most INBOUND_AUTO_ANSWERS_PER_DAY per sender).
        EmailKind(
            Kind.INBOUND_REJECTED,
            "anyone who wrote to the support address",
            (
                Key("reason", "text", "why the email was not taken"),
                Key("original_subject", "text", "the subject of their email"),
            ),
        ),
        # Queued by accounts.invitations.invite, to an address that has no user yet.
        EmailKind(
            Kind.TEAM_INVITATION,
            "the invited person",
            (
                ORGANIZATION,
                Key("inviter_name", "text", "the manager who invited them"),
                Key("accept_url", "url", "the one-time link to choose a password"),
                Key("expires_at", "datetime", "when the link stops working"),
            ),
        ),
        # Queued by accounts.approvals.request_approval, to each manager.
        EmailKind(
            Kind.APPROVAL_REQUESTED,
            "the organization's managers",
            (
                ORGANIZATION,
                Key("requester_name", "text", "the member who asked"),
                Key("what", "text", "what needs approving, in the data's words"),
                Key("credits", "int", "credits at stake (minutes)"),
                Key("approve_url", "url", "signed link: confirm page to approve"),
                Key("refuse_url", "url", "signed link: confirm page to refuse"),
            ),
        ),
        # Queued by mailchannel.polling, once per failure of a mailbox.
        EmailKind(
            Kind.MAILBOX_FAILING,
            "technicians and admins",
            (
                Key("mailbox_name", "text", "the mailbox in admin"),
                Key("error", "text", "what the IMAP server answered"),
                Key("admin_url", "url", "the mailbox's admin page"),
            ),
        ),
    )
}


# Sent to an organization's managers only, not its members (issue 19): buying and money.
FOR_MANAGERS = frozenset(
    {
        Kind.INVOICE_ISSUED,
        Kind.LOW_BALANCE,
        Kind.CREDITS_EXPIRING,
        Kind.AUTOMATIC_PAYMENT_DECLINED,
        Kind.PLAN_RENEWAL_DECLINED,
        Kind.PLAN_ENDED_UNPAID,
    }
)


def get_kind(kind: str) -> EmailKind:
    """The registry entry of ``kind``. Raises UnknownKind."""
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(f"unknown email kind {kind!r}") from None
