"""Saving a real card on the provider's hosted page (Stripe Checkout in setup mode).

No Stripe.js on our pages (assets are served from static/): the manager is sent to
Stripe's page, which saves the card with a SetupIntent, and comes back to the return
page; Stripe's webhook says the same. Either one saves the card once: a ``CardSetup``
row binds the provider's session to the organization that started it, so a session id
that is not the organization's (forged, or another organization's) saves nothing.
"""

import uuid
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone
from payments import PaymentError
from payments.core import provider_factory

from accounts.models import Organization, User
from billing import selectors as billing_selectors
from plans.errors import CardNotSaved, NoPaymentMethod
from plans.models import CardSetup, PaymentMethod
from plans.services.methods import save_card

# Stripe's ids are short; anything longer is not one (bounds what we look up).
MAX_SESSION_ID = 255
SESSION_COMPLETE = "complete"  # Checkout Session status
SETUP_SUCCEEDED = "succeeded"  # SetupIntent status


def _setup_provider(variant: str | None = None):
    variant = variant if variant is not None else billing_selectors.online_payment_variant()
    if not variant:
        return "", None
    try:
        provider = provider_factory(variant)
    except ValueError:
        return variant, None
    if not hasattr(provider, "create_setup_session"):
        return variant, None
    return variant, provider


def hosted_card_setup_available() -> bool:
    """True when the online provider saves cards on its own page (Stripe)."""
    return _setup_provider()[1] is not None


def _known_customer(organization: Organization, variant: str) -> str:
    """The provider's customer already made for the organization, if any."""
    setup = (
        CardSetup.objects.filter(organization_id=organization.pk, variant=variant)
        .exclude(customer_id="")
        .first()
    )
    if setup is not None:
        return setup.customer_id
    card = PaymentMethod.objects.filter(
        organization_id=organization.pk, variant=variant, reference__contains="|"
    ).first()
    return card.reference.partition("|")[0] if card is not None else ""


def start_card_setup(
    organization: Organization, *, user: User | None, success_url: str, cancel_url: str
) -> str:
    """Open a setup session at the provider for ``organization``; returns the URL of the
    provider's page. ``success_url`` should carry ``{CHECKOUT_SESSION_ID}``; our token is
    added to ``cancel_url``. Raises NoPaymentMethod (no such provider), PaymentError
    (the provider did not answer: nothing recorded)."""
    variant, provider = _setup_provider()
    if provider is None:
        raise NoPaymentMethod()
    token = uuid.uuid4()
    session = provider.create_setup_session(
        customer_id=_known_customer(organization, variant),
        email=getattr(user, "email", "") or "",
        success_url=success_url,
        cancel_url=f"{cancel_url}?{urlencode({'setup': str(token)})}",
        reference=str(token),
        metadata={"organization": str(organization.pk), "card_setup": str(token)},
    )
    CardSetup.objects.create(
        organization=organization,
        variant=variant,
        token=token,
        session_id=str(session["id"])[:MAX_SESSION_ID],
        customer_id=str(session.get("customer") or "")[:255],
        created_by=user,
    )
    return str(session["url"])


def _card_details(session: dict, setup: CardSetup) -> tuple[str, str, dict] | None:
    """(reference, label, details) of the card the session saved for ``setup``, or None
    when the session is not this setup's or did not save a card."""
    if (
        session.get("id") != setup.session_id
        or session.get("mode") != "setup"
        or session.get("client_reference_id") != str(setup.token)
        or session.get("status") != SESSION_COMPLETE
    ):
        return None
    intent = session.get("setup_intent")
    if not isinstance(intent, dict) or intent.get("status") != SETUP_SUCCEEDED:
        return None
    customer = session.get("customer") or intent.get("customer")
    if not customer or (setup.customer_id and customer != setup.customer_id):
        return None
    method = intent.get("payment_method")
    if not isinstance(method, dict) or not method.get("id"):
        return None
    card = method.get("card") or {}
    brand = str(card.get("brand") or "card")[:32]
    last4 = str(card.get("last4") or "")[:4]

    def month_year(key, high):
        value = card.get(key)
        return value if isinstance(value, int) and 1 <= value <= high else None

    details = {
        "brand": brand,
        "last4": last4,
        "exp_month": month_year("exp_month", 12),
        "exp_year": month_year("exp_year", 9999),
    }
    label = f"{brand.title()} •••• {last4}".strip()
    return f"{customer}|{method['id']}", label, details


