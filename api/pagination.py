"""Cursor pagination: stable pages while new rows arrive (``next``/``previous`` links)."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = ("-created_at", "-pk")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
