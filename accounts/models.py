"""Users (email login, one role each) and the client organizations they belong to."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The largest approval threshold or monthly limit (credits = minutes: about 1,666 hours).
MAX_TEAM_CREDITS = 100_000


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class Organization(models.Model):
    """A client company: it buys credits, holds contracts and opens tickets."""

    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    email = models.EmailField(_("billing email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="ES")
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    # Credits (minutes of technician time); the client is warned below this balance.
    low_balance_threshold = models.PositiveIntegerField(
        _("low-balance threshold (credits)"), default=30
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Email the client users when a technician reveals their access data (at most once a
    # day per entry and technician). Their users switch it on the access data page.
    reveal_emails = models.BooleanField(_("email when access data is revealed"), default=True)
    # Teams (issue 19): members see only the tickets they opened unless a manager lets
    # them see all of the organization's (accounts.permissions.sees_all_org_tickets).
    members_see_all_tickets = models.BooleanField(
        _("members see all the organization's tickets"), default=False
    )
    # Approval settings (credits; empty: no rule). A manager must approve an estimate
    # above the threshold, and a member's spending beyond the monthly limit
    # (accounts.approvals; hooked into estimates and charging by tickets/).
    approval_threshold_credits = models.PositiveIntegerField(
        _("estimates above this need a manager's approval (credits)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TEAM_CREDITS)],
    )
    member_monthly_credit_limit = models.PositiveIntegerField(
        _("monthly credit limit per member (credits)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TEAM_CREDITS)],
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="organization_name_lower")]
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_threshold_credits__lte=MAX_TEAM_CREDITS)
                & Q(member_monthly_credit_limit__lte=MAX_TEAM_CREDITS),
                name="organization_team_limits_bounded",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def billing_address_lines(self) -> list[str]:
        """The address as printed on invoices, without empty lines."""
        city_line = " ".join(p for p in (self.postal_code, self.city) if p)
        return [
            line
            for line in (self.address, city_line, self.province, self.get_country_display())
            if line
        ]

    def get_country_display(self) -> str:
        return {"ES": "España"}.get(self.country, self.country)


class UserManager(BaseUserManager):
    """Users log in with their email address (stored lower-case)."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        extra_fields.pop("is_staff", None)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.pop("is_staff", None)
        extra_fields["is_superuser"] = True
        extra_fields["role"] = User.Role.ADMIN
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class UserRole(models.TextChoices):
    """``User.Role``; at module level so that ``User.Meta``'s constraints can name it."""

    CLIENT = "client", _("Client")
    TECHNICIAN = "technician", _("Technician")
    ADMIN = "admin", _("Administrator")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Clients belong to exactly one organization; staff to none."""

    Role = UserRole

    class OrgRole(models.TextChoices):
        """A client user's role inside their organization (staff: ignored)."""

        # Buys, sees every ticket and movement, manages people and settings, approves.
        MANAGER = "manager", _("Manager")
        # Opens and follows their own tickets (all of them if the organization allows).
        MEMBER = "member", _("Member")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CLIENT)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    # Least privilege by default; accounts.services.create_client_user makes the first
    # user of an organization its manager, and migration 0005 made every existing one.
    org_role = models.CharField(
        _("role in the organization"),
        max_length=16,
        choices=OrgRole.choices,
        default=OrgRole.MEMBER,
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Raised to end every other session at once (accounts.security.end_other_sessions):
    # it is part of the session auth hash, like the password.
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            # A client belongs to one organization; technicians and admins to none.
            models.CheckConstraint(
                condition=(Q(role=UserRole.CLIENT) & Q(organization__isnull=False))
                | (~Q(role=UserRole.CLIENT) & Q(organization__isnull=True)),
                name="user_client_has_organization",
                violation_error_message=_(
                    "A client user belongs to one organization; staff users to none."
                ),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    # Django admin lets in whoever has is_staff: here that is the admin role, derived
    # from the role so the two can never disagree.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def is_org_manager(self) -> bool:
        """For templates; the rule is accounts.permissions.is_org_manager."""
        from accounts.permissions import is_org_manager

        return is_org_manager(self)

    @property
    def is_technician(self) -> bool:
        return self.role == self.Role.TECHNICIAN

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_support_staff(self) -> bool:
        """Technicians and admins: the people who work tickets."""
        return self.role in (self.Role.TECHNICIAN, self.Role.ADMIN)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request and ends a session whose hash no longer
        # matches: with the epoch in it, "log out my other sessions" is one UPDATE.
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app; only its hash is kept.

    Codes are random (50 bits), so a SHA-256 of the code is enough: nothing to guess
    from the hash, and checking ten of them costs nothing (unlike a password hasher).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self):
        return f"{self.user} ({'used' if self.used_at else 'unused'})"


class LoginEvent(models.Model):
    """The login audit: who (or which address), what happened, when, from where."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGOUT = "logout", _("Logout")
        SECOND_FACTOR_VERIFIED = "mfa_verified", _("Second factor verified")
        SECOND_FACTOR_FAILED = "mfa_failed", _("Wrong second-factor code")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        SECOND_FACTOR_ENABLED = "mfa_enabled", _("Second factor set up")
        SECOND_FACTOR_RESET = "mfa_reset", _("Second factor reset")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
        OTHER_SESSIONS_ENDED = "other_sessions_ended", _("Other sessions ended")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        PASSKEY_ADDED = "passkey_added", _("Passkey added")
        PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
        PASSKEY_USED = "passkey_used", _("Passkey used")
        PASSKEY_FAILED = "passkey_failed", _("Passkey not accepted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_events",
    )
    # The address typed at the login or reset form (bounded like an email field).
    email = models.CharField(_("email address"), max_length=254, blank=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # Who did it when it was not the user (an admin resetting a second factor).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the event was about, when it names something (the passkey's name).
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login event")
        verbose_name_plural = _("login events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="loginevent_user_recent"),
            models.Index(fields=["kind", "ip_address", "created_at"], name="loginevent_kind_ip"),
            models.Index(fields=["kind", "email", "created_at"], name="loginevent_kind_email"),
        ]

    def __str__(self):
        when = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} {self.email} {when}"


class Invitation(models.Model):
    """A manager's invitation to join their organization, accepted once through an
    emailed link. Only the SHA-256 of the link's token is kept (the token is random,
    256 bits: nothing to guess from the hash), so a database leak opens no account."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email address"))
    org_role = models.CharField(
        _("role in the organization"),
        max_length=16,
        choices=User.OrgRole.choices,
        default=User.OrgRole.MEMBER,
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Withdrawn by a manager, or replaced by a newer invitation to the same address.
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(Lower("email"), name="invitation_email_lower")]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    def is_open(self, now=None) -> bool:
        """Not accepted, not withdrawn, not expired."""
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class ApprovalOutcome(models.TextChoices):
    """``Approval.Outcome``; at module level so that ``Approval.Meta``'s constraints can
    name it."""

    PENDING = "pending", _("Waiting for a manager")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Approval(models.Model):
    """A manager's yes or no to something a member asked for (issue 19): what, who asked,
    who decided, when, and the outcome. Decided exactly once (accounts.approvals)."""

    class Kind(models.TextChoices):
        ESTIMATE = "estimate", _("Estimate above the approval threshold")
        MONTHLY_LIMIT = "monthly_limit", _("Spending beyond the member's monthly limit")

    Outcome = ApprovalOutcome

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="approvals",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    what = models.CharField(_("what"), max_length=300)
    credits = models.PositiveIntegerField(_("credits"))
    # What it is about, as "<app>.<model>:<pk>" (a lazy reference: accounts imports no
    # app above it); with the kind, the same request twice finds the first row.
    reference = models.CharField(_("refers to"), max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="approvals_requested",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals_decided",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "reference"], name="approval_once_per_reference"
            ),
            # Pending: nobody decided; decided: by whom and when.
            models.CheckConstraint(
                condition=(
                    Q(outcome=ApprovalOutcome.PENDING)
                    & Q(decided_by__isnull=True)
                    & Q(decided_at__isnull=True)
                )
                | (
                    ~Q(outcome=ApprovalOutcome.PENDING)
                    & Q(decided_by__isnull=False)
                    & Q(decided_at__isnull=False)
                ),
                name="approval_decided_fields",
            ),
        ]
        indexes = [models.Index(fields=["organization", "outcome"], name="approval_org_outcome")]

    def __str__(self):
        return f"{self.what} ({self.get_outcome_display()})"