def _complete(setup: CardSetup, *, user: User | None) -> PaymentMethod:
    """Ask the provider what the session saved and store it once. Raises CardNotSaved,
    PaymentError (the provider did not answer)."""
    if setup.status == CardSetup.Status.SAVED:
        return setup.payment_method
    _variant, provider = _setup_provider(setup.variant)
    if provider is None:
        raise CardNotSaved()
    try:
        session = provider.setup_session(setup.session_id)
    except PaymentError as exc:
        if getattr(exc, "code", None) == 404:
            raise CardNotSaved() from exc
        raise
    found = _card_details(session, setup)
    if found is None:
        raise CardNotSaved()
    reference, label, details = found
    with transaction.atomic():
        locked = CardSetup.objects.select_for_update().get(pk=setup.pk)
        if locked.status == CardSetup.Status.SAVED:  # the webhook or the other tab was first
            return PaymentMethod.objects.get(pk=locked.payment_method_id)
        card = save_card(
            locked.organization,
            variant=locked.variant,
            reference=reference,
            label=label,
            user=user or locked.created_by,
            details=details,
        )
        locked.status = CardSetup.Status.SAVED
        locked.payment_method = card
        locked.customer_id = locked.customer_id or reference.partition("|")[0][:255]
        locked.completed_at = timezone.now()
        locked.save(update_fields=["status", "payment_method", "customer_id", "completed_at"])
    return card


def finish_card_setup(
    organization: Organization, session_id: str, *, user: User | None
) -> PaymentMethod:
    """The return page: save the card of ``session_id`` if that session is one this
    organization started and the provider says it saved a card. Safe to call twice.
    Raises CardNotSaved (unknown, foreign or unfinished session: nothing saved),
    PaymentError (the provider did not answer)."""
    session_id = (session_id or "")[: MAX_SESSION_ID + 1]
    if not session_id or len(session_id) > MAX_SESSION_ID:
        raise CardNotSaved()
    setup = (
        CardSetup.objects.select_related("payment_method")
        .filter(organization_id=organization.pk, session_id=session_id)
        .first()
    )
    if setup is None:
        raise CardNotSaved()
    return _complete(setup, user=user)


def cancel_card_setup(organization: Organization, token: str) -> bool:
    """The cancel page: close the organization's open setup named by ``token`` (at the
    provider too, so that it cannot save a card later). Returns whether one was closed."""
    try:
        token = uuid.UUID(str(token or "")[:64])
    except ValueError:
        return False
    setup = CardSetup.objects.filter(
        organization_id=organization.pk, token=token, status=CardSetup.Status.OPEN
    ).first()
    if setup is None:
        return False
    _variant, provider = _setup_provider(setup.variant)
    if provider is not None:
        try:
            provider.expire_setup_session(setup.session_id)
        except PaymentError:
            return False  # completed meanwhile, or unreachable: the webhook may still save it
    return bool(
        CardSetup.objects.filter(pk=setup.pk, status=CardSetup.Status.OPEN).update(
            status=CardSetup.Status.CANCELLED, completed_at=timezone.now()
        )
    )


def card_setup_event(variant: str, event: dict) -> bool:
    """A verified provider event about a setup (``checkout.session.completed`` in setup
    mode, ``setup_intent.succeeded``): save the card once, as the return page would.
    Returns False when the event names no setup of ours. Raises PaymentError (the
    provider did not answer: it sends the event again)."""
    obj = (event.get("data") or {}).get("object") or {}
    if not isinstance(obj, dict):
        return False
    setup = None
    if event.get("type") == "checkout.session.completed" and obj.get("mode") == "setup":
        session_id = str(obj.get("id") or "")[:MAX_SESSION_ID]
        setup = CardSetup.objects.filter(variant=variant, session_id=session_id).first()
    elif event.get("type") == "setup_intent.succeeded":
        token = str((obj.get("metadata") or {}).get("card_setup") or "")[:64]
        try:
            setup = CardSetup.objects.filter(variant=variant, token=uuid.UUID(token)).first()
        except ValueError:
            setup = None
    if setup is None:
        return False
    try:
        _complete(setup, user=None)
    except CardNotSaved:
        return False
    return True
