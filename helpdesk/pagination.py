"""Pagination shared by the pages whose lists grow without bound (the queue's search, the
ledger's movements)."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most ``cap`` matches (then ``capped`` is true): counting every match of a
    list of 100,000 rows costs far more than reading its first page. Pages stop after the
    cap; the page says so and offers its filters for the rest."""

    def __init__(self, object_list, per_page, *, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
