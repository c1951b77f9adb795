"""How long a person's text may be, in characters: the forms and the services both check it
(a clear message and nothing written), and the search index reads at most a bounded prefix
of it (PostgreSQL refuses a tsvector above 1 MB)."""

SUBJECT_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 20_000
MESSAGE_MAX_CHARS = 20_000
ESTIMATE_DESCRIPTION_MAX_CHARS = 5_000
DECLINE_REASON_MAX_CHARS = 2_000

# The search vector indexes at most this much of the description and of the thread
# (all messages together). Unique words of every configuration stay well under 1 MB
# (tests/tickets/test_search_limits.py fills it with worst-case text).
SEARCH_DESCRIPTION_CHARS = 50_000
SEARCH_THREAD_CHARS = 100_000
