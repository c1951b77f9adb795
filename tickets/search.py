"""Full-text search of tickets: reference, subject, description and every message, plus
the organization's name and the requester's name and email.

On PostgreSQL each ticket stores a ``search_vector`` (Spanish, English and "simple"
configurations, so stemmed words and exact codes both match) behind a GIN index; the
services call ``refresh`` after each change. It indexes a bounded prefix of the
description and of the thread (``tickets.limits``): PostgreSQL refuses a tsvector above
1 MB, and the words that matter are near the start. Elsewhere (SQLite) a plain
``icontains``. Organizations and requesters are matched on their own (small) tables, so
a renamed organization is found at once without refreshing its tickets.
"""

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Organization, User
from tickets.limits import SEARCH_DESCRIPTION_CHARS, SEARCH_THREAD_CHARS
from tickets.models import Message, Ticket

CONFIGS = ("spanish", "english", "simple")


def _document(alias: str, column: str, limit: int | None = None) -> str:
    text = f"coalesce({alias}.{column}, '')"
    if limit:
        text = f"left({text}, {int(limit)})"
    return " || ".join(f"to_tsvector('{config}', {text})" for config in CONFIGS)


# Weights: reference and subject A, description B, messages C (kept for ranking; the
# queue sorts by due). The reference also with spaces for dashes, so that "2026-00014"
# and "00014" find T-2026-00014 (the parser reads "-00014" as a negative number).
REFERENCE_WORDS = "t.reference || ' ' || replace(t.reference, '-', ' ')"
REFRESH_SQL = f"""
UPDATE {Ticket._meta.db_table} AS t SET search_vector =
    setweight(to_tsvector('simple', {REFERENCE_WORDS}), 'A')
    || setweight({_document("t", "subject")}, 'A')
    || setweight({_document("t", "description", SEARCH_DESCRIPTION_CHARS)}, 'B')
    || setweight({_document("m", "bodies", SEARCH_THREAD_CHARS)}, 'C')
FROM (
    SELECT tk.id, left(string_agg(msg.body, ' ' ORDER BY msg.id), {SEARCH_THREAD_CHARS}) AS bodies
    FROM {Ticket._meta.db_table} AS tk
    LEFT JOIN {Message._meta.db_table} AS msg ON msg.ticket_id = tk.id
    WHERE tk.id = ANY(%s)
    GROUP BY tk.id
) AS m
WHERE t.id = m.id
"""  # noqa: S608 - table names come from the models, values are parameters

# The same for every ticket at once (the benchmark's bulk load).
REFRESH_ALL_SQL = REFRESH_SQL.replace("WHERE tk.id = ANY(%s)", "")


def enabled() -> bool:
    return connection.vendor == "postgresql"


def refresh(ticket_ids) -> None:
    """Recompute the search vector of these tickets (no-op without PostgreSQL)."""
    if enabled():
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL, [list(ticket_ids)])


def refresh_all() -> None:
    if enabled():
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_ALL_SQL)


def matching(tickets: QuerySet[Ticket], text: str, *, few: int = 0) -> QuerySet[Ticket]:
    """The tickets whose reference, subject, description or messages match ``text``
    (web-search syntax: words, "a phrase", -excluded), whose reference is ``text``, or
    whose organization's name or requester's name or email contains ``text``.

    With ``few``, PostgreSQL first fetches the ids of at most ``few`` + 1 matches (one
    query, through the GIN index when the words are rare): when there are no more than
    ``few``, the result is those ids, which any ordering then sorts cheaply. Otherwise the
    words are common and the plain filter finds the first page quickly in any order. This
    spares the planner its worst case: walking the queue's order index over every ticket
    to find a rare word.
    """
    text = text.strip()
    # Organizations and client users are few next to tickets: two small subqueries, in
    # the same SQL statement (the queue's query count does not change).
    by_organization = Organization.objects.filter(name__icontains=text).values("pk")
    by_requester = User.objects.filter(
        Q(full_name__icontains=text) | Q(email__icontains=text)
    ).values("pk")
    by_people = Q(organization_id__in=by_organization) | Q(requester_id__in=by_requester)
    by_reference = Q(reference=text.upper()) | by_people
    if enabled():
        query = SearchQuery(text, config=CONFIGS[0], search_type="websearch")
        for config in CONFIGS[1:]:
            query |= SearchQuery(text, config=config, search_type="websearch")
        condition = Q(search_vector=query) | by_reference
        if few:
            # Each way of matching on its own index, within the filtered tickets, as a
            # UNION: with the four conditions ORed in one WHERE, PostgreSQL walked the
            # queue's order index over every unfinished ticket and tested each one's
            # search vector (13,546 buffers, 61-110 ms at 100,000 tickets); now a BitmapAnd
            # of the GIN index and the filter's index (56 buffers, 1 ms; bench/README.md,
            # issue 15). UNION ALL, so that the limit stops the scans early when a word is
            # common; a ticket found two ways is there twice, and counted once below (near
            # the cap the duplicates may only send a search to the plain filter).
            base = tickets.order_by().values("pk")
            matches = base.filter(search_vector=query).union(
                base.filter(reference=text.upper()),
                base.filter(organization_id__in=by_organization),
                base.filter(requester_id__in=by_requester),
                all=True,
            )
            ids = list(dict.fromkeys(row["pk"] for row in matches[: few + 1]))
            if len(ids) <= few:
                return tickets.filter(pk__in=ids)
        return tickets.filter(condition)
    in_messages = Exists(Message.objects.filter(ticket_id=OuterRef("pk"), body__icontains=text))
    return tickets.filter(
        Q(subject__icontains=text)
        | Q(description__icontains=text)
        | Q(reference__icontains=text)
        | in_messages
        | by_reference
    )
