"""Full-text search of articles in each article's own language configuration
(``spanish`` or ``english``), PostgreSQL only; elsewhere (SQLite) a plain ``icontains``.

Each article stores ``search_vector`` behind a GIN index (migration 0002): title and tags
weigh A, the first ``limits.SEARCH_BODY_CHARS`` of the body B. The services call
``refresh`` after each save.

Queries never reach PostgreSQL as free text: the words are extracted here (letters and
digits only, at most ``limits.QUERY_MAX_WORDS``), so no input can break the tsquery
syntax, and an empty list (punctuation only) returns nothing without a query. A query of
stop words only ("de la", "the of") becomes an empty tsquery, which the GIN index answers
with no rows at once.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from kb import limits
from kb.models import Article, Language

CONFIGS = {Language.SPANISH: "spanish", Language.ENGLISH: "english"}

REFRESH_SQL = f"""
UPDATE {Article._meta.db_table} SET search_vector =
    setweight(to_tsvector(c.config, title || ' ' || replace(tags, ',', ' ')), 'A')
    || setweight(to_tsvector(c.config, left(body, {int(limits.SEARCH_BODY_CHARS)})), 'B')
FROM (SELECT a.id, CASE a.language WHEN 'en' THEN 'english'::regconfig
                                    ELSE 'spanish'::regconfig END AS config
      FROM {Article._meta.db_table} AS a) AS c
WHERE c.id = {Article._meta.db_table}.id
"""  # noqa: S608 - the table name comes from the model, the ids are a parameter
# The snippet's highlight markers: control characters that no article contains, so the
# selector escapes the whole snippet (raw Markdown) and only then turns them into <mark>.
MARK_START, MARK_STOP = "\x02", "\x03"
WORD = re.compile(r"\w+", re.UNICODE)


def enabled() -> bool:
    return connection.vendor == "postgresql"


def refresh(article_ids) -> None:
    """Recompute the search vector of these articles (no-op without PostgreSQL)."""
    if enabled():
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL + " AND c.id = ANY(%s)", [list(article_ids)])


def refresh_all() -> None:
    if enabled():
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL)


def words(text: str) -> list[str]:
    """The words of ``text`` that may reach the database (bounded in number and length)."""
    found = WORD.findall((text or "")[: limits.QUERY_MAX_CHARS].lower())
    return [w[:40] for w in found if w != "_"][: limits.QUERY_MAX_WORDS]


def _tsquery(found: list[str], language: str, *, prefix: bool) -> SearchQuery:
    """``to_tsquery`` of the words: all of them (``&``) for a search; for suggestions while
    typing any of them (``|``, ranked), the last one as a prefix (it is being typed)."""
    if prefix:
        # A prefix of one or two letters would match half the dictionary: whole word then.
        last = f"{found[-1]}:*" if len(found[-1]) >= 3 else found[-1]
        terms = [*found[:-1], last]
        raw = " | ".join(terms)
    else:
        raw = " & ".join(found)
    return SearchQuery(raw, config=CONFIGS[language], search_type="raw")


def matching(
    articles: QuerySet[Article],
    text: str,
    language: str,
    *,
    prefix: bool = False,
    headline: bool = False,
) -> QuerySet[Article] | None:
    """The articles matching ``text``, best first (rank, then title). ``None`` when the
    text has no words: the caller shows nothing without asking the database."""
    found = words(text)
    if not found:
        return None
    articles = articles.filter(language=language)
    if not enabled():
        condition = Q()
        for word in found:
            condition |= Q(title__icontains=word) | Q(tags__icontains=word)
            if not prefix:
                condition |= Q(body__icontains=word)
        return articles.filter(condition).order_by("title")
    query = _tsquery(found, language, prefix=prefix)
    # Ranking reads every matching vector: a common word matches thousands of articles.
    # So rank only the first SEARCH_CANDIDATES matches the GIN index yields (all of them
    # for specific words; for a very common word, the best of a bounded sample).
    candidates = articles.filter(search_vector=query).order_by().values("pk")
    result = Article.objects.filter(pk__in=candidates[: limits.SEARCH_CANDIDATES]).annotate(
        rank=SearchRank(F("search_vector"), query)
    )
    if headline:
        # Computed for the rows of the page only (PostgreSQL evaluates this costly
        # expression after the ORDER BY ... LIMIT).
        result = result.annotate(
            snippet=SearchHeadline(
                "body",
                query,
                config=CONFIGS[language],
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=30,
                min_words=12,
            )
        )
    return result.order_by("-rank", "title")


def highlight(snippet: str) -> str:
    """The snippet escaped, with its matches in <mark> (safe to print)."""
    from django.utils.html import escape

    text = escape(snippet)
    return text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
