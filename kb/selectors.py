"""Every read of the knowledge base. Visibility lives here: ``articles_visible_to(user)``
returns only the published articles the user may read, so a wrong slug is a 404."""

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from kb import limits, search
from kb.models import Article, Category, Deflection, Macro
from tickets.models import Ticket


def visibilities_for(user) -> list[str]:
    if not user.is_authenticated:
        return [Article.Visibility.PUBLIC]
    if user.is_support_staff:
        return list(Article.Visibility.values)
    return [Article.Visibility.PUBLIC, Article.Visibility.CLIENTS]


def articles_visible_to(user) -> QuerySet[Article]:
    """Published articles that ``user`` (anonymous, client or staff) may read."""
    return Article.objects.filter(
        status=Article.Status.PUBLISHED, visibility__in=visibilities_for(user)
    )


def help_index(user, language: str) -> dict:
    """The help centre's front page: categories with their article counts, and the most
    read articles (two queries)."""
    visible = articles_visible_to(user).filter(language=language)
    counts = dict(
        visible.filter(category__isnull=False)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    categories = [c for c in Category.objects.all() if counts.get(c.pk)]
    for category in categories:
        category.article_count = counts[category.pk]
    popular = list(visible.only("title", "slug", "language").order_by("-views", "title")[:8])
    return {"categories": categories, "popular": popular}


def category_articles(user, language: str, category: Category) -> list[Article]:
    return list(
        articles_visible_to(user)
        .filter(language=language, category=category)
        .only("title", "slug", "language")
    )


def article_page(user, language: str, slug: str) -> Article | None:
    """The article with its category, its other language version and related articles
    (three queries), or None when the user may not read it."""
    article = (
        articles_visible_to(user)
        .select_related("category")
        .filter(language=language, slug=slug)
        .first()
    )
    if article is None:
        return None
    visible = articles_visible_to(user)
    article.translation = (
        visible.filter(group=article.group)
        .exclude(pk=article.pk)
        .only("slug", "language", "title")
        .first()
    )
    related = visible.filter(language=language).exclude(pk=article.pk)
    if article.category_id:
        related = related.filter(
            Q(category_id=article.category_id) | Q(products__articles=article)
        ).distinct()
    else:
        related = related.filter(products__articles=article).distinct()
    article.related = list(
        related.only("title", "slug", "language").order_by("-views", "title")[:5]
    )
    return article


def search_articles(user, language: str, text: str) -> list[Article]:
    """The first page of articles matching ``text``, ranked, with highlighted snippets
    (``article.snippet_html``), in one query (none for text without words)."""
    found = search.matching(articles_visible_to(user), text, language, headline=True)
    if found is None:
        return []
    results = list(found.only("title", "slug", "language", "body")[: limits.SEARCH_PAGE])
    for article in results:
        snippet = getattr(article, "snippet", None) or article.body[:200]
        article.snippet_html = search.highlight(snippet)
    return results


def suggestions(user, language: str, text: str) -> list[Article]:
    """The best few articles for a subject being typed (one query, or none)."""
    found = search.matching(articles_visible_to(user), text, language, prefix=True)
    if found is None:
        return []
    return list(found.only("title", "slug", "language")[: limits.SUGGESTIONS])


def lookup_for_staff(text: str) -> list[Article]:
    """Published articles whose title contains ``text`` (a technician linking one in a
    reply): any visibility but internal, both languages, one query."""
    text = (text or "").strip()[: limits.QUERY_MAX_CHARS]
    if not text:
        return []
    return list(
        Article.objects.filter(status=Article.Status.PUBLISHED, title__icontains=text)
        .exclude(visibility=Article.Visibility.INTERNAL)
        .only("title", "slug", "language")
        .order_by("title")[:10]
    )


def staff_articles(*, text: str = "", status: str = "") -> QuerySet[Article]:
    articles = Article.objects.select_related("category", "updated_by").order_by("-updated_at")
    if text:
        articles = articles.filter(title__icontains=text[: limits.QUERY_MAX_CHARS])
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    return articles


def deflections_counted(now) -> QuerySet[Deflection]:
    """Deflections that count as "answered without a ticket": the client opened no
    ticket within the window after reading, and answered "helpful" or, once the window
    passed, did not answer "not helpful"."""
    window = timedelta(minutes=limits.DEFLECTION_WINDOW_MINUTES)
    ticket_after = Ticket.objects.filter(
        requester_id=OuterRef("user_id"),
        created_at__gte=OuterRef("opened_at"),
        created_at__lte=OuterRef("opened_at") + window,
    )
    return Deflection.objects.filter(
        Q(helpful=True) | Q(opened_at__lte=now - window, helpful__isnull=True)
    ).exclude(Exists(ticket_after))


def stats(now) -> dict:
    """The staff dashboard: per article views, votes and tickets avoided; the articles
    to review (many "no" votes); the totals. Two queries."""
    avoided = (
        deflections_counted(now)
        .filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    articles = list(
        Article.objects.annotate(avoided=Coalesce(Subquery(avoided), 0))
        .only(
            "title",
            "slug",
            "language",
            "status",
            "visibility",
            "views",
            "helpful_yes",
            "helpful_no",
        )
        .order_by("-avoided", "-views", "title")[:100]
    )
    review = list(
        Article.objects.filter(
            helpful_no__gte=limits.REVIEW_MIN_NO_VOTES, helpful_no__gt=F("helpful_yes")
        ).order_by("-helpful_no")[:50]
    )
    return {
        "articles": articles,
        "review": review,
        "total_avoided": sum(a.avoided for a in articles),
        "total_views": sum(a.views for a in articles),
    }


def macros_for(user: User, *, language: str | None = None) -> QuerySet[Macro]:
    """The shared macros and ``user``'s own."""
    macros = Macro.objects.filter(Q(owner__isnull=True) | Q(owner=user))
    if language:
        macros = macros.filter(language=language)
    return macros.order_by("name")


def images_visible_to(user) -> QuerySet:
    """Images of the articles ``user`` may read (staff: of every article, drafts too)."""
    from kb.models import ArticleImage

    if user.is_authenticated and user.is_support_staff:
        return ArticleImage.objects.all()
    return ArticleImage.objects.filter(article__in=articles_visible_to(user))
