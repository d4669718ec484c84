"""The command line: a monthly briefing without a browser (`python -m cybertrends.briefing`).

::

    python -m cybertrends.briefing --lang es --format pptx --out informe.pptx \
        [--source synthetic] [--from 2024-01] [--to 2025-06] [--region 15 --region Arequipa] \
        [--chart rg_map:metric=count ...] [--title "..."] [--db PATH]

Exit 0 (prints the file and its slide/page count), 2 on a bad argument (names the value and
what was expected), 1 when no chart has data for the filters. Reference data (sources, periods,
regions, crime types) comes from `cybertrends.queries`; the database is opened read-only
through `cybertrends.db`. Heavy libraries (plotly, python-pptx, reportlab) are imported where
they are used, so a bad command line fails fast.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from cybertrends import i18n, paths, queries
from cybertrends.briefing.images import Images
from cybertrends.briefing.output import FORMATS, render_counted
from cybertrends.briefing.pack import STANDARD_PACK, Pack, build_charts, default_title, registered, short_error
from cybertrends.db import open_read_only
from cybertrends.filters import Filters


class ArgumentError(ValueError):
    """A bad command-line value (exit code 2)."""


default_source = queries.default_source  # one rule, shared with the dashboard


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.lower().replace("-", " ").split())


def parse_period(text: str, grain: str, end: bool, lang: str, option: str) -> date:
    """'YYYY-MM' (monthly sources; 'YYYY' = January or December of that year) or 'YYYY'."""
    value = text.strip()
    year_only = re.fullmatch(r"(\d{4})", value)
    month = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if grain == "year":
        if not year_only:
            raise ArgumentError(i18n.t("br_cli_bad_year", lang, option=option, value=text))
        return date(int(value), 1, 1)
    if year_only:
        return date(int(value), 12 if end else 1, 1)
    if month and 1 <= int(month.group(2)) <= 12:
        return date(int(month.group(1)), int(month.group(2)), 1)
    raise ArgumentError(i18n.t("br_cli_bad_month", lang, option=option, value=text))


def resolve_region(text: str, regions: Sequence[tuple[str, str]], lang: str) -> str:
    """A region by 2-digit INEI code ("04", "4") or name ("Junín", "junin"); `regions` are
    (code, name) pairs."""
    value = text.strip()
    codes = {code for code, _ in regions}
    if value.isdigit() and value.zfill(2) in codes:
        return value.zfill(2)
    names = {_fold(name): code for code, name in regions}
    if _fold(value) in names:
        return names[_fold(value)]
    expected = ", ".join(f"{code} {name}" for code, name in regions)
    raise ArgumentError(i18n.t("br_cli_bad_region", lang, value=text, expected=expected))


def _parse_chart(text: str, lang: str) -> tuple[str, dict]:
    """'rg_map' or 'rg_map:metric=count,other=1'."""
    chart_id, _, rest = text.partition(":")
    options: dict[str, Any] = {}
    for part in filter(None, rest.split(",")):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ArgumentError(i18n.t("br_cli_bad_chart_option", lang, value=text))
        options[key.strip()] = value.strip()
    return chart_id.strip(), options


def default_filters(
    con: duckdb.DuckDBPyConnection,
    lang: str = "es",
    source: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    regions: Sequence[str] = (),
) -> Filters:
    """Filters for a command-line pack: the default source (dashboard rule), its full range,
    all Ley 30096 articles, all regions and victim groups. Raises ArgumentError."""
    sources = queries.sources(con).to_dict("records")
    if not sources:
        raise ArgumentError(i18n.t("br_cli_empty_db", lang))
    by_id = {row["source"]: row for row in sources}
    source = source if source is not None else default_source(sources)
    if source not in by_id:
        raise ArgumentError(i18n.t("br_cli_bad_source", lang, value=source, expected=", ".join(by_id)))
    info = by_id[source]
    grain = info["period_grain"]
    first, last = queries.period_bounds(con, source)  # a listed source has counts
    start = parse_period(period_from, grain, False, lang, "--from") if period_from else first
    end = parse_period(period_to, grain, True, lang, "--to") if period_to else last
    shown = (lambda d: str(d.year)) if grain == "year" else (lambda d: f"{d.year:04d}-{d.month:02d}")
    for option, value in (("--from", start), ("--to", end)):
        if not first <= value <= last:
            raise ArgumentError(i18n.t("br_cli_out_of_range", lang, option=option, value=shown(value),
                                        first=shown(first), last=shown(last), source=source))
    if start > end:
        raise ArgumentError(i18n.t("br_cli_from_after_to", lang, start=shown(start), end=shown(end)))
    region_rows = list(queries.regions(con)[["region_code", "region_name"]].itertuples(index=False, name=None))
    codes = tuple(dict.fromkeys(resolve_region(r, region_rows, lang) for r in regions))
    crimes = queries.crimes(con)
    crimes = tuple(crimes.loc[crimes["is_ley_30096"], "crime_code"])
    return Filters(source=source, period_from=start, period_to=end, grain=grain, regions=codes,
                   crimes=crimes, lang=lang)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cybertrends.briefing",
        description="Build a briefing pack (PowerPoint or PDF) without opening a browser. "
        "Without --chart: the standard pack (overview trend, crime types, regions map and ranking, "
        "at-risk groups).",
    )
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG, help="language (default es)")
    parser.add_argument("--format", choices=FORMATS, help="pptx or pdf (default: from the --out extension)")
    parser.add_argument("--out", required=True, help="output file")
    parser.add_argument("--source", help="data source id (default: a real source with 2+ years, else synthetic)")
    parser.add_argument("--from", dest="period_from", metavar="PERIOD",
                        help="first period: YYYY-MM (monthly source) or YYYY (yearly); default: first with data")
    parser.add_argument("--to", dest="period_to", metavar="PERIOD", help="last period (same format); default: last")
    parser.add_argument("--region", action="append", default=[],
                        help="region: 2-digit INEI code or name (repeatable); default: whole country")
    parser.add_argument("--chart", action="append", default=[], metavar="ID[:key=value,...]",
                        help="a chart id with options, e.g. rg_map:metric=count (repeatable); default: standard pack")
    parser.add_argument("--title", help="pack title (default from the catalogue)")
    parser.add_argument("--db", help="database file (default: cybertrends.paths.db_path())")
    return parser


def _stop_export_browser() -> None:
    """Stop the export browser before the interpreter exits (a command line run is over), so
    its temporary profile is not removed while Chromium is still writing to it."""
    if "cybertrends.export" in sys.modules:
        sys.modules["cybertrends.export"].shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build a briefing pack and write it to `--out`; returns 0, 1 when no chart has data, 2
    on a bad argument or database."""
    args = _parser().parse_args(argv)
    lang = args.lang
    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    err = sys.stderr
    try:
        if fmt not in FORMATS:
            raise ArgumentError(i18n.t("br_cli_bad_format", lang, value=args.out))
        if not out.parent.exists():
            raise ArgumentError(i18n.t("br_cli_bad_out", lang, value=str(out.parent)))
        db = Path(args.db) if args.db else paths.db_path()
        if not db.is_file():
            raise ArgumentError(i18n.t("br_cli_no_db", lang, value=str(db)))
        try:
            con = open_read_only(db)
        except duckdb.Error as error:
            raise ArgumentError(i18n.t("br_cli_bad_db", lang, value=str(db), error=short_error(error))) from None
        try:
            f = default_filters(con, lang, args.source, args.period_from, args.period_to, args.region)
            items = [_parse_chart(text, lang) for text in args.chart] or list(STANDARD_PACK)
            known = registered()
            unknown = [chart_id for chart_id, _ in items if chart_id not in known]
            if args.chart and unknown:
                raise ArgumentError(i18n.t("br_cli_bad_chart", lang, value=unknown[0], expected=", ".join(sorted(known))))
            images = Images("map" if fmt == "pptx" else "all")
            try:
                specs, skipped = build_charts(con, f, items, on_spec=images.prefetch)
                if not specs:
                    print(i18n.t("br_cli_nothing", lang), file=err)
                    for item in skipped:
                        print(f"  - {item.text(lang)}", file=err)
                    return 1
                pack = Pack((args.title or "").strip() or default_title(lang), lang, specs, skipped)
                data, count = render_counted(pack, fmt, images)
            finally:
                images.close()
                _stop_export_browser()
        finally:
            con.close()
    except ArgumentError as error:
        print(f"{i18n.t('br_cli_error', lang)}: {error}", file=err)
        return 2
    out.write_bytes(data)
    unit = i18n.t("br_cli_slides" if fmt == "pptx" else "br_cli_pages", lang, n=count)
    print(f"{out} ({unit})")
    for item in skipped:
        print(f"  - {item.text(lang)}", file=err)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
