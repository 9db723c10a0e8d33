"""Writing the demo's generated rows in bulk. The demo makes tens of thousands of rows that
no person entered (like `demo_residents`); `bulk_create` writes them without the audit rows
of the services, which record what people do. Two gaps of `bulk_create` are filled here:

- `links_create`: many-to-many links as rows of the through table (`add()` and `set()` cost
  a few queries and an audit entry per call: half a minute over the demo's party);
- `columns_update`: a few columns of many rows by primary key in one `executemany`
  (`bulk_update` builds a CASE expression per row and field, seconds for ten thousand)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def links_create(field: Any, pairs: Iterable[tuple[int, int]], batch_size: int = 5000) -> int:
    """(source id, target id) pairs of the many-to-many `field` (e.g. `Organization.compounds`,
    the descriptor) as through rows; pairs already there are skipped."""
    through = field.through
    source = field.field.m2m_field_name() + "_id"
    target = field.field.m2m_reverse_field_name() + "_id"
    rows = [through(**{source: a, target: b}) for a, b in dict.fromkeys(pairs)]
    through.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)


def columns_update(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Set `names` of each row (primary key, *values), values prepared by their fields."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)] + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)
