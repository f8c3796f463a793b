"""Tab-separated tables with a header, read as strings with exact line numbers for errors.

Lines starting with `##` (VCF-style meta lines, CADD's banner) are skipped; a header starting with
`#` loses the `#`. Plain, gzip and bgzip inputs (through `reference.textio`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines


def read_tsv(path: str | Path, header: bool = True, n_columns: int | None = None) -> pd.DataFrame:
    """All fields as str (object dtype); column `_line` holds each row's 1-based line number."""
    header_fields: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, line in iter_lines(path):
        if line.startswith("##") or not line.strip():
            continue
        fields = line.split("\t")
        if header and header_fields is None:
            header_fields = [fields[0].lstrip("#"), *fields[1:]]
            continue
        width = len(header_fields) if header_fields is not None else (n_columns or len(fields))
        if len(fields) != width:
            raise InputFormatError(path, f"{len(fields)} tab-separated fields, expected {width}", number)
        rows.append(fields)
        numbers.append(number)
    if header and header_fields is None:
        raise InputFormatError(path, "no header line")
    columns = header_fields if header_fields is not None else [f"c{i}" for i in range(n_columns or 0)]
    if not header and rows and n_columns is None:
        columns = [f"c{i}" for i in range(len(rows[0]))]
    table = pd.DataFrame(rows, columns=columns, dtype=object)
    table["_line"] = numbers
    return table


def require_columns(table: pd.DataFrame, columns: list[str], path: str | Path) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputFormatError(
            path, f"missing column(s) {missing}; found {[c for c in table.columns if c != '_line']}", 1
        )


def numeric(
    table: pd.DataFrame, column: str, path: str | Path, na: tuple[str, ...] = ("NA", "nan", "NaN", "")
) -> pd.Series:
    """A column as float; NA tokens -> NaN; anything else unparsable -> error naming its line."""
    raw = table[column].astype(str)
    values = pd.to_numeric(raw.where(~raw.isin(na)), errors="coerce")
    bad = (values.isna() & ~raw.isin(na)) | values.isin([np.inf, -np.inf])
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        _refuse(table, i, path, f"column {column!r}: {raw.iloc[i]!r} is not a finite number")
    return values.astype(float)


def integer(
    table: pd.DataFrame,
    column: str,
    path: str | Path,
    minimum: int | None = None,
    na: tuple[str, ...] = ("NA", "nan", "NaN", ""),
) -> pd.Series:
    """A column of whole numbers, strictly (decimal digits with an optional '-': '5.7', '1e3' and '19018.9'
    are refused, not truncated), each >= ``minimum``; NA tokens -> NaN (float Series)."""
    raw = table[column].astype(str).str.strip()
    ok = raw.str.fullmatch(r"-?[0-9]+") | raw.isin(na)
    if not ok.all():
        i = int((~ok).to_numpy().nonzero()[0][0])
        _refuse(table, i, path, f"column {column!r}: {raw.iloc[i]!r} is not an integer (decimal digits only)")
    values = pd.to_numeric(raw.where(~raw.isin(na)), errors="coerce").astype(float)
    if minimum is not None and (values < minimum).any():
        i = int((values < minimum).to_numpy().nonzero()[0][0])
        _refuse(table, i, path, f"column {column!r}: {raw.iloc[i]} is below the minimum {minimum}")
    return values


def _refuse(table: pd.DataFrame, i: int, path: str | Path, problem: str) -> None:
    """Raise for row ``i``: by its line, or (rows read through an index, ``_line`` < 1) by its ``_record``."""
    line = int(table["_line"].iloc[i])
    if line < 1 and "_record" in table.columns:
        raise InputFormatError(path, f"record {table['_record'].iloc[i]}: {problem}")
    raise InputFormatError(path, problem, line if line >= 1 else None)
