"""Bounds of every text of the knowledge base (characters unless said otherwise)."""

TITLE_MAX_CHARS = 200
SLUG_MAX_CHARS = 120
# An article's Markdown: a long manual page is ~30,000 characters; 10 MB is refused.
BODY_MAX_CHARS = 100_000
TAGS_MAX_CHARS = 300
# Only this prefix of the body goes into the search vector (PostgreSQL refuses a
# tsvector above 1 MB; the words that matter are near the start).
SEARCH_BODY_CHARS = 20_000
QUERY_MAX_CHARS = 200
# Words of a query that reach PostgreSQL (the rest are ignored).
QUERY_MAX_WORDS = 8
SUGGESTIONS = 5
# Matches ranked per query at most (kb.search.matching): bounds the time of a query of
# very common words over 10,000 articles.
SEARCH_CANDIDATES = 300
SEARCH_PAGE = 20
MACRO_BODY_MAX_CHARS = 10_000
# A deflection counts when the client opens no ticket within this window (minutes).
DEFLECTION_WINDOW_MINUTES = 60
# Articles with at least this many "no" votes, more than "yes" votes, are listed for review.
REVIEW_MIN_NO_VOTES = 3
