"""What every open-data table shares: a documented column, and CSV as a spreadsheet opens it.

The cells CSV, the SQLite tables, quality.csv and the data page describe their columns with
``ColumnDoc``; every CSV is UTF-8 with a BOM (so that Excel reads the Chinese text) and CRLF
line ends (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BOM = "\ufeff"


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str  # Frictionless / SQLite type word
    description: str


def csv_rows(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text (CRLF line ends), no BOM: for fragments joined after one header."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A whole CSV file: BOM, header, rows."""
    return (BOM + csv_rows([header, *rows])).encode("utf-8")


def csv_head(columns: Sequence[ColumnDoc]) -> bytes:
    """The start of a CSV file written in pieces: BOM and the header line."""
    return (BOM + csv_rows([[c.name for c in columns]])).encode("utf-8")


def insert_statement(table: str, columns: Sequence[ColumnDoc]) -> str:
    """INSERT of one full row, with a placeholder per documented column."""
    return f"INSERT INTO {table} VALUES ({','.join('?' * len(columns))})"
