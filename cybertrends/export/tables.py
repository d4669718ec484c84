"""The data behind a chart as CSV and XLSX, and the one guard against spreadsheet formula injection.

`neutralise` is the only place that decides which text a spreadsheet would run as a formula;
CSV, XLSX and the dashboard's own tables (`neutralise_table`, used by ui.dataframe) all call it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from cybertrends import i18n
from cybertrends.chartspec import ChartSpec
from cybertrends.disclosure import RECORD_LEVEL_SOURCES

__all__ = ["neutralise", "neutralise_table", "provenance_columns", "to_csv", "to_xlsx"]

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Stop spreadsheet formula injection: text starting with = + - @ tab or CR gets a leading "'".

    Non-text values (numbers, dates, None) are returned unchanged, so -3.5 stays a number while
    the text "-3.5%" becomes "'-3.5%".
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` whose text cells went through `neutralise`; numbers, dates and names unchanged."""
    shown = table.copy()
    for column in shown.columns:
        dtype = shown[column].dtype
        if getattr(dtype, "kind", "O") in "OUS" or str(dtype) in ("str", "string"):
            shown[column] = [neutralise(value) for value in shown[column]]
    return shown


def _plain(value: Any) -> Any:
    """A cell value as a plain Python object: None for missing, int/float/str/bool/date/datetime."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        value = float(value)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    return str(value)


def _export_rows(spec: ChartSpec) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of `spec.export_table()` as plain values, not yet neutralised.

    Where the chart shows a number, the numeric `y` value is exported (a real number in Excel);
    where the number is missing, the display text is exported.
    """
    table = spec.export_table()
    header = [str(column) for column in table.columns]
    rows = [[_plain(value) for value in record] for record in table.itertuples(index=False, name=None)]
    if spec.display_column is not None and spec.y in table.columns:
        position = list(table.columns).index(spec.y)
        numbers = [_plain(value) for value in spec.data[spec.y].tolist()]
        for row, number in zip(rows, numbers):
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                row[position] = number
    return header, rows


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _as_of_text(provenance: dict) -> str:
    as_of = provenance.get("data_as_of")
    return as_of.isoformat() if isinstance(as_of, date) else str(as_of or "")


def provenance_columns(spec: ChartSpec) -> dict[str, Any]:
    """Columns every CSV row carries so the file keeps its provenance when it travels alone.

    Source id, the source's cut date, the database build and the synthetic mark.
    """
    p = spec.provenance or {}
    return {
        "source": p.get("source", ""),
        "data_as_of": _as_of_text(p),
        "build_id": p.get("build_id", ""),
        "synthetic": bool(spec.synthetic),
    }


