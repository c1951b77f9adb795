"""Monthly plans, subscriptions and their periods, saved cards and automatic recharge.

Credits are whole minutes (``int``); money is ``Decimal`` euros excluding VAT unless said.
Every credit moves through ``credits.services`` and every payment through an ordinary
``billing.Order`` confirmed by ``billing.services.confirm_payment`` (invoice and record).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Bounds of what a person may type (credits; purchases a month; euros excl. VAT).
MAX_PLAN_CREDITS = 100_000
MAX_THRESHOLD = 100_000
MAX_MONTHLY_CAP = 31
MAX_PLAN_PRICE = Decimal("100000.00")


class Plan(models.Model):
    """A monthly plan an admin offers: so many credits each period for a price."""

    class Rollover(models.TextChoices):
        NONE = "none", _("None: credits expire at the end of their period")
        ONE = "one", _("One period: credits expire at the end of the next period")
        UNLIMITED = "unlimited", _("Unlimited: credits never expire")

    name = models.CharField(_("name"), max_length=100)
    credits = models.PositiveIntegerField(
        _("credits a month"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PLAN_CREDITS)]
    )
    # Euros, VAT excluded; VAT is added on the invoice.
    price = models.DecimalField(
        _("price a month excl. VAT (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PLAN_PRICE)],
    )
    rollover = models.CharField(
        _("unused credits"), max_length=16, choices=Rollover.choices, default=Rollover.ONE
    )
    active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("order on the page"), default=0)

    class Meta:
        verbose_name = _("monthly plan")
        verbose_name_plural = _("monthly plans")
        ordering = ["position", "credits", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credits__gt=0, credits__lte=MAX_PLAN_CREDITS),
                name="plan_credits_in_range",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="plan_price_positive"),
        ]

    def __str__(self):
        return self.name


class PaymentMethod(models.Model):
    """A card an organization saved for payments made without the client present
    (Stripe: a SetupIntent's payment method; the test provider: an outcome to simulate)."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="payment_methods",
    )
    variant = models.CharField(_("provider"), max_length=32)
    # The provider's ids (Stripe: "cus_...|pm_..."; test provider: "test:ok"/"test:declined").
    reference = models.CharField(_("provider reference"), max_length=200)
    label = models.CharField(_("card"), max_length=100)
    # What Stripe tells of the card (empty for the test provider's cards).
    brand = models.CharField(_("card brand"), max_length=32, blank=True)
    last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"), null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(_("expiry year"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved on"), default=timezone.now)

    class Meta:
        verbose_name = _("saved card")
        verbose_name_plural = _("saved cards")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(active=True), name="paymentmethod_one_active"
            ),
        ]

    def __str__(self):
        return self.label


class CardSetupStatus(models.TextChoices):
    """``CardSetup.Status``; at module level so that ``CardSetup.Meta``'s constraints can
    name it."""

    OPEN = "open", _("Waiting for the client")
    SAVED = "saved", _("Card saved")
    CANCELLED = "cancelled", _("Cancelled")


