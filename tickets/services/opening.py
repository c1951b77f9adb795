"""Opening tickets, and the renewal requests of clients without an active contract."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from notifications.webhooks import WebhookEvent, queue_ticket_event
from tickets import clock, limits, search, selectors
from tickets.attachments import check_uploads
from tickets.errors import NoActiveContract, NotAllowed, TicketError
from tickets.models import Product, ProductChange, RenewalRequest, Ticket, TicketSequence
from tickets.services.common import check_length, check_staff, lock, store_files


def _next_reference(year: int) -> str:
    """T-2026-00042: correlative per year. The sequence row stays locked until commit."""
    sequence, _created = TicketSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"T-{year}-{sequence.last_number:05d}"


def _check_choice(value: str, choices, label: str) -> None:
    if value not in choices.values:
        raise TicketError(_("Unknown %(field)s: %(value)s") % {"field": label, "value": value})


@transaction.atomic
def open_ticket(
    requester: User,
    product: Product,
    *,
    kind: str,
    severity: str,
    subject: str,
    description: str,
    channel: str = Ticket.Channel.PORTAL,
    attachments: tuple = (),
    product_to_confirm: bool = False,
) -> Ticket:
    """Open a ticket for the requester's organization about ``product``, with its SLA
    due date. Only under an active maintenance contract for a maintained version.

    ``product_to_confirm``: the product is a guess (an email that could be about several
    contracted products); the staff page asks to confirm it (``set_product``).

    Raises NoActiveContract (``exc.check`` says why), AttachmentRejected, NotAllowed,
    TicketError.
    """
    if not (requester.is_active and requester.is_client and requester.organization_id):
        raise NotAllowed(_("Only client users open tickets."))
    _check_choice(kind, Ticket.Kind, _("kind"))
    _check_choice(severity, Ticket.Severity, _("severity"))
    _check_choice(channel, Ticket.Channel, _("channel"))
    subject, description = subject.strip(), description.strip()
    if not subject or not description:
        raise TicketError(_("A ticket needs a subject and a description."))
    check_length(subject, limits.SUBJECT_MAX_CHARS, _("subject"))
    check_length(description, limits.DESCRIPTION_MAX_CHARS, _("description"))
    files = list(attachments)
    accepted = check_uploads(files)
    check = selectors.contract_check(requester.organization, product)
    if not check.ok:
        raise NoActiveContract(check)
    now = timezone.now()
    ticket = Ticket.objects.create(
        reference=_next_reference(timezone.localtime(now).year),
        organization_id=requester.organization_id,
        requester=requester,
        product=product,
        contract=check.contract,
        product_to_confirm=bool(product_to_confirm),
        kind=kind,
        severity=severity,
        channel=channel,
        subject=subject,
        description=description,
        created_at=now,
        last_activity_at=now,
        **clock.start(now, severity),
    )
    search.refresh([ticket.pk])
    store_files(ticket, None, files, accepted, by=requester)
    queue_ticket_event(WebhookEvent.TICKET_CREATED, ticket)
    return ticket


@transaction.atomic
def set_product(ticket: Ticket, product: Product, *, by: User) -> Ticket:
    """Confirm or change a ticket's product (staff): one under an active contract of the
    ticket's organization, whose contract the ticket then follows. Recorded in the ticket's
    history; clears "product to confirm".

    Time logged or a charge does not stop it: the price of the work does not depend on the
    product (``tickets.pricing``: kind, minutes, channel and the policy), so a change alters
    no price, no hold and no charge.

    Raises NotAllowed, TicketError (not under an active contract of the organization).
    """
    check_staff(by)
    ticket = lock(ticket)
    check = selectors.contract_check(ticket.organization, product)
    if not check.ok:
        raise TicketError(
            _("%(product)s is not under an active contract of %(organization)s.")
            % {"product": product.name, "organization": ticket.organization.name}
        )
    if ticket.product_id == product.pk and not ticket.product_to_confirm:
        return ticket  # nothing to change, nothing to record
    ProductChange.objects.create(
        ticket=ticket, from_product_id=ticket.product_id, to_product=product, by=by
    )
    ticket.product = product
    ticket.contract = check.contract
    ticket.product_to_confirm = False
    ticket.save(update_fields=["product", "contract", "product_to_confirm", "updated_at"])
    return ticket


@transaction.atomic
def request_renewal(organization: Organization, product: Product, *, by: User) -> RenewalRequest:
    """Record that a client wants to renew (or take out) the contract of ``product``; admins
    see it in Django admin. A pending request is returned instead of a second one.

    Raises NotAllowed, TicketError (the contract is active: nothing to renew).
    """
    if not (by.is_active and (by.is_support_staff or by.organization_id == organization.pk)):
        raise NotAllowed
    check = selectors.contract_check(organization, product)
    if check.ok:
        raise TicketError(_("Your contract for %(product)s is active.") % {"product": product})
    pending = RenewalRequest.objects.filter(
        organization=organization, product=product, handled_at__isnull=True
    ).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            return RenewalRequest.objects.create(
                organization=organization,
                product=product,
                contract=check.contract,
                reason=check.status,
                requested_by=by,
            )
    except IntegrityError:  # a concurrent click won the race: return its row
        return RenewalRequest.objects.get(
            organization=organization, product=product, handled_at__isnull=True
        )
