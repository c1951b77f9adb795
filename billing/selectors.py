"""Every read of the billing app that is more than a ``get()``, scoped to who may see it."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from payments import PaymentStatus

from accounts.models import Organization, User
from accounts.permissions import is_org_manager
from billing.models import Invoice, Order, Payment
from billing.money import Quote, quote
from credits import selectors as credit_selectors
from credits.models import Pack


def is_registration_purchase(organization: Organization) -> bool:
    """True while the organization's next paid order is its registration pack.

    That is: it has no paid pack order (paid or refunded) and no registration lot in its
    ledger (the credits demo and admins grant registration lots without orders). Pending,
    cancelled or abandoned orders do not count, nor a monthly plan's orders (no pack): a
    plan's credits are not the registration pack, so the first pack after a plan still is.
    Confirmation asks again under the organization's lock, so two payments cannot both be
    the registration.
    """
    if Order.objects.filter(
        organization_id=organization.pk, paid_at__isnull=False, pack__isnull=False
    ).exists():
        return False
    return not credit_selectors.has_registration_lot(organization)


def pack_kind(registration: bool) -> str:
    return Pack.Kind.REGISTRATION if registration else Pack.Kind.RECHARGE


@dataclass(frozen=True)
class PackOffer:
    """A pack as the checkout shows it: prices with and without VAT, and when its credits
    would expire if bought now (None = never)."""

    pack: Pack
    quote: Quote
    expires_at: datetime | None


def offers_for(
    organization: Organization, *, now: datetime | None = None
) -> tuple[bool, list[PackOffer]]:
    """(is this the registration purchase, the packs the organization can buy now)."""
    now = now or timezone.now()
    registration = is_registration_purchase(organization)
    rate = credit_selectors.vat_rate()
    offers = [
        PackOffer(
            pack=pack,
            quote=quote(pack.price, rate),
            expires_at=credit_selectors.pack_expiry(pack, now, registration=registration),
        )
        for pack in credit_selectors.packs_for(pack_kind(registration))
    ]
    return registration, offers


def suggested_offer(offers: list[PackOffer], need: int) -> PackOffer | None:
    """The cheapest offer that covers ``need`` credits, else the largest; None without need."""
    if need <= 0 or not offers:
        return None
    covering = [offer for offer in offers if offer.pack.credits >= need]
    if covering:
        return min(covering, key=lambda offer: (offer.quote.total, offer.pack.credits))
    return max(offers, key=lambda offer: offer.pack.credits)


def orders_visible_to(user: User) -> QuerySet[Order]:
    """Admins see every order; a client those of their organization; others none."""
    if not user.is_authenticated:
        return Order.objects.none()
    if user.is_staff:
        return Order.objects.all()
    if is_org_manager(user):  # members of the organization: none (issue 19)
        return Order.objects.filter(organization_id=user.organization_id)
    return Order.objects.none()


def invoices_visible_to(user: User) -> QuerySet[Invoice]:
    """Admins see every invoice; a client those of their organization; others none."""
    if not user.is_authenticated:
        return Invoice.objects.none()
    if user.is_staff:
        return Invoice.objects.all()
    if is_org_manager(user):
        return Invoice.objects.filter(order__organization_id=user.organization_id)
    return Invoice.objects.none()


def payments_visible_to(user: User) -> QuerySet[Payment]:
    """A client's own organization's payments (the pages of the payment flow)."""
    if not is_org_manager(user):
        return Payment.objects.none()
    return Payment.objects.filter(order__organization_id=user.organization_id).select_related(
        "order"
    )


def orders_of(organization: Organization) -> QuerySet[Order]:
    """The organization's orders, newest first, with their invoices (one extra query)."""
    return (
        Order.objects.filter(organization_id=organization.pk)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("invoices", queryset=Invoice.objects.order_by("issued_at")))
    )


def invoices_of(organization: Organization) -> QuerySet[Invoice]:
    """The organization's invoices and corrective invoices, newest first, with the order."""
    return (
        Invoice.objects.filter(order__organization_id=organization.pk)
        .select_related("order", "corrects")
        .order_by("-issued_at", "-id")
    )


def order_with_details(order: Order) -> Order:
    """The order with its pack, invoices and payments, for its page."""
    return (
        Order.objects.select_related("pack", "organization")
        .prefetch_related(
            Prefetch("invoices", queryset=Invoice.objects.order_by("issued_at")),
            Prefetch("payments", queryset=Payment.objects.order_by("-created")),
        )
        .get(pk=order.pk)
    )


def invoice_with_lines(invoice: Invoice) -> Invoice:
    """The invoice with its lines, order and corrected invoice (for the page and the PDF)."""
    return (
        Invoice.objects.select_related("order", "corrects")
        .prefetch_related("lines", "corrections")
        .get(pk=invoice.pk)
    )


def online_payment_variant() -> str:
    """The django-payments variant of the "Pay online" button; "" when there is none."""
    variant = getattr(settings, "PAYMENT_VARIANT", "")
    return variant if variant in getattr(settings, "PAYMENT_VARIANTS", {}) else ""


def open_payment(order: Order, variant: str) -> Payment | None:
    """The order's latest online payment of ``variant`` still waiting for the client."""
    return (
        order.payments.filter(
            variant=variant, status__in=[PaymentStatus.WAITING, PaymentStatus.INPUT]
        )
        .order_by("-created", "-id")
        .first()
    )
