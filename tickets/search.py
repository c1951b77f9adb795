"""Full-text search of tickets: subject, description and every message.

On PostgreSQL each ticket stores a ``search_vector`` (Spanish, English and "simple"
configurations, so stemmed words and exact codes both match) behind a GIN index; the
services call ``refresh`` after each change. Elsewhere (SQLite) a plain ``icontains``.
"""

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Message, Ticket

CONFIGS = ("spanish", "english", "simple")


def _document(alias: str, column: str) -> str:
    return " || ".join(
        f"to_tsvector('{config}', coalesce({alias}.{column}, ''))" for config in CONFIGS
    )


# Weights: subject A, description B, messages C (kept for ranking; the queue sorts by due).
REFRESH_SQL = f"""
UPDATE {Ticket._meta.db_table} AS t SET search_vector =
    setweight({_document("t", "subject")}, 'A')
    || setweight({_document("t", "description")}, 'B')
    || setweight({_document("m", "bodies")}, 'C')
FROM (
    SELECT tk.id, string_agg(msg.body, ' ' ORDER BY msg.id) AS bodies
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
    """The tickets whose subject, description or messages match ``text`` (web-search
    syntax: words, "a phrase", -excluded), or whose reference is ``text``.

    With ``few``, PostgreSQL first fetches the ids of at most ``few`` + 1 matches (one
    query, through the GIN index when the words are rare): when there are no more than
    ``few``, the result is those ids, which any ordering then sorts cheaply. Otherwise the
    words are common and the plain filter finds the first page quickly in any order. This
    spares the planner its worst case: walking the queue's order index over every ticket
    to find a rare word.
    """
    text = text.strip()
    by_reference = Q(reference=text.upper())
    if enabled():
        query = SearchQuery(text, config=CONFIGS[0], search_type="websearch")
        for config in CONFIGS[1:]:
            query |= SearchQuery(text, config=config, search_type="websearch")
        condition = Q(search_vector=query) | by_reference
        if few:
            ids = list(tickets.filter(condition).order_by().values_list("pk", flat=True)[: few + 1])
            if len(ids) <= few:
                return tickets.filter(pk__in=ids)
        return tickets.filter(condition)
    in_messages = Exists(Message.objects.filter(ticket_id=OuterRef("pk"), body__icontains=text))
    return tickets.filter(
        Q(subject__icontains=text) | Q(description__icontains=text) | in_messages | by_reference
    )
