"""CSV cells a spreadsheet will not run as formulas (CSV/formula injection).

A case id is free text from the input: ``=HYPERLINK("http://…","x")`` in
``decisions.csv`` becomes a live formula when a handläggare opens the file in
Excel or LibreOffice. Following OWASP's guidance, a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading ``'``, which spreadsheets show as text. Numbers are left alone (a
negative number is not text); the JSONL and Parquet outputs are data for
programs and keep values verbatim.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_FORMULA_PATTERN = "^[=+\\-@\t\r]"  # FORMULA_START as a regex character class


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return _QUOTE + value
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every cell of one CSV row through ``safe_cell``."""
    return {key: safe_cell(value) for key, value in row.items()}


def safe_frame(frame: Any) -> Any:
    """A polars frame whose text columns go through the same rule (for ``write_csv``).

    Categorical and enum columns are text in a CSV too, so they are cast and
    checked as well (an ``id`` read from Parquet may be categorical).
    """
    import polars as pl

    texts = [name for name, dtype in frame.schema.items()
             if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))]
    return frame.with_columns(
        pl.when(text.str.contains(_FORMULA_PATTERN)).then(_QUOTE + text).otherwise(text).alias(name)
        for name, text in ((name, pl.col(name).cast(pl.String)) for name in texts))
