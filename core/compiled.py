"""Queries compiled once per process: the rows of a page's children, read by a list of ids.

A page of claims reads its lines with one query, ``claim_id IN (…)``. Django builds and compiles that
query on every request, with one placeholder per id; for a page of 25 claims the compiling cost more
than PostgreSQL took to answer. On PostgreSQL the ids go as one array parameter (``= ANY(%s)``), so
the SQL is the same for every page: it is compiled once per process, database and language (a
translated column is chosen by the language) and then only executed. Elsewhere the query runs
through the ORM as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, router
from django.db.models import Field, ForeignObject, Lookup, Model, QuerySet
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
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids])
            return cursor.fetchall()
