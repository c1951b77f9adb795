"""Every write of the knowledge base: articles (with a version row per save), views,
votes, deflections, and canned replies applied through the tickets' own services."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from credits import selectors as credit_selectors
from kb import limits, markdown, search
from kb.errors import KbError, SlugTaken, TranslationExists
from kb.models import Article, ArticleImage, ArticleVersion, Deflection, Macro, Vote
from tickets import services as ticket_services
from tickets.attachments import check_upload
from tickets.models import Ticket

TRACKED = ("title", "slug", "body", "category_id", "tags", "visibility", "status", "language")
# Control characters (the search highlight uses two of them) never enter an article.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _check_staff(user: User) -> None:
    if not user.is_support_staff:
        raise KbError(_("Only technicians and admins can do this."))


def _clean_text(value: str, max_chars: int, label: str) -> str:
    value = CONTROL.sub("", value or "").strip()
    if len(value) > max_chars:
        raise KbError(
            _("The %(field)s is too long: at most %(max)s characters.")
            % {"field": label, "max": max_chars}
        )
    return value


@transaction.atomic
def save_article(article: Article | None, *, by: User, products=None, **fields) -> Article:
    """Create (``article=None``) or change an article; every save writes a version row
    (who, when, which fields changed), renders the body and refreshes its search entry.

    Raises KbError (not staff, empty or too long text), SlugTaken, TranslationExists.
    """
    _check_staff(by)
    fields["title"] = _clean_text(fields.get("title", ""), limits.TITLE_MAX_CHARS, _("title"))
    fields["body"] = _clean_text(fields.get("body", ""), limits.BODY_MAX_CHARS, _("body"))
    if not fields["title"] or not fields["body"]:
        raise KbError(_("An article needs a title and a body."))
    creating = article is None
    if creating:
        article = Article()
        before = {}
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        before = {name: getattr(article, name) for name in TRACKED}
    for name, value in fields.items():
        setattr(article, name, value)
    if (
        Article.objects.filter(language=article.language, slug=article.slug)
        .exclude(pk=article.pk)
        .exists()
    ):
        raise SlugTaken
    if (
        Article.objects.filter(group=article.group, language=article.language)
        .exclude(pk=article.pk)
        .exists()
    ):
        raise TranslationExists
    changed = [
        name.removesuffix("_id") for name in TRACKED if before.get(name) != getattr(article, name)
    ]
    if not creating and not changed and products is None:
        return article
    article.body_html = markdown.render(article.body)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.updated_by = by
    if not creating:
        article.version = F("version") + 1
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as exc:  # a concurrent save took the slug first
        raise SlugTaken from exc
    article.refresh_from_db(fields=["version"])
    if products is not None:
        article.products.set(products)
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        status=article.status,
        visibility=article.visibility,
        changed=", ".join(changed)[:200],
        edited_by=by,
    )
    search.refresh([article.pk])
    return article


def translate_from(article: Article) -> dict:
    """Initial fields of the other language's version of ``article`` (same group)."""
    return {
        "group": article.group,
        "language": "en" if article.language == "es" else "es",
        "category": article.category_id,
        "visibility": article.visibility,
        "tags": article.tags,
    }


def record_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def open_deflection(article: Article, *, user: User, subject: str = "") -> Deflection | None:
    """A client opened ``article`` from the new-ticket suggestions; returns the deflection
    whose token the article page carries (None for staff or anonymous visitors)."""
    if not user.is_authenticated or not user.is_client or user.organization_id is None:
        return None
    return Deflection.objects.create(
        token=secrets.token_urlsafe(32),
        article=article,
        user=user,
        organization_id=user.organization_id,
        subject=CONTROL.sub("", subject or "")[: limits.QUERY_MAX_CHARS],
    )


@transaction.atomic
def vote(
    article: Article, *, voter: str, user: User | None, helpful: bool, token: str = ""
) -> Vote:
    """Record "was this helpful?" once per voter (a later answer replaces the first one,
    and the counters move with it). With the token of the voter's own deflection of this
    article, the answer also goes there.

    Raises KbError (no voter).
    """
    if not voter:
        raise KbError(_("Your answer could not be recorded: enable cookies and try again."))
    article = Article.objects.select_for_update().get(pk=article.pk)
    existing = Vote.objects.filter(article=article, voter=voter).first()
    if existing is not None:
        if existing.helpful != helpful:
            undo = "helpful_yes" if existing.helpful else "helpful_no"
            redo = "helpful_yes" if helpful else "helpful_no"
            Article.objects.filter(pk=article.pk).update(**{undo: F(undo) - 1, redo: F(redo) + 1})
            existing.helpful = helpful
            existing.save(update_fields=["helpful"])
        result = existing
    else:
        result = Vote.objects.create(article=article, voter=voter, user=user, helpful=helpful)
        counter = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    if token and user is not None:
        Deflection.objects.filter(token=token[:43], user=user, article=article).update(
            helpful=helpful
        )
    return result


@transaction.atomic
def add_image(article: Article, uploaded, *, by: User) -> ArticleImage:
    """Store an image of ``article`` after the tickets' checks (type by extension and by
    content, size, no programs).

    Raises KbError (not staff, not an image), tickets' AttachmentRejected.
    """
    _check_staff(by)
    info = check_upload(uploaded)
    if not info.content_type.startswith("image/"):
        raise KbError(_("Only images (PNG, JPEG, GIF, WebP) can be added to an article."))
    image = ArticleImage(
        article=article,
        name=info.name,
        size=info.size,
        content_type=info.content_type,
        uploaded_by=by,
    )
    uploaded.seek(0)
    image.file.save(info.name, uploaded, save=False)
    image.save()
    return image


# --- Canned replies ------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(client_name|ticket_reference|balance|technician_name)\}")


def render_macro(
    macro: Macro, ticket: Ticket, *, technician: User, balance: int | None = None
) -> str:
    """The macro's text with its placeholders filled for this ticket (unknown braces stay
    as they are: no format-string evaluation)."""
    if balance is None:
        balance = credit_selectors.balance(ticket.organization)
    values = {
        "client_name": ticket.requester.get_full_name() if ticket.requester_id else "",
        "ticket_reference": ticket.reference,
        "balance": str(balance),
        "technician_name": technician.get_full_name(),
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], macro.body)


# A macro never resolves (that charges credits and has its own confirmation page) nor
# closes a ticket out of scope (that needs a reason).
MACRO_STATUSES = [
    s
    for s in Ticket.Status.values
    if s not in (Ticket.Status.RESOLVED, Ticket.Status.OUT_OF_SCOPE, Ticket.Status.CLOSED)
]


@transaction.atomic
def apply_macro(macro: Macro, ticket: Ticket, *, by: User, body: str | None = None):
    """Send the macro's reply (``body`` when the technician edited it), with its time entry
    and status change, all or nothing, through the tickets' own services.

    Raises KbError (a macro of someone else), and the tickets' errors (TicketClosed,
    InvalidTransition, WorkLocked, InvalidTimeEntry...).
    """
    _check_staff(by)
    if macro.owner_id not in (None, by.pk):
        raise KbError(_("This canned reply is someone else's."))
    text = body if body is not None else render_macro(macro, ticket, technician=by)
    if macro.minutes:
        # First: a status change below may finish the ticket, which locks its time.
        ticket_services.log_time(
            ticket, by=by, minutes=macro.minutes, channel=macro.channel, note=macro.name[:500]
        )
    status = macro.status if macro.status in MACRO_STATUSES else None
    return ticket_services.add_reply(ticket, author=by, body=text, status=status)
