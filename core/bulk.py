"""Upserts by natural key for the imports: unchanged rows are counted, not written.

On PostgreSQL the rows travel as one array per column, bound server-side
(``unnest``, ``= ANY``): building a model instance and quoting its SQL per
row costs more than the database's own work. Elsewhere the ORM does it.
"""

import psycopg
from django.db import connection, transaction


def _fields(model, names):
    return [model._meta.get_field(name) for name in names]


def _array(field):
    return f"%s::{field.db_type(connection).split('(')[0]}[]"


def stored_rows(model, key, values, first_keys):
    """{key tuple: value tuple} of the stored rows whose first key field is in ``first_keys``, in no order."""
    fields = _fields(model, (*key, *values))
    width = len(key)
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"WHERE {quote(fields[0].column)} = ANY({_array(fields[0])})",
                [list(first_keys)],
            )
            rows = cursor.fetchall()
    else:
        rows = (
            model.objects.filter(**{f"{fields[0].attname}__in": list(first_keys)})
            .order_by()
            .values_list(*(field.attname for field in fields))
        )
    return {tuple(row[:width]): tuple(row[width:]) for row in rows}


def insert_or_update(model, rows, *, key, values):
    """INSERT ... ON CONFLICT (key) DO UPDATE of ``rows``: tuples in the order of ``key`` + ``values``."""
    if not rows:
        return
    fields = _fields(model, (*key, *values))
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**{field.attname: value for field, value in zip(fields, row, strict=True)}) for row in rows],
            update_conflicts=True,
            unique_fields=list(key),
            update_fields=list(values),
        )
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(_array(field) for field in fields)
    conflict = ", ".join(quote(field.column) for field in fields[: len(key)])
    updates = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields[len(key) :])
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
            [list(column) for column in zip(*rows, strict=True)],
        )


def _upsert_postgresql(model, rows, report, *, key, values, stamp):
    """COPY the rows into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE that skips equal rows.

    The database compares the stored values (IS DISTINCT FROM) and says which rows it inserted
    (xmax = 0) and which it updated; every other row was unchanged and not written.
    """
    fields = _fields(model, (*key, *values))
    stamp_fields = _fields(model, stamp or ())
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staging = quote(f"import_{model._meta.db_table}")
    columns = ", ".join(quote(field.column) for field in fields)
    value_columns = [quote(field.column) for field in fields[len(key) :]]
    updates = ", ".join(
        f"{column} = EXCLUDED.{column}" for column in value_columns + [quote(f.column) for f in stamp_fields]
    )
    stored = ", ".join(f"{table}.{column}" for column in value_columns)
    incoming = ", ".join(f"EXCLUDED.{column}" for column in value_columns)
    conflict = ", ".join(quote(field.column) for field in fields[: len(key)])
    stamp_columns = "".join(f", {quote(field.column)}" for field in stamp_fields)
    stamp_values = "".join(", %s" for _field in stamp_fields)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"WITH written AS (INSERT INTO {table} ({columns}{stamp_columns}) "  # noqa: S608
            f"SELECT {columns}{stamp_values} FROM {staging} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates} WHERE ({stored}) IS DISTINCT FROM ({incoming}) "
            "RETURNING xmax = 0 AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written",
            list((stamp or {}).values()),
        )
        created, updated = cursor.fetchone()
    report.created += created
    report.updated += updated
    report.unchanged += len(rows) - created - updated


def upsert(model, rows, report, *, key, values, stamp=None):
    """Write ``rows`` (tuples: the key fields, then the value fields) by natural key, skipping unchanged ones.

    ``stamp`` ({field: value}) is written with every new or changed row, never compared (``updated_at``).
    Counts go to ``report.created``, ``.updated`` and ``.unchanged``. Inside a transaction.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():  # the staging table lives until the commit
            _upsert_postgresql(model, rows, report, key=key, values=values, stamp=stamp)
        return
    width = len(key)
    stored = stored_rows(model, key, values, {row[0] for row in rows})
    changed = []
    for row in rows:
        before = stored.get(tuple(row[:width]))
        if before == tuple(row[width:]):
            report.unchanged += 1
            continue
        if before is None:
            report.created += 1
        else:
            report.updated += 1
        changed.append(row)
    if stamp:
        values = (*values, *stamp)
        changed = [(*row, *stamp.values()) for row in changed]
    insert_or_update(model, changed, key=key, values=values)