def to_csv(spec: ChartSpec) -> bytes:
    """The data behind the chart as CSV: UTF-8 with BOM, comma-delimited, header + rows.

    Each row ends with the provenance columns (source, data_as_of, build_id, synthetic).
    Text cells that look like formulas are neutralised.
    """
    header, rows = _export_rows(spec)
    extra = provenance_columns(spec)
    header = header + list(extra)
    rows = [row + list(extra.values()) for row in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        writer.writerow([neutralise(value) if isinstance(value, str) else _csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# Columns whose numbers are labels (years, codes, line numbers): written without separators.
_PLAIN_COLUMNS = ("año", "year", "periodo", "period", "código", "code", "inei", "línea", "line")
# Text that is a number as the page formats it ("1,234", "-3.5", "12.5 %" is not: it stays text).
_NUMBER_TEXT = re.compile(r"[−-]?\d{1,3}(,\d{3})*(\.\d+)?|[−-]?\d+(\.\d+)?")


def _number_of(text: str) -> int | float:
    clean = text.replace(",", "").replace("−", "-")
    number = float(clean)
    return int(number) if "." not in clean and abs(number) < 2**53 else number


def _set_text(cell, text: str) -> None:
    cell.value = text
    cell.data_type = "s"  # a string, never a formula, whatever the first character


def _label(key: str, lang: str) -> str:
    return i18n.t(f"xlsx_{key}", lang)


def _number_format(value: Any, plain: bool) -> str | None:
    """The Excel number format of a non-text cell: dates, plain label numbers, thousands-separated counts."""
    if isinstance(value, datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, date):
        return "yyyy-mm-dd"
    if isinstance(value, bool):
        return None
    if plain:
        return "0"
    if isinstance(value, int):
        return "#,##0"
    if isinstance(value, float):
        return "#,##0.0##"
    return None


def _write_table(sheet, header: list[str], rows: list[list[Any]], bold) -> None:
    """Sheet 1: bold header, numbers as numbers, text as text (neutralised), sized columns, frozen header."""
    from openpyxl.utils import get_column_letter

    widths = [len(name) for name in header]
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col)
        _set_text(cell, neutralise(name))
        cell.font = bold
    plain = [any(word in name.lower() for word in _PLAIN_COLUMNS) for name in header]
    # A column whose every text cell is a number as the page writes it ("1,234") is a number
    # column shown as text: its cells go into the sheet as numbers. Other text stays text.
    numeric_text = [
        all(v is None or not isinstance(v, str) or _NUMBER_TEXT.fullmatch(v) for v in column)
        and any(isinstance(v, str) for v in column)
        for column in zip(*rows)
    ] if rows else [False] * len(header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if value is None:
                continue
            if isinstance(value, str) and numeric_text[c - 1] and not plain[c - 1]:
                value = _number_of(value)  # "1,234" shown on the page is a number in the sheet
            if isinstance(value, str):
                _set_text(cell, neutralise(value))
            else:
                cell.value = value
                number_format = _number_format(value, plain[c - 1])
                if number_format:
                    cell.number_format = number_format
            widths[c - 1] = max(widths[c - 1], len(_csv_text(value)))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"


def _metadata_entries(spec: ChartSpec, lang: str, stamp: str) -> list[tuple[str, str]]:
    """Sheet 2's rows: title, subtitle, source, synthetic mark, provenance, caveats, chart and export time."""
    entries: list[tuple[str, str]] = [
        (_label("title", lang), spec.title),
        (_label("subtitle", lang), spec.subtitle),
        (_label("source", lang), spec.source_line),
        (_label("synthetic", lang), spec.synthetic_mark if spec.synthetic else _label("no", lang)),
    ]
    p = spec.provenance or {}
    if p:
        entries += [
            (_label("source_id", lang), p.get("source", "")),
            (_label("data_as_of", lang), _as_of_text(p)),
            (_label("build_id", lang), p.get("build_id", "")),
            (_label("filters", lang), p.get("filters", "")),
            (_label("link", lang), p.get("link", "")),
        ]
    entries += [(_label("note", lang), note) for note in spec.notes]
    if p.get("source") in RECORD_LEVEL_SOURCES:
        entries.append((_label("protection", lang), i18n.t("disclosure_note", lang)))
    entries += [(_label("chart", lang), spec.chart_id), (_label("exported", lang), stamp)]
    return entries


def _write_metadata(meta, entries: list[tuple[str, str]], synthetic_key: str | None, bold) -> None:
    """Sheet 2: a bold Field/Value table; the synthetic mark in red when the data are synthetic."""
    from openpyxl.styles import Font

    for r, (key, value) in enumerate(entries, start=2):
        key_cell = meta.cell(row=r, column=1)
        _set_text(key_cell, neutralise(key))
        key_cell.font = bold
        value_cell = meta.cell(row=r, column=2)
        _set_text(value_cell, neutralise(str(value or "")))
        if key == synthetic_key:
            value_cell.font = Font(bold=True, color="C0392B")
    meta.column_dimensions["A"].width = 20
    meta.column_dimensions["B"].width = min(max((len(str(v or "")) for _, v in entries), default=20) + 2, 100)


def to_xlsx(spec: ChartSpec, exported_at: datetime | None = None) -> bytes:
    """The data behind the chart as an Excel workbook.

    Sheet 1: the table (bold header, numbers as numbers). Sheet 2
    ("Metadatos"/"Metadata"): title, subtitle, source line, synthetic mark, provenance, notes,
    export time.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = i18n.lang_or_default(spec.lang)
    header, rows = _export_rows(spec)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _label("synthetic_sheet" if spec.synthetic else "data_sheet", lang)
    bold = Font(bold=True)
    _write_table(sheet, header, rows, bold)

    meta = workbook.create_sheet(_label("meta_sheet", lang))
    for col, name in enumerate((_label("field", lang), _label("value", lang)), start=1):
        cell = meta.cell(row=1, column=col)
        _set_text(cell, name)
        cell.font = bold
    stamp = (exported_at or datetime.now().astimezone()).isoformat(timespec="seconds")
    synthetic_key = _label("synthetic", lang) if spec.synthetic else None
    _write_metadata(meta, _metadata_entries(spec, lang, stamp), synthetic_key, bold)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
