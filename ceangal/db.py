"""Read queries compiled once, run many times.

A client record read runs about twenty small queries. Building each through the ORM (resolving
lookups, joins, ordering, then compiling SQL) cost several times more than the database took to
answer it: most of a read's time went to Django rebuilding the same SQL text on every request.

`Prepared` builds a `values()` queryset once per database vendor with marker values standing in
for its parameters, keeps the SQL, the parameter slots and the column converters, and then runs
that SQL with the real values. The rows come back as dicts, converted exactly as the ORM would
(dates, UUIDs, JSON, decrypted fields), so callers see the same values as from `.values()`.

Only the SQL text is kept. Nothing read is cached: every call asks the database again.

Parameters must be single values (not lists for `__in`): a list would change the SQL's shape.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

Row = dict[str, Any]
_markers = itertools.count(1)


def _marker(field: models.Field[Any, Any]) -> Any:
    """A value no real query would hold, of the field's type, to find the parameter's slot by."""
    n = next(_markers)
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DateTimeField):
        return dt.datetime(1111, 1, 1, 11, 11, 11, n % 1_000_000, tzinfo=dt.UTC)
    if isinstance(field, models.DateField):
        return dt.date(1111, 1 + n % 12, 1 + n % 28)
    if isinstance(field, models.CharField | models.TextField):
        return f"\x00marker-{n}-{uuid.uuid4().hex}"
    # Integer keys: a value near the top of the field's range (Django finds nothing, without
    # asking the database, for a value outside it).
    low: int | None
    high: int | None
    try:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # not an integer type the backend bounds
        low = high = None
    if high is not None and high < 7_000_000_000:
        return high - n % 997
    if low is not None and low > -7_000_000_000:
        return 7_000_000_000 + n
    return -7_000_000_000 - n


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class Prepared:
    """A `values()` query whose SQL is built once per database vendor.

    `build` receives one keyword argument per parameter and returns a values() queryset;
    `params` maps each parameter name to the model field whose type it has (for its marker and
    for preparing the real value as the ORM would).
    """

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], **params: models.Field[Any, Any]) -> None:
        self._build = build
        self._params = params
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self) -> _Compiled:
        markers = {name: _marker(field) for name, field in self._params.items()}
        queryset = self._build(**markers)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        prepared_markers = {name: self._prep(name, value) for name, value in markers.items()}
        slots = []
        for position, value in enumerate(params):
            for name, marker in prepared_markers.items():
                if type(value) is type(marker) and value == marker:
                    slots.append((position, name))
        missing = set(markers) - {name for _, name in slots}
        if missing:
            raise ValueError(f"Prepared query does not use the parameters {sorted(missing)}.")
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        if not query.values_select:
            raise ValueError("Prepared queries must name their columns with values().")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = tuple(
            (position, tuple(convs), expression)
            for position, (convs, expression) in compiler.get_converters(fields).items()
        )
        return _Compiled(sql, tuple(params), tuple(slots), tuple(names), converters)

    def _prep(self, name: str, value: Any) -> Any:
        field = self._params[name]
        if isinstance(field, models.ForeignKey):
            field = field.target_field
        return field.get_db_prep_value(value, connection, prepared=False)

    def _for_connection(self) -> _Compiled:
        key = connection.vendor
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compile()
                    self._compiled[key] = compiled
        return compiled

    def rows(self, **values: Any) -> list[Row]:
        compiled = self._for_connection()
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = self._prep(name, values[name])
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return [dict(zip(compiled.names, row, strict=True)) for row in self._convert(compiled, fetched)]

    def first(self, **values: Any) -> Row | None:
        found = self.rows(**values)
        return found[0] if found else None

    @staticmethod
    def _convert(compiled: _Compiled, rows: list[tuple[Any, ...]]) -> Iterator[list[Any]] | list[tuple[Any, ...]]:
        if not compiled.converters:
            return rows
        return _converted(compiled, rows)


def _converted(compiled: _Compiled, rows: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
    for row in map(list, rows):
        for position, convs, expression in compiled.converters:
            value = row[position]
            for converter in convs:
                value = converter(value, expression, connection)
            row[position] = value
        yield row
