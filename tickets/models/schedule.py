"""What the SLA clock counts: the business calendar (weekly hours, holidays, closures) and
the resolution target of each severity. Admins edit both; ``tickets.calendars`` turns them
into the plain values of ``tickets.sla``."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# ISO 3166-2:ES codes understood by the ``holidays`` package for regional holidays.
SPANISH_REGIONS = [
    ("AN", "Andalucía"),
    ("AR", "Aragón"),
    ("AS", "Asturias"),
    ("CB", "Cantabria"),
    ("CE", "Ceuta"),
    ("CL", "Castilla y León"),
    ("CM", "Castilla-La Mancha"),
    ("CN", "Canarias"),
    ("CT", "Catalunya"),
    ("EX", "Extremadura"),
    ("GA", "Galicia"),
    ("IB", "Illes Balears"),
    ("MC", "Región de Murcia"),
    ("MD", "Comunidad de Madrid"),
    ("ML", "Melilla"),
    ("NC", "Navarra"),
    ("PV", "País Vasco"),
    ("RI", "La Rioja"),
    ("VC", "Comunitat Valenciana"),
]


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": value}) from exc


class BusinessCalendar(models.Model):
    """When the support team works. The one marked default runs every SLA clock."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_time_zone]
    )
    national_holidays = models.BooleanField(
        _("Spanish holidays"),
        default=True,
        help_text=_(
            "Closed on the holidays of Spain (from the holidays package): the national ones, "
            "and the region's when a region is chosen."
        ),
    )
    holiday_region = models.CharField(
        _("region"),
        max_length=2,
        choices=SPANISH_REGIONS,
        blank=True,
        help_text=_("Also closed on this region's holidays."),
    )
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="calendar_one_default",
                violation_error_message=_("Another calendar is already the default."),
            )
        ]

    def __str__(self):
        return self.name


class OpeningHours(models.Model):
    """One working interval of a weekday, in the calendar's time zone (e.g. Mon 09:00-14:00)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="opening_hours_close_after_open",
                violation_error_message=_("The closing time must be after the opening time."),
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Closure(models.Model):
    """A period when support is closed besides holidays (e.g. the company's summer week)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="closure_ends_after_start",
                violation_error_message=_("A closure must end after it starts."),
            )
        ]

    def __str__(self):
        return self.reason or f"{self.starts_at:%Y-%m-%d}"


class SlaTarget(models.Model):
    """The resolution target of a severity, in business or calendar hours."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    hours = models.PositiveIntegerField(_("hours"), validators=[MinValueValidator(1)])
    business_hours = models.BooleanField(
        _("business hours"),
        default=True,
        help_text=_("Count only the hours of the default business calendar."),
    )
    # Per cent of the target after which the ticket shows (and warns) "at risk".
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (%)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["hours"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=1), name="sla_target_positive_hours"),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_target_warning_percent_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_severity_display()}: {self.hours} h"
