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

import psycopg2.errors
from sqlalchemy import Connection

# The sequence is looked up once (MATERIALIZED): pg_get_serial_sequence is only STABLE, so in
# the select list it ran once per row, at five times the cost of the nextval calls.
_RESERVE_IDS = (
    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
    "SELECT nextval(s.seq) AS id FROM s, generate_series(1, %s) ORDER BY id"
)
_SAVEPOINT = "pg_copy_new_rows"


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """COPY `rows` (values in `columns` order) into `table`; return their new ids in order.

    `table` and `columns` are the caller's constants, never input. Values go as CSV: quoting
    covers commas, quotes and newlines; None is written unquoted, which COPY reads as NULL.
    Raises the driver's error (e.g. psycopg2.errors.UniqueViolation) as COPY does: all rows
    or none.
    """
    cursor = _cursor(connection)
    cursor.execute(_RESERVE_IDS, (table, len(rows)))
    return _copy(cursor, table, columns, rows)


def copy_new_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int] | None:
    """As copy_rows, unless a row breaks a unique constraint (a row stored before): then
    nothing is written and the answer is None, with the transaction still usable.

    The savepoint is set in the same round trip as the ids are taken, and left for the
    commit to release: one round trip per batch instead of three.
    """
    cursor = _cursor(connection)
    cursor.execute(f"SAVEPOINT {_SAVEPOINT}; {_RESERVE_IDS}", (table, len(rows)))
    try:
        return _copy(cursor, table, columns, rows)
    except psycopg2.errors.UniqueViolation:
        cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        return None


def _cursor(connection: Connection) -> Any:
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _copy(
    cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    ids = [row[0] for row in cursor.fetchall()]
    data = io.StringIO()
    csv.writer(data).writerows((i, *row) for i, row in zip(ids, rows, strict=True))
    data.seek(0)
    cursor.copy_expert(
        f"COPY {table} (id, {', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
        data,
    )
    return ids
