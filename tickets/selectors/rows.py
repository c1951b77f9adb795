"""Several small lists of one page in one query: each list is a subquery aggregated into a
JSON array of objects (PostgreSQL ``JSONB_AGG``, SQLite ``JSON_GROUP_ARRAY``), and each
object becomes a model instance again, with the related rows the page shows.

Used by the ticket page (``tickets.selectors.page``), whose charging and vault state
would otherwise cost a query per list. Only the fields named are read: the instances are
for display, never saved.
"""

from dataclasses import dataclass, field
from datetime import UTC

from django.contrib.postgres.aggregates.mixins import OrderableAggMixin
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Aggregate, F, JSONField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class JSONRows(OrderableAggMixin, Aggregate):
    """The aggregated rows as one JSON array (``order_by`` is kept on PostgreSQL; SQLite
    before 3.44 has no ORDER BY in an aggregate: ``Shape.sort_key`` orders there)."""

    function = "JSONB_AGG"
    template = "%(function)s(%(distinct)s%(expressions)s %(order_by)s)"
    allow_distinct = False
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra):
        clone = self.copy()
        clone.order_by = None
        return Aggregate.as_sql(
            clone, compiler, connection, function="JSON_GROUP_ARRAY", order_by="", **extra
        )


@dataclass(frozen=True)
class Shape:
    """Which fields of ``model`` to read, and which related rows (by foreign key name)."""

    model: type[models.Model]
    fields: tuple[str, ...]
    related: dict[str, "Shape"] = field(default_factory=dict)

    def columns(self, prefix: str = "") -> dict[str, F]:
        columns = {f"{prefix}{name}": F(f"{prefix}{name}") for name in self.fields}
        for name, shape in self.related.items():
            columns |= shape.columns(f"{prefix}{name}__")
        return columns

    def build(self, row: dict, prefix: str = "") -> models.Model:
        meta = self.model._meta
        read = {meta.get_field(name).attname: name for name in self.fields}
        # ``from_db``: the fields not read stay deferred (read on access, never a default).
        attnames, values = [], []
        for model_field in meta.concrete_fields:
            if model_field.attname in read:
                attnames.append(model_field.attname)
                values.append(_value(model_field, row.get(f"{prefix}{read[model_field.attname]}")))
        instance = self.model.from_db(DEFAULT_DB_ALIAS, attnames, values)
        for name, shape in self.related.items():
            related = None
            if row.get(f"{prefix}{name}__id") is not None:
                related = shape.build(row, f"{prefix}{name}__")
            meta.get_field(name).set_cached_value(instance, related)
        return instance


def _value(model_field, raw):
    if raw is None:
        return None
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(raw) if isinstance(raw, str) else raw
        return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment
    return model_field.to_python(raw)


def rows(queryset: QuerySet, shape: Shape, *, order_by=()) -> Subquery:
    """A subquery of one JSON array of ``queryset``'s rows (null when there is none)."""
    aggregated = (
        queryset.order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(rows=JSONRows(JSONObject(**shape.columns()), order_by=order_by))
        .values("rows")
    )
    return Subquery(aggregated, output_field=JSONField())


def row(queryset: QuerySet, shape: Shape) -> Subquery:
    """A subquery of the first row of ``queryset`` as one JSON object (or null)."""
    return Subquery(
        queryset.values(_row=JSONObject(**shape.columns()))[:1], output_field=JSONField()
    )


def build_all(shape: Shape, data, *, sort_key=None, reverse: bool = False) -> list:
    """The instances of a JSON array read by ``rows`` (in its order; ``sort_key``: where
    the database could not order the aggregate)."""
    from django.db import connection

    instances = [shape.build(item) for item in data or []]
    if sort_key is not None and connection.vendor == "sqlite":
        instances.sort(key=sort_key, reverse=reverse)
    return instances


__all__ = ["JSONRows", "OuterRef", "Shape", "build_all", "row", "rows"]
