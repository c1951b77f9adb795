"""The credential vault: clients store access data (encrypted at once), delete it, and
assigned technicians reveal it, each reveal logged. Secrets are never logged."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Organization, User
from accounts.permissions import is_org_manager
from tickets import crypto, notify
from tickets.errors import NotAllowed, TicketError
from tickets.models import Credential, CredentialReveal, Ticket
from tickets.selectors import tickets_visible_to
from tickets.selectors import vault as vault_selectors
from tickets.services.common import lock

# The fields a credential may hold (all encrypted together), in display order.
FIELDS = (
    "url",
    "username",
    "password",
    "host",
    "port",
    "database",
    "notes",
)
MAX_FIELD_LENGTH = 2000


def _check_client(organization: Organization, user: User) -> None:
    if not (user.is_active and user.is_client and user.organization_id == organization.pk):
        raise NotAllowed


def _check_manager(organization: Organization, user: User) -> None:
    """The organization-wide access data and its settings are its managers' (issue 19)."""
    _check_client(organization, user)
    if not is_org_manager(user):
        raise NotAllowed


@sensitive_variables("fields", "values")
@transaction.atomic
def store_credential(
    organization: Organization,
    *,
    by: User,
    label: str,
    kind: str = Credential.Kind.WEBSITE,
    fields: dict[str, str],
    ticket: Ticket | None = None,
) -> Credential:
    """Store access data of ``organization`` (or of one of its unfinished tickets),
    encrypted with the newest vault key. ``fields``: some of ``FIELDS``.

    The organization's own access data (no ``ticket``) is stored by its managers; a
    ticket's by a user who may see the ticket (a member: their own tickets, or all of the
    organization's when it lets members see them).

    Raises NotAllowed (not a user of the organization, a member without the ticket),
    TicketError (no label or no field, finished ticket), crypto.VaultError (no key
    configured).
    """
    if ticket is None:
        _check_manager(organization, by)
    else:
        _check_client(organization, by)
    label = (label or "").strip()[:100]
    if not label:
        raise TicketError(_("Give the access data a name, e.g. “Shop administration”."))
    if kind not in Credential.Kind.values:
        raise TicketError(_("Unknown kind of access data."))
    if set(fields) - set(FIELDS):
        raise TicketError(_("Unknown field of access data."))
    values = {
        name: str(value).strip()[:MAX_FIELD_LENGTH]
        for name, value in fields.items()
        if value is not None and str(value).strip()
    }
    if not values:
        raise TicketError(_("Fill in at least one field (address, user, password...)."))
    if ticket is not None:
        try:
            ticket = lock(ticket, scope=tickets_visible_to(by))
        except Ticket.DoesNotExist:
            raise NotAllowed from None
        if ticket.organization_id != organization.pk:
            raise NotAllowed
        if ticket.is_finished:
            raise TicketError(_("This ticket is finished: store the access data elsewhere."))
    return Credential.objects.create(
        organization=organization,
        ticket=ticket,
        label=label,
        kind=kind,
        secret=crypto.encrypt(values),
        created_by=by,
    )


@transaction.atomic
def delete_credential(credential: Credential, *, by: User) -> None:
    """Remove access data (a manager of its organization); its reveal log is kept.

    Raises NotAllowed.
    """
    _check_manager(credential.organization, by)
    Credential.objects.filter(pk=credential.pk).delete()


@transaction.atomic
def reveal_credential(credential: Credential, *, by: User) -> dict[str, str]:
    """The decrypted fields, for a technician assigned to a ticket that may use them; the
    reveal is logged (who, when, which ticket) before anything is returned.

    Raises NotAllowed (not assigned: admins too), crypto.VaultError (key missing or wrong:
    nothing is logged).
    """
    ticket = vault_selectors.reveal_ticket(credential, by)
    if ticket is None:
        raise NotAllowed(
            _("Only technicians assigned to a ticket that uses this access data may see it.")
        )
    reveal = CredentialReveal.objects.create(
        credential=credential,
        organization_id=credential.organization_id,
        ticket=ticket,
        label=credential.label,
        revealed_by=by,
    )
    secret = crypto.decrypt(credential.secret)  # before the email: a wrong key sends none
    notify.credential_revealed(reveal, credential=credential)
    return secret


@transaction.atomic
def set_reveal_emails(organization: Organization, *, by: User, enabled: bool) -> Organization:
    """Switch the organization's "email us when our access data is revealed" on or off
    (a manager of the organization). Raises NotAllowed."""
    _check_manager(organization, by)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    organization.reveal_emails = bool(enabled)
    organization.save(update_fields=["reveal_emails"])
    return organization


def rotate_all(*, batch_size: int = 200) -> int:
    """Re-encrypt every credential with the newest vault key; returns how many.

    One transaction per batch, rows locked. Raises crypto.VaultError (a token no key
    opens: the credentials of earlier batches are already rotated, run it again after
    fixing the keys).
    """
    count = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Credential.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "secret")[:batch_size]
            )
            if not batch:
                return count
            for credential in batch:
                credential.secret = crypto.rotate(credential.secret)
            Credential.objects.bulk_update(batch, ["secret"])
        count += len(batch)
        last_pk = batch[-1].pk
