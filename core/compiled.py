"""Queries compiled once per process: the rows of a page's children, read by a list of ids.

A page of claims reads its lines with one query, ``claim_id IN (…)``. Django builds and compiles that
query on every request, with one placeholder per id; for a page of 25 claims the compiling cost more
than PostgreSQL took to answer. On PostgreSQL the ids go as one array parameter (``= ANY(%s)``), so
the SQL is the same for every page: it is compiled once per process, database and language (a
translated column is chosen by the language) and then only executed. Elsewhere the query runs
through the ORM as before.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Field, ForeignObject, Lookup, Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.utils import translation


class AnyOf(Lookup):
    """``field__any_of=[…]``: ``field = ANY(%s)`` with the list as one array parameter (PostgreSQL)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":  # pragma: no cover - IdsQuery never asks elsewhere
            raise NotImplementedError("any_of needs PostgreSQL")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


# On every field, foreign keys included (they keep lookups of their own).
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)


class IdsQuery:
    """The rows of ``build(lookup, ids)`` (a ``values_list`` queryset filtered on ``{lookup: ids}``),
    with the SQL compiled once per process on PostgreSQL.

    ``build`` must not depend on anything but its arguments and the language: the compiled SQL is
    reused for every call. The rows are what ``values_list`` gives for fields without converters
    (text, numbers, dates, booleans); ``rows()`` refuses a query whose fields need one.
    """

    def __init__(self, model: type[Model], field: str, build: Callable[[str, Any], QuerySet]):
        self.model = model
        self.field = field
        self.build = build
        self._sql: dict[tuple[str, str | None], str] = {}

    def rows(self, ids: Iterable[int]) -> list[tuple]:
        ids = list(ids)
        if not ids:
            return []
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return list(self.build(f"{self.field}__in", ids).using(alias))
        key = (alias, translation.get_language())
        sql = self._sql.get(key)
        if sql is None:
            queryset = self.build(f"{self.field}__any_of", [0])
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters([column[0] for column in compiler.select])
            if list(params) != [[0]] or converters:
                raise ValueError(f"IdsQuery: the query must have one parameter and no converters ({params!r})")
            self._sql[key] = sql
        return fetch_all(alias, sql, [ids])


def fetch_all(alias: str, sql: str, params, *, prepare: bool = True) -> list[tuple]:
    """The rows of SQL compiled once, on PostgreSQL as a prepared statement of the connection.

    Django's cursors bind parameters on the client (psycopg's ClientCursor), so PostgreSQL parses and
    plans every query again: for the API's claim page, planning took as long as answering. A compiled
    query's SQL is the same at every call, so it goes through a cursor that binds on the server,
    prepared on its first call (psycopg keeps the statements of each connection) and planned once: the
    settings make the connection's prepared statements use one generic plan (plan_cache_mode), which
    ``tests/test_query_plans.py`` checks for the pages' queries. A query whose best plan depends on
    its values (``prepare=False``) runs unprepared, planned for its values every time, as do all
    queries where they are being counted or wrapped (tests, DEBUG) and where the settings turn preparing
    off (``OPTIONS: {"prepare_threshold": None}``, behind a pooler that cannot keep prepared statements).
    """
    connection = connections[alias]
    if not prepare or connection.vendor != "postgresql" or connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


