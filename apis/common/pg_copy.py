"""Bulk writes to PostgreSQL with COPY, the fastest way in (psycopg2 connections only).

Ids are taken from the table's sequence first, so the caller knows each new row's id in row
order without RETURNING (which COPY lacks). Other writers may take numbers in between, as
with any insert.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """COPY `rows` (values in `columns` order) into `table`; return their new ids in order.

    `table` and `columns` are the caller's constants, never input. Values go as CSV: quoting
    covers commas, quotes and newlines; None is written unquoted, which COPY reads as NULL.
    Raises the driver's error (e.g. psycopg2.errors.UniqueViolation) as COPY does: all rows
    or none.
    """
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS id "
        "FROM generate_series(1, %s) ORDER BY id",
        (table, len(rows)),
    )
    ids = [row[0] for row in cursor.fetchall()]
    data = io.StringIO()
    csv.writer(data).writerows((i, *row) for i, row in zip(ids, rows, strict=True))
    data.seek(0)
    cursor.copy_expert(
        f"COPY {table} (id, {', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
        data,
    )
    return ids
