"""Saved cards and charging them without the client present (off-session)."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from payments import PaymentError
from payments.core import provider_factory

from accounts.models import Organization, User
from billing import selectors as billing_selectors
from billing import services as billing_services
from billing import variants
from billing.models import Order
from billing.providers import OffSessionResult
from plans.errors import InvalidSetting, NoPaymentMethod
from plans.models import PaymentMethod


def active_card(organization: Organization) -> PaymentMethod | None:
    return PaymentMethod.objects.filter(organization_id=organization.pk, active=True).first()


def _provider(variant: str):
    provider = provider_factory(variant)
    if not hasattr(provider, "charge_off_session"):
        raise NoPaymentMethod()
    return provider


@transaction.atomic
def save_card(
    organization: Organization,
    *,
    variant: str,
    reference: str,
    label: str,
    user: User | None,
    details: dict | None = None,
) -> PaymentMethod:
    """Store the provider's saved card as the organization's card (the old one is retired)."""
    Organization.objects.select_for_update(no_key=True).only("pk").get(pk=organization.pk)
    PaymentMethod.objects.filter(organization_id=organization.pk, active=True).update(active=False)
    try:
        with transaction.atomic():
            return PaymentMethod.objects.create(
                organization=organization,
                variant=variant,
                reference=reference[:200],
                label=label[:100],
                created_by=user,
                **(details or {}),
            )
    except IntegrityError:  # never reached: the lock above serialises savers
        raise InvalidSetting() from None


def save_test_card(organization: Organization, *, outcome: str, user: User | None) -> PaymentMethod:
    """The test provider's card that pays ("ok") or is declined ("declined").

    Raises InvalidSetting for another outcome, NoPaymentMethod when the test provider is
    not configured (production)."""
    variant = billing_selectors.online_payment_variant()
    if variant != variants.TEST:
        raise NoPaymentMethod()
    try:
        reference, label = _provider(variant).save_payment_method(outcome=outcome)
    except PaymentError as exc:
        raise InvalidSetting() from exc
    return save_card(organization, variant=variant, reference=reference, label=label, user=user)


@transaction.atomic
def remove_card(organization: Organization) -> int:
    """Retire the organization's saved card; automatic recharge stops with it."""
    from plans.models import AutoRecharge

    removed = PaymentMethod.objects.filter(organization_id=organization.pk, active=True).update(
        active=False
    )
    AutoRecharge.objects.filter(organization_id=organization.pk).update(enabled=False)
    return removed


def charge(
    card: PaymentMethod, *, amount: Decimal, description: str, idempotency_key: str
) -> OffSessionResult:
    """Charge ``amount`` (euros, VAT included) to ``card``; the same key twice is one charge
    at the provider. Raises PaymentError when the provider cannot be reached (retry later
    with the same key)."""
    return _provider(card.variant).charge_off_session(
        method_reference=card.reference,
        amount=amount,
        description=description,
        idempotency_key=idempotency_key,
    )


def pay_with_saved_card(
    order: Order,
    *,
    description: str,
    idempotency_key: str,
    order_grant: billing_services.OrderGrant | None = None,
) -> tuple[bool, str]:
    """Charge ``order`` to its organization's saved card off-session and, when paid,
    confirm it (credits and invoice, exactly once, by ``confirm_payment``). Returns
    (paid, the refusal's message); nothing is granted without payment."""
    card = active_card(order.organization)
    if card is None:
        return False, str(NoPaymentMethod.default_message)
    result = charge(
        card, amount=order.total, description=description, idempotency_key=idempotency_key
    )
    if not result.paid:
        return False, result.message
    billing_services.confirm_payment(
        order,
        provider_reference=result.reference,
        amount=result.amount,
        method=Order.Method.ONLINE,
        order_grant=order_grant,
    )
    return True, ""
