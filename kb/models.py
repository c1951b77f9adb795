"""Knowledge base: categories, articles (one row per language version, linked by a
``group``), their version history and votes, deflections while opening a ticket, and the
technicians' canned replies (macros)."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb import limits
from tickets.attachments import private_storage
from tickets.models import Ticket


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=limits.SLUG_MAX_CHARS, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=limits.TITLE_MAX_CHARS)
    name_en = models.CharField(_("name (English)"), max_length=limits.TITLE_MAX_CHARS)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name_es

    def name_in(self, language: str) -> str:
        return self.name_en if language == Language.ENGLISH else self.name_es


class Article(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public (no login)")
        CLIENTS = "clients", _("Clients (logged in)")
        INTERNAL = "internal", _("Internal (staff only)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    # The Spanish and English versions of one article share their group.
    group = models.UUIDField(_("translation group"), default=uuid.uuid4, db_index=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.SPANISH
    )
    title = models.CharField(_("title"), max_length=limits.TITLE_MAX_CHARS)
    slug = models.SlugField(_("slug"), max_length=limits.SLUG_MAX_CHARS, allow_unicode=False)
    body = models.TextField(_("body (Markdown)"), max_length=limits.BODY_MAX_CHARS)
    # The body rendered and sanitized (kb.markdown), written by the services only.
    body_html = models.TextField(editable=False, default="")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
    )
    tags = models.CharField(
        _("tags"),
        max_length=limits.TAGS_MAX_CHARS,
        blank=True,
        help_text=_("Comma-separated, e.g. “invoices, VAT”."),
    )
    products = models.ManyToManyField(
        "tickets.Product", verbose_name=_("products"), blank=True, related_name="articles"
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Counters (updated with F() expressions by kb.services).
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0, editable=False)
    # Title and tags (weight A) and the body's first SEARCH_BODY_CHARS (B) in the
    # article's own language configuration; PostgreSQL only, filled by kb.search.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "slug"], name="kb_article_slug_per_language"
            ),
            models.UniqueConstraint(
                fields=["group", "language"], name="kb_article_one_per_language"
            ),
        ]
        indexes = [
            models.Index(fields=["language", "status", "visibility"], name="kb_article_listing"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:article", kwargs={"language": self.language, "slug": self.slug})

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class ArticleVersion(models.Model):
    """A copy of an article as it was saved: who changed what, and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=limits.TITLE_MAX_CHARS)
    body = models.TextField(_("body (Markdown)"), max_length=limits.BODY_MAX_CHARS)
    status = models.CharField(_("status"), max_length=10, choices=Article.Status.choices)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Article.Visibility.choices
    )
    # The fields that changed against the previous version, e.g. "title, body".
    changed = models.CharField(_("changed"), max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_number_once")
        ]

    def __str__(self):
        return f"{self.article} v{self.number}"


class Vote(models.Model):
    """One "was this helpful?" answer per article and voter (a user, or an anonymous
    visitor's session)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="kb_vote_once_per_voter")
        ]

    def __str__(self):
        return f"{self.article}: {self.helpful}"


class Deflection(models.Model):
    """A client opened a suggested article from the new-ticket page. It counts as
    "answered without a ticket" when they open no ticket within the window
    (``limits.DEFLECTION_WINDOW_MINUTES``) after it, or answer "helpful"."""

    token = models.CharField(max_length=43, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kb_deflections"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="kb_deflections"
    )
    subject = models.CharField(max_length=limits.QUERY_MAX_CHARS, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    helpful = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        indexes = [models.Index(fields=["article", "opened_at"], name="kb_deflection_article")]

    def __str__(self):
        return f"{self.article} · {self.opened_at:%Y-%m-%d %H:%M}"


class Macro(models.Model):
    """A canned reply: text with placeholders, optionally a status change and a time
    entry applied with it. Personal (``owner``) or shared (no owner)."""

    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.SPANISH
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kb_macros",
        help_text=_("Empty: shared with every technician."),
    )
    body = models.TextField(
        _("reply"),
        max_length=limits.MACRO_BODY_MAX_CHARS,
        help_text=_(
            "Placeholders: {client_name}, {ticket_reference}, {balance}, {technician_name}."
        ),
    )
    status = models.CharField(
        _("then set the status to"),
        max_length=20,
        choices=Ticket.Status.choices,
        blank=True,
    )
    minutes = models.PositiveIntegerField(_("time to log (minutes)"), null=True, blank=True)
    channel = models.CharField(
        _("channel of the time"),
        max_length=10,
        choices=Ticket.Channel.choices,
        default=Ticket.Channel.PORTAL,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gt=0, minutes__lte=24 * 60),
                name="kb_macro_minutes_range",
            )
        ]

    def __str__(self):
        return self.name


def image_path(instance, filename: str) -> str:
    """kb/2026/05/<random>.<ext>: the stored name never comes from the user."""
    from tickets.attachments import extension

    return f"kb/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.{extension(filename)}"


class ArticleImage(models.Model):
    """An image of an article, under the tickets' storage rules (private storage, the same
    checks of type, content and size); served by ``kb:image`` to whoever may read the
    article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(storage=private_storage, upload_to=image_path, max_length=255)
    name = models.CharField(_("name"), max_length=150)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["created_at"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kb:image", kwargs={"pk": self.pk})
