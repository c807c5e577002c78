"""Writing plain rows straight into a model's table (and its history table), fast.

executemany on SQLite, COPY on PostgreSQL; each value prepared by its own model field, so what is
stored is exactly what a save would store. Used by the client seed and the sharing seed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

HISTORY_REASON = "synthetic seed"

# Exact field classes whose Python value is already what the database driver takes. Anything else
# (dates, UUIDs, JSON, EncryptedTextField) is prepared by the field itself, as a save would.
_PLAIN_FIELDS: frozenset[type[models.Field[Any, Any]]] = frozenset(
    {
        models.CharField,
        models.EmailField,
        models.SlugField,
        models.TextField,
        models.BooleanField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.AutoField,
        models.BigAutoField,
    }
)


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # set for every concrete field
    return field.column


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]

    def send(self, connection: BaseDatabaseWrapper, rows: list[tuple[Any, ...]]) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: measured over twice as fast as psycopg's pipelined executemany here.
                with cursor.cursor.copy(f"COPY {quote(self.name)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {quote(self.name)} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


class TableWriter:
    """Inserts plain rows (dicts keyed by attribute name) into one model's table, and with them the
    model's "+" history rows, without building model instances.

    bulk_create spends about 10 us per value compiling its SQL and as much again building model
    instances, which held the seed near 250 clients/s on SQLite and PostgreSQL alike. Here each
    value is prepared by its own field's get_db_prep_save (only for fields that transform values:
    dates, UUIDs, JSON, EncryptedTextField) and rows go by executemany (SQLite) or COPY
    (PostgreSQL): about four times faster (docs/benchmarks.md).
    """

    _HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")

    def __init__(self, model: type[models.Model], connection: BaseDatabaseWrapper) -> None:
        meta = model._meta
        assert meta.pk is not None
        self.model = model
        self.connection = connection
        self.pk = meta.pk
        self.auto_pk = isinstance(meta.pk, models.AutoField | models.BigAutoField)
        fields = list(meta.concrete_fields)
        self.attnames = tuple(f.attname for f in fields)
        self.known = frozenset(self.attnames)
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.stamped = frozenset(
            f.attname for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        )
        self.preps = tuple(self._prep(f) for f in fields)
        self.table = _Table(meta.db_table, tuple(_column(f) for f in fields))
        self.history: _Table | None = None
        self.history_label = ""
        records = getattr(model, "history", None)
        if records is not None:
            historical: type[models.Model] = records.model
            by_attname = {f.attname: f for f in historical._meta.concrete_fields}
            wanted = (*self.attnames, *self._HISTORY_COLUMNS)
            missing = [a for a in wanted if a not in by_attname]
            if missing:  # a history table that does not mirror the model would be silently short
                raise AssertionError(f"{historical.__name__} lacks {', '.join(missing)}.")
            self.history = _Table(historical._meta.db_table, tuple(_column(by_attname[a]) for a in wanted))
            self.history_label = historical._meta.label

    def _prep(self, field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        if type(target) in _PLAIN_FIELDS:
            return None
        connection = self.connection
        return lambda value: field.get_db_prep_save(value, connection=connection)

    def prepare(self, attname: str, value: Any) -> Any:
        """A value as insert() would store it in the field `attname`."""
        prep = self.preps[self.attnames.index(attname)]
        return value if prep is None else prep(value)

    def reserve_ids(self, count: int) -> list[int]:
        """Primary keys for rows about to be inserted, so that history rows and follow-ups can cite them."""
        if not count:
            return []
        quote = self.connection.ops.quote_name
        table, pk = self.table.name, _column(self.pk)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
                )
                return [row[0] for row in cursor.fetchall()]
            if self.connection.vendor == "sqlite":
                # The batch's transaction holds SQLite's write lock (BEGIN IMMEDIATE), so nobody else
                # can take these ids. AUTOINCREMENT never reuses an id, hence sqlite_sequence.
                cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")  # noqa: S608
                highest = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                start = max(highest, row[0] if row else 0) + 1
                return list(range(start, start + count))
        raise NotImplementedError("The seed writes to SQLite or PostgreSQL only.")

    def insert(
        self,
        rows: Sequence[Mapping[str, Any]],
        user_ids: Sequence[int | None],
        now: dt.datetime,
        *,
        prepared: frozenset[str] = frozenset(),
    ) -> int:
        """Insert rows and, for a model with history, their history rows. Returns the rows inserted.

        `prepared` names fields whose values the caller already prepared with prepare(), so that a
        value repeated over many rows (a consent's id on each of its scope rows) is prepared once."""
        if not rows:
            return 0
        stamp = self.connection.ops.adapt_datetimefield_value(now)
        # auto_now and auto_now_add fields get the batch's time whatever the row says, as on save.
        plan = [
            (a, None if a in prepared else prep, a in self.stamped)
            for a, prep in zip(self.attnames, self.preps, strict=True)
        ]
        defaults = self.defaults
        values: list[tuple[Any, ...]] = []
        for row in rows:
            unknown = row.keys() - self.known
            if unknown:
                raise ValueError(f"{self.model.__name__} has no field {', '.join(sorted(unknown))}.")
            out: list[Any] = []
            for attname, prep, stamped in plan:
                if stamped:
                    out.append(stamp)
                    continue
                value = row[attname] if attname in row else defaults[attname]
                out.append(value if prep is None else prep(value))
            values.append(tuple(out))
        self.table.send(self.connection, values)
        if self.history is not None:
            # The history row reuses the item's prepared values, ciphertext included: the same
            # value encrypted once, as an item and its first version hold the same value.
            history = [(*v, stamp, HISTORY_REASON, "+", uid) for v, uid in zip(values, user_ids, strict=True)]
            self.history.send(self.connection, history)
        return len(values)


def analyze(writers: Iterable[TableWriter]) -> None:
    """Refresh the query planner's statistics for the tables just filled. Without them SQLite reads
    a client's items through the supplied_by index instead of client's: at 100,000 clients,
    client_record took 143 ms before and 20 ms after (ANALYZE itself took about a second)."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    tables = [t.name for w in writers for t in (w.table, w.history) if t is not None]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