class _Constant:
    """A parameter the query itself fixes (``internal=False``), not one of the caller's."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# Stand-ins for the caller's parameters while the query is compiled. The query is compiled twice, with
# two sets of stand-ins: a parameter of the SQL that differs between the two is the caller's, one that
# does not is the query's own constant. Integers stay small, within every integer column's range
# (Django drops a condition whose value a column cannot hold).


_NOTHING = ()


class _Typed:
    """A parameter of the caller's that the SQL receives in a type of the driver's (psycopg's Int2)."""

    __slots__ = ("index", "kind")

    def __init__(self, index, kind):
        self.index, self.kind = index, kind


def _same(value: Any, sentinel: Any) -> bool:
    if type(sentinel) is int:
        return isinstance(value, int) and not isinstance(value, bool) and int(value) == sentinel
    return type(value) is type(sentinel) and value == sentinel


def _sentinel(index: int, param: Any, variant: int) -> Any:
    if type(param) is int:
        return 30_000 + 2 * index + variant
    if type(param) is str:
        return f"\x1eprecompiled-{index}-{variant}\x1e"
    if type(param) is datetime.datetime and param.tzinfo is not None:
        return datetime.datetime(1001 + variant, 1, 1, 0, 0, 0, index, tzinfo=datetime.UTC)
    raise TypeError(f"PrecompiledQuery: a parameter of type {type(param).__name__} (ints, strings, aware datetimes)")


class PrecompiledQuery:
    """Model instances (or ``values()`` dicts) of ``build(*params)``, its SQL compiled once per process,
    database, language and parameter types.

    A page that reads one claim and its lines, attachments, timeline and messages spends more on
    compiling its five queries than PostgreSQL spends answering them. ``build`` takes the caller's
    parameters (integers, strings, aware datetimes) and returns a queryset, with ``select_related`` and ``defer`` as
    usual; it is called once, with stand-in values, and the SQL it compiles to is reused with the
    real ones. The rows become instances as Django's ModelIterable makes them (related objects,
    deferred fields, converters). Only parameters that do not change the SQL's shape may be given:
    ids, codes and moments, not lists or None; every stand-in must reach the SQL (checked when compiling), and the
    query may not prefetch.
    """

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *, prepare: bool = True):
        self.model = model
        self.build = build
        self.prepare = prepare
        self._compiled: dict[tuple[str, str | None, int], tuple] = {}

    def all(self, *params: Any) -> list:
        alias = router.db_for_read(self.model)
        key = (alias, translation.get_language(), tuple(type(param) for param in params))
        plan = self._compiled.get(key)
        if plan is None:
            try:
                plan = self._compile(alias, params)
            except EmptyResultSet:
                plan = _NOTHING  # a query that can find nothing (an empty slice), as the ORM says
            self._compiled[key] = plan
        if plan is _NOTHING:
            return []
        sql, slots, converters, compiler, build_row = plan
        values = tuple(
            params[slot]
            if isinstance(slot, int)
            else slot.value
            if isinstance(slot, _Constant)
            else slot.kind(params[slot.index])
            for slot in slots
        )
        rows = fetch_all(alias, sql, values, prepare=self.prepare)
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return [build_row(row) for row in rows]

    def _compile(self, alias: str, params: tuple) -> tuple:
        arity = len(params)
        first, second = ([_sentinel(index, param, variant) for index, param in enumerate(params)] for variant in (0, 1))
        queryset = self.build(*first)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("PrecompiledQuery: a query that prefetches or knows related objects")
        compiler = queryset.query.get_compiler(using=alias)
        sql, compiled = compiler.as_sql()
        other_sql, other = self.build(*second).query.get_compiler(using=alias).as_sql()
        if other_sql != sql or len(other) != len(compiled):
            raise ValueError("PrecompiledQuery: the SQL's shape depends on the parameters")
        slots: list[int | _Constant | _Typed] = []
        for value, twin in zip(compiled, other, strict=True):
            if type(value) is type(twin) and value == twin:
                slots.append(_Constant(value))
                continue
            index = next((i for i, sentinel in enumerate(first) if _same(value, sentinel)), None)
            if index is None or not _same(twin, second[index]):
                raise ValueError(f"PrecompiledQuery: a parameter the SQL changes ({compiled!r})")
            # psycopg's typed integers (Int2, Int4) that Django gives some columns stay typed.
            slots.append(index if type(value) is type(first[index]) else _Typed(index, type(value)))
        reached = {slot if isinstance(slot, int) else slot.index for slot in slots if not isinstance(slot, _Constant)}
        if reached != set(range(arity)):
            raise ValueError(f"PrecompiledQuery: each parameter must reach the SQL ({compiled!r})")
        select = compiler.select
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        if issubclass(queryset._iterable_class, FlatValuesListIterable):
            return sql, slots, converters, compiler, lambda row: row[0]
        if issubclass(queryset._iterable_class, ValuesListIterable) and not queryset.query.extra_select:
            if len(select) != len(queryset.query.values_select) + len(queryset.query.annotation_select):
                raise ValueError("PrecompiledQuery: a values_list() whose columns are not its fields")
            return sql, slots, converters, compiler, tuple
        if issubclass(queryset._iterable_class, ValuesIterable):
            # As django.db.models.query.ValuesIterable names a values() query's columns.
            query = queryset.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]

            def build_dict(row):
                return dict(zip(names, row, strict=False))

            return sql, slots, converters, compiler, build_dict
        if queryset._iterable_class is not ModelIterable:
            raise ValueError("PrecompiledQuery: model instances, values() or values_list() rows only")
        # As django.db.models.query.ModelIterable reads a compiled query's rows.
        klass_info, annotations = compiler.klass_info, compiler.annotation_col_map
        model_cls = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)

        def build_instance(row):
            obj = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            return obj

        return sql, slots, converters, compiler, build_instance