class CardSetup(models.Model):
    """A manager's visit to the provider's hosted page to save a card (Stripe Checkout in
    setup mode). Binds the provider's session to the organization that started it: the
    return page and the webhook save a card only for a session found here, once."""

    Status = CardSetupStatus

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="card_setups",
    )
    variant = models.CharField(_("provider"), max_length=32)
    # Ours, sent as client_reference_id and in the metadata (the cancel URL carries it).
    token = models.UUIDField(_("token"), unique=True, default=uuid.uuid4, editable=False)
    session_id = models.CharField(_("provider session"), max_length=255, blank=True)
    customer_id = models.CharField(_("provider customer"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    payment_method = models.ForeignKey(
        PaymentMethod,
        verbose_name=_("saved card"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started on"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("card setup")
        verbose_name_plural = _("card setups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session_id"], condition=~Q(session_id=""), name="cardsetup_session_once"
            ),
            models.CheckConstraint(
                condition=~Q(status=CardSetupStatus.SAVED) | Q(payment_method__isnull=False),
                name="cardsetup_saved_has_card",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.session_id or self.token}"


class SubscriptionStatus(models.TextChoices):
    """``Subscription.Status``; at module level so that ``Subscription.Meta``'s constraints
    and indexes can name it."""

    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment declined")
    CANCELLED = "cancelled", _("Cancelled")
    # The renewal stayed declined after the last automatic retry (dunning): no credits
    # were granted for the period, and the subscription is over.
    ENDED_UNPAID = "ended_unpaid", _("Ended unpaid")


class Subscription(models.Model):
    """An organization's subscription to a plan. Periods are whole months from
    ``started_at`` (period n runs from started_at + n months to started_at + n+1 months)."""

    Status = SubscriptionStatus

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    # A change asked for during a period: applied when the next period starts.
    next_plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan from the next period"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    started_at = models.DateTimeField(_("started on"), default=timezone.now)
    # The period in force: its number (0 = the first) and when it ends.
    current_number = models.PositiveIntegerField(_("current period"), default=0)
    current_period_end = models.DateTimeField(_("current period ends"))
    cancel_at_period_end = models.BooleanField(_("cancels at the end of the period"), default=False)
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscribed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One subscription in force per organization: subscribing twice is refused.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE]),
                name="subscription_one_in_force",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriptionStatus.CANCELLED) | Q(ended_at__isnull=False),
                name="subscription_cancelled_has_end",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriptionStatus.ENDED_UNPAID) | Q(ended_at__isnull=False),
                name="subscription_ended_unpaid_has_end",
            ),
        ]
        indexes = [
            models.Index(
                fields=["current_period_end"],
                condition=Q(status=SubscriptionStatus.ACTIVE),
                name="subscription_due",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.plan}"

    @property
    def in_force(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.PAST_DUE)


# Dunning: a declined renewal is charged again by itself this many days after its first
# decline (Stripe's and Chargebee's "smart retries", fixed); after the last one declined,
# the subscription ends unpaid.
RETRY_AFTER_DAYS = (1, 3, 5)


class PlanPeriod(models.Model):
    """One period of a subscription: its order (and so its invoice) and its credits,
    created once per (subscription, number)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Charging")
        PAID = "paid", _("Paid")
        DECLINED = "declined", _("Declined")

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    number = models.PositiveIntegerField(_("period"))
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    credits = models.PositiveIntegerField(_("credits"))
    # When the period's credits expire (None: never), from the plan's rollover rule.
    credits_expire_at = models.DateTimeField(_("credits expire"), null=True, blank=True)
    order = models.OneToOneField(
        "billing.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="plan_period",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decline_message = models.CharField(_("decline message"), max_length=255, blank=True)
    # Payments retried after a decline, by the client or automatically (each one its own
    # order and key).
    attempt = models.PositiveSmallIntegerField(_("payment attempt"), default=0)
    # Dunning: the renewal's first decline, the automatic retries made since, and when the
    # next one is due (None: none is scheduled, the period was paid or the retries are over).
    first_declined_at = models.DateTimeField(_("first declined on"), null=True, blank=True)
    auto_retries = models.PositiveSmallIntegerField(_("automatic retries made"), default=0)
    next_retry_at = models.DateTimeField(_("next automatic retry"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan period")
        verbose_name_plural = _("plan periods")
        ordering = ["subscription", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "number"], name="planperiod_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="planperiod_ordered"
            ),
            # A retry is scheduled only for a declined period (paid: the retries stop).
            models.CheckConstraint(
                condition=Q(next_retry_at__isnull=True) | ~Q(status="paid"),
                name="planperiod_paid_has_no_retry",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_retry_at"],
                condition=Q(next_retry_at__isnull=False),
                name="planperiod_retry_due",
            ),
        ]

    def __str__(self):
        return f"{self.subscription} #{self.number + 1}"

    @property
    def idempotency_key(self) -> str:
        """The key of this period's charge at the provider (one per attempt)."""
        key = f"plans:subscription:{self.subscription_id}:period:{self.number}"
        return f"{key}:attempt:{self.attempt}" if self.attempt else key

    @property
    def retries_left(self) -> int:
        """Automatic retries still to come for this declined period (0 when none is due)."""
        if self.next_retry_at is None:
            return 0
        return len(RETRY_AFTER_DAYS) - self.auto_retries


class AutoRecharge(models.Model):
    """ "When the balance falls below ``threshold``, buy ``pack``", at most ``monthly_cap``
    automatic purchases a calendar month (Europe/Madrid)."""

    organization = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="auto_recharge",
    )
    enabled = models.BooleanField(_("switched on"), default=False)
    # Credits.
    threshold = models.PositiveIntegerField(
        _("when the balance falls below (credits)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THRESHOLD)],
    )
    pack = models.ForeignKey(
        "credits.Pack", verbose_name=_("buy the pack"), on_delete=models.PROTECT, related_name="+"
    )
    monthly_cap = models.PositiveSmallIntegerField(
        _("at most, purchases a month"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHLY_CAP)],
    )
    # Why it was switched off by itself (a declined card, a pack withdrawn).
    stopped_reason = models.CharField(_("stopped because"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("changed on"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("automatic recharge")
        verbose_name_plural = _("automatic recharges")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lte=MAX_THRESHOLD),
                name="autorecharge_threshold_in_range",
            ),
            models.CheckConstraint(
                condition=Q(monthly_cap__gt=0, monthly_cap__lte=MAX_MONTHLY_CAP),
                name="autorecharge_cap_in_range",
            ),
        ]

    def __str__(self):
        return str(self.organization)


class AutoPurchase(models.Model):
    """One automatic purchase: an ordinary order paid with the saved card."""

    class Status(models.TextChoices):
        CHARGING = "charging", _("Charging")
        PAID = "paid", _("Paid")
        DECLINED = "declined", _("Declined")

    setting = models.ForeignKey(
        AutoRecharge,
        verbose_name=_("automatic recharge"),
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    order = models.OneToOneField(
        "billing.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="auto_purchase",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CHARGING
    )
    # Credits when it was decided (below the threshold).
    balance_before = models.IntegerField(_("balance before"))
    created_at = models.DateTimeField(_("made on"), default=timezone.now)
    decline_message = models.CharField(_("decline message"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("automatic purchase")
        verbose_name_plural = _("automatic purchases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["setting", "created_at"], name="autopurchase_month")]

    def __str__(self):
        return str(self.order)

    @property
    def idempotency_key(self) -> str:
        return f"plans:autopurchase:{self.pk}"
