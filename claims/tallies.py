"""Housekeeping of the claim-count tally (claims.models.ClaimStatusTally, kept by triggers on claims_claim).

Every statement that changes claims adds delta rows; ``compact_tallies`` folds each (company, status)
back into one row, so ``claims.selectors.status_counts`` reads a handful of rows per company. The sums
never change, and a second run finds nothing to fold.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Max, Sum

from .models import ClaimStatusTally

# Only the (company, status) groups of more than one row, or summing to nothing, are rewritten. The
# DELETE takes the rows of the statement's snapshot: a claim written meanwhile keeps its row (the next
# run folds it), and a second compaction running at once skips the rows the first deleted and never
# sees the rows it inserted, so the sums hold under concurrent writes.
_POSTGRES_COMPACT = """
WITH loose AS (
    SELECT company_id, status FROM {table}
    GROUP BY company_id, status
    HAVING COUNT(*) > 1 OR SUM(delta) = 0
),
gone AS (
    DELETE FROM {table} AS t USING loose
    WHERE t.company_id = loose.company_id AND t.status = loose.status
    RETURNING t.company_id, t.status, t.delta
),
folded AS (
    INSERT INTO {table} (company_id, status, delta)
    SELECT company_id, status, SUM(delta) FROM gone
    GROUP BY company_id, status
    HAVING SUM(delta) <> 0
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM folded)
"""


def compact_tallies() -> int:
    """Fold the tally to one row per (company, status) with claims; how many rows fewer there are."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ClaimStatusTally._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(_POSTGRES_COMPACT.format(table=table))
            return cursor.fetchone()[0]
    # SQLite (one writer at a time): the sums up to the last row read replace those rows.
    with transaction.atomic():
        groups = list(
            ClaimStatusTally.objects.values("company_id", "status")
            .annotate(rows=Count("*"), total=Sum("delta"), last=Max("id"))
            .order_by()
        )
        if all(group["rows"] == 1 and group["total"] != 0 for group in groups):
            return 0
        last = max(group["last"] for group in groups)
        deleted, _ = ClaimStatusTally.objects.filter(id__lte=last).delete()
        folded = ClaimStatusTally.objects.bulk_create(
            ClaimStatusTally(company_id=group["company_id"], status=group["status"], delta=group["total"])
            for group in groups
            if group["total"] != 0
        )
        return deleted - len(folded)
