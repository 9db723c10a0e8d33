"""Writing the demo's generated rows in bulk. The demo makes tens of thousands of rows that
no person entered (like `demo_residents`); `bulk_create` writes them without the audit rows
of the services, which record what people do. Three costs of the ORM are cut here:

- `rows_insert`: `bulk_create` for plain models, without the compiler's work per value
  (most of the registry's half minute went into preparing 1.8 million values one by one);
- `links_create`: many-to-many links as rows of the through table (`add()` and `set()` cost
  a few queries and an audit entry per call: half a minute over the demo's party);
- `columns_update`: a few columns of many rows by primary key in one `executemany`
  (`bulk_update` builds a CASE expression per row and field, seconds for ten thousand)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models
from django.utils import timezone

# The field types whose values the database takes as they are (str, int, float, bool, None).
PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.FloatField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)

MAX_BATCH = 2000  # rows per INSERT where the database sets no limit of its own (PostgreSQL)


def _converter(field: models.Field, now: Any):
    """How one field's value goes to the database: as it is for PLAIN fields (and plain
    strings of fields with choices), dates as the backend writes them, the rest through the
    field itself (decimals, JSON …); auto_now fields get `now`."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = field.get_db_prep_save(now, connection)
        return lambda _obj: value
    attname, kind = field.attname, type(field)
    if kind in PLAIN and not field.choices:  # subclasses may prepare their values
        return lambda obj: getattr(obj, attname)
    prepared = partial(field.get_db_prep_save, connection=connection)
    if kind in (models.CharField, models.TextField):  # with choices: an enum member or a str

        def text(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            return value if type(value) is str else prepared(value)

        return text
    if kind is models.DateField:
        adapt = connection.ops.adapt_datefield_value
        return lambda obj: adapt(getattr(obj, attname))
    return lambda obj: prepared(getattr(obj, attname))


def rows_insert(objs: Sequence[models.Model]) -> int:
    """Insert unsaved instances of one plain model (no multi-table inheritance, ids from the
    database) and set their ids, as `bulk_create` does; returns how many."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    now = timezone.now()
    relations = [f for f in fields if f.is_relation]
    for obj in objs:
        # A related object given before it had its id (as bulk_create takes it): its id now.
        if any(getattr(obj, f.attname) is None and f.is_cached(obj) for f in relations):
            obj._prepare_related_fields_for_save(operation_name="rows_insert")
    converters = [_converter(f, now) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, min(MAX_BATCH, connection.ops.bulk_batch_size(fields, objs)))
    pk = meta.pk
    for start in range(0, len(objs), batch):
        chunk = objs[start : start + batch]
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
            + ", ".join([one] * len(chunk))
            + f" RETURNING {quote(pk.column)}"
        )
        params = [convert(obj) for obj in chunk for convert in converters]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for obj, value in zip(chunk, ids, strict=True):
            setattr(obj, pk.attname, value)
            obj._state.adding = False
            obj._state.db = connection.alias
    return len(objs)


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
