"""Day partitions of the track table (dispatch_positionsample) on PostgreSQL.

A day of tracks is 17M rows at 10,000 workers; deleting them row by row writes every row
again (the tombstones, the index entries, then vacuum) and takes minutes; dropping the
day's partition takes milliseconds and leaves no bloat. So the table is partitioned by
range of `at`, one partition per UTC day:

- `dispatch_positionsample_pYYYYMMDD` holds that day;
- `dispatch_positionsample_toYYYYMMDD` holds everything before that day (the rows that
  were there when the table was partitioned, once);
- `dispatch_positionsample_default` catches a row no day partition takes (a phone with
  a wrong clock, or days the maintenance did not create): the purge deletes those rows.

Partitions are created a few days ahead by the hourly purge (tasks.py). SQLite keeps one
plain table and the purge deletes rows. See docs/decisions/0018.
"""

import datetime as dt
import logging
import re

from django.db import DatabaseError, connection, transaction

log = logging.getLogger(__name__)

TABLE = "dispatch_positionsample"
TRACK_INDEX = "dispatch_po_user_id_019c52_idx"  # the name the model's Meta gives it
DAYS_AHEAD = 3
_NAME = re.compile(rf"^{TABLE}_(p|to)(\d{{8}})$")


def partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def _day_start(day: dt.date) -> str:
    return f"{day.isoformat()} 00:00:00+00"


