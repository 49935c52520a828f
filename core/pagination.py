"""A paginator that never counts a large table to the end."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Up to this many rows the count is exact; beyond, it is PostgreSQL's estimate.
EXACT_COUNT_UP_TO = 10_000


class EstimatedCountPaginator(Paginator):
    """For the admin's change lists of large tables. The count reads at most EXACT_COUNT_UP_TO + 1 rows
    (``COUNT(*)`` over a LIMIT); when there are more, the total is PostgreSQL's estimate:
    ``pg_class.reltuples`` (kept by ANALYZE and autovacuum) without a filter, the planner's row
    estimate with one. So a page load reads one page of rows, not the whole table, and "1,000,000
    claims" may be off by a few percent. Elsewhere than PostgreSQL the count stays exact."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        bounded = queryset.order_by()[: EXACT_COUNT_UP_TO + 1].count()
        if bounded <= EXACT_COUNT_UP_TO:
            return bounded
        estimate = self._estimate()
        if estimate is None:
            return super().count
        return max(estimate, bounded)

    def _estimate(self) -> int | None:
        queryset = self.object_list.order_by()
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            if not queryset.query.where and not queryset.query.distinct:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
                if row and row[0] is not None and row[0] >= 0:
                    return int(row[0])
            sql, params = queryset.values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


class ProbingPaginator(Paginator):
    """Pages of ``object_list`` (a queryset) that count only when they must.

    The first page is read with one row more than it shows: if that row is not there, the total is the
    rows read, and no COUNT runs (a search, a small company). Otherwise the total is counted on
    ``count_queryset`` (the same filter without the joins and columns the rows need; default
    ``object_list``), and the first page is the rows already read. ``known_count``, when the caller
    has the total already, skips both.
    """

    def __init__(self, object_list, per_page, *, count_queryset=None, known_count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_queryset = count_queryset if count_queryset is not None else object_list
        self.known_count = known_count
        self._first = None

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            # Counted elsewhere (a tally): the pages read only their own rows.
            return self.known_count
        probe = list(self.object_list[: self.per_page + 1])
        self._first = probe[: self.per_page]
        if len(probe) <= self.per_page:
            return len(probe)
        return self.count_queryset.order_by().count()

    def page(self, number):
        number = self.validate_number(number)
        if number == 1 and self._first is not None:
            return self._get_page(self._first, 1, self)
        return super().page(number)