def partitions() -> dict[str, dt.datetime]:
    """Each dated partition and the end (exclusive, UTC) of the times it holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    ends = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            day = dt.datetime.strptime(match.group(2), "%Y%m%d").replace(tzinfo=dt.UTC)
            ends[name] = day + dt.timedelta(days=1) if match.group(1) == "p" else day
    return ends


def partitions_ensure(*, today: dt.date | None = None, days_ahead: int = DAYS_AHEAD) -> list[str]:
    """Create the day partitions from today to `days_ahead` days on; return those made.

    A day whose rows already went to the default partition cannot get its own (PostgreSQL
    refuses, rightly); it is skipped and its rows are purged from the default one."""
    today = today or dt.datetime.now(dt.UTC).date()
    existing = partitions()
    made = []
    for offset in range(days_ahead + 1):
        day = today + dt.timedelta(days=offset)
        name = f"{TABLE}_p{day:%Y%m%d}"
        if name in existing:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f'CREATE TABLE "{name}" PARTITION OF "{TABLE}" '
                    f"FOR VALUES FROM ('{_day_start(day)}') "
                    f"TO ('{_day_start(day + dt.timedelta(days=1))}')"
                )
        except DatabaseError as error:
            log.warning("track partition %s not created: %s", name, error)
            continue
        made.append(name)
    return made


def partitions_drop_before(cutoff: dt.datetime) -> int:
    """Drop every dated partition whose times all lie before `cutoff`; return the rows they
    held as the planner estimates them (counting them exactly would read them all)."""
    dropped = 0
    for name, end in sorted(partitions().items()):
        if end > cutoff:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = %s", [name]
            )
            row = cursor.fetchone()
            # Foreign keys checked at commit would block the drop if this transaction
            # wrote tracks (tests, a queue running tasks inline): check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'DROP TABLE "{name}"')
        dropped += row[0] if row else 0
    return dropped


def partition_table(schema_editor) -> None:
    """Migration step: turn the plain table into a partitioned one, keeping its rows.

    The old table, if it has rows, becomes the `to` partition of everything before
    tomorrow (PostgreSQL checks each row once); an empty one is simply replaced."""
    if schema_editor.connection.vendor != "postgresql":
        return

    def execute(sql: str) -> None:
        schema_editor.execute(sql, None)  # None: the % in the DO block is no placeholder

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(max(id), 0), "
            f"greatest(date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day', "
            f"date_trunc('day', max(at) AT TIME ZONE 'UTC') + interval '1 day')::date "
            f"FROM {TABLE}"
        )
        last_id, first_day = cursor.fetchone()
    old = f"{TABLE}_old"
    execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
    execute(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY IF EXISTS")
    # Its key, foreign key and index give way to the partitioned table's (same names).
    execute(f"ALTER TABLE {old} DROP CONSTRAINT IF EXISTS {TABLE}_pkey")
    execute(
        "DO $$ DECLARE name text; BEGIN FOR name IN SELECT conname FROM pg_constraint "
        f"WHERE conrelid = '{old}'::regclass AND contype = 'f' LOOP "
        f"EXECUTE format('ALTER TABLE {old} DROP CONSTRAINT %I', name); END LOOP; END $$"
    )
    execute(f"ALTER INDEX IF EXISTS {TRACK_INDEX} RENAME TO {TABLE}_old_user_at")
    # (A table made by the step back below has a plain sequence of that name: kept.)
    execute(f"CREATE SEQUENCE IF NOT EXISTS {TABLE}_id_seq")
    execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY NONE")
    execute(f"SELECT setval('{TABLE}_id_seq', {int(last_id) + 1}, false)")
    execute(
        f"CREATE TABLE {TABLE} ("
        f"id bigint NOT NULL DEFAULT nextval('{TABLE}_id_seq'), "
        "lon double precision NOT NULL, "
        "lat double precision NOT NULL, "
        "accuracy_m double precision NULL, "
        "at timestamp with time zone NOT NULL, "
        "user_id bigint NOT NULL REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED, "
        f"CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)"
        ") PARTITION BY RANGE (at)"
    )
    execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    execute(f"CREATE INDEX {TRACK_INDEX} ON {TABLE} (user_id, at)")
    execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    if first_day is None or last_id == 0:
        execute(f"DROP TABLE {old}")
        first_day = dt.datetime.now(dt.UTC).date()
    else:
        kept = f"{TABLE}_to{first_day:%Y%m%d}"
        execute(f"ALTER TABLE {old} RENAME TO {kept}")
        execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {kept} "
            f"FOR VALUES FROM (MINVALUE) TO ('{_day_start(first_day)}')"
        )
    for offset in range(DAYS_AHEAD + 1):
        day = first_day + dt.timedelta(days=offset)
        execute(
            f"CREATE TABLE {TABLE}_p{day:%Y%m%d} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{_day_start(day)}') TO ('{_day_start(day + dt.timedelta(days=1))}')"
        )


def unpartition_table(schema_editor) -> None:
    """Migration step back: one plain table with every row."""
    if schema_editor.connection.vendor != "postgresql":
        return

    def execute(sql: str) -> None:
        schema_editor.execute(sql, None)

    execute(f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS)")
    execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")
    execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY NONE")
    execute(f"DROP TABLE {TABLE}")
    execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
    execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)")
    execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_user_fk FOREIGN KEY (user_id) "
        "REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED"
    )
    execute(f"CREATE INDEX {TRACK_INDEX} ON {TABLE} (user_id, at)")


def position_write(*, user_id: int, lon, lat, accuracy_m, at, on_duty, updated_at) -> None:
    """The worker's latest position (an upsert of their one row) and the track's new point.

    PostgreSQL: one statement (the upsert in a data-modifying WITH), atomic by itself and one
    round trip: the ORM's upsert and insert in a transaction were four (BEGIN, two
    statements, COMMIT), most of a position update's time in the database (issue 9,
    decision 0027). Elsewhere (SQLite) the two statements in one transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_POSITION_SQL, [user_id, lon, lat, accuracy_m, at, on_duty, updated_at])
        return
    from gridgov.dispatch.models import PositionSample, WorkerPosition

    with transaction.atomic():
        WorkerPosition.objects.bulk_create(
            [
                WorkerPosition(
                    user_id=user_id,
                    lon=lon,
                    lat=lat,
                    accuracy_m=accuracy_m,
                    at=at,
                    on_duty=on_duty,
                    updated_at=updated_at,
                )
            ],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["lon", "lat", "accuracy_m", "at", "on_duty", "updated_at"],
        )
        PositionSample.objects.create(
            user_id=user_id, lon=lon, lat=lat, accuracy_m=accuracy_m, at=at
        )


# The values once, in the WITH; both tables read them from there.
_POSITION_SQL = (
    "WITH v (user_id, lon, lat, accuracy_m, at, on_duty, updated_at) AS ("
    "SELECT %s::bigint, %s::float8, %s::float8, %s::float8, %s::timestamptz, %s::bool, "
    "%s::timestamptz), "
    "latest AS (INSERT INTO dispatch_workerposition "
    "(user_id, lon, lat, accuracy_m, at, on_duty, updated_at) SELECT * FROM v "
    "ON CONFLICT (user_id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, "
    "accuracy_m = excluded.accuracy_m, at = excluded.at, on_duty = excluded.on_duty, "
    "updated_at = excluded.updated_at) "
    f"INSERT INTO {TABLE} (user_id, lon, lat, accuracy_m, at) "
    "SELECT user_id, lon, lat, accuracy_m, at FROM v"
)
