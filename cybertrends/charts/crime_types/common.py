"""Shared by the crime-types charts: years and spans and their names, the unspecified-article caveat
(S/Art), crime labels and the bar and legend layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts.base import PALETTE, Context, style, vrect
from cybertrends.charts.figure import Figure

TOP_N = 6  # crime types (or modalities) drawn as their own line / stack; the rest is grouped


LEGEND_MAX = 32  # characters of a crime name in a legend (full name in hover and table)


AXIS_LINE = 32  # characters per line of a crime name on a bar axis (two lines at most)


OTHER = "__other__"


UNKNOWN = "unknown"


UP = "#D55E00"  # more reports (Okabe–Ito vermillion)


DOWN = "#0072B2"  # fewer reports (Okabe–Ito blue)


REFERENCE_LINE = "#52606D"


DISPLAY = "display"


SERIES_COLOURS = [c for c in PALETTE if c != "#F0E442"]  # Okabe–Ito without yellow (faint lines on white)


# Periods -----------------------------------------------------------------------------------
# Which periods are complete, missing or comparable is decided in one place (measures.Periods,
# through Context: ctx.complete_years(), ctx.span(), ctx.periods, ctx.period_name()). This module
# only turns whole years into filter bounds and names periods for the reader.

def _year_bounds(ctx: Context, first: int, last: int) -> tuple[date, date]:
    """`period_from` / `period_to` for whole years in the source's grain."""
    return date(first, 1, 1), date(last, 1, 1) if ctx.f.grain == "year" else date(last, 12, 1)


def _years_filter(ctx: Context, first: int, last: int):
    start, end = _year_bounds(ctx, first, last)
    return ctx.f.with_(period_from=start, period_to=end)


def year_name(ctx: Context, year: int) -> str:
    """A calendar year as the reader should see it: '2023', or '2025 (ene–nov)' when a yearly
    source covers only part of it."""
    return ctx.period_name(date(year, 1, 1)) if ctx.f.grain == "year" else str(year)


def span_name(ctx: Context, start: date | None = None, end: date | None = None) -> str:
    """The selected span with a partial first or last year named as such: '2019–2025 (ene–nov)'.
    Monthly sources: the plain span ('ene 2024–jun 2025')."""
    start, end = start or ctx.f.period_from, end or ctx.f.period_to
    if ctx.f.grain != "year":
        return ctx.period_label(start, end)
    if start.year == end.year:
        return ctx.period_name(start)
    return f"{ctx.period_name(start)}–{ctx.period_name(end)}"


def _subtitle(ctx: Context, start: date | None = None, end: date | None = None, extra: list[str] | None = None) -> str:
    """`ctx.subtitle` with the period named by `span_name` (partial years marked) and any extra
    clauses (comparison, classification caveat) appended."""
    parts = [span_name(ctx, start, end), ctx.filters_label()] + [e for e in (extra or []) if e]
    return " · ".join(parts)


def _span_is_whole_year(ctx: Context, span: measures.Span) -> bool:
    """The span compares whole calendar years (not the same months of two years)."""
    return bool(ctx.periods.complete_years(span.current_from, span.current_end))


def _left_out_notes(ctx: Context, years: list[int]) -> list[str]:
    """Notes on the selected years an index or a compound growth over the complete `years`
    leaves out: a year with no file inside first..last breaks the line (a gap, not a zero);
    years before or after, or covered only in part, are named with their status."""
    notes = []
    missing_years = {p.year for p in ctx.missing_periods()} if ctx.f.grain == "year" else set()
    inside = [y for y in sorted(missing_years) if years and years[0] < y < years[-1]]
    if inside:
        notes.append(ctx.t("note_missing_periods", periods=", ".join(year_name(ctx, y) for y in inside)))
    left_out = [f"{y} ({ctx.t('no_file')})" if y in missing_years else year_name(ctx, y)
                for y in range(ctx.f.period_from.year, ctx.f.period_to.year + 1)
                if y not in years and y not in inside]
    if left_out:
        notes.append(ctx.t("ct_note_complete_years", years=", ".join(left_out),
                           as_of=i18n.fmt_date(min(ctx.coverage["last_date"], ctx.f.period_end), ctx.lang)))
    return notes


# Classification caveat: reports with no article (S/Art) ----------------------------------------

UNSPECIFIED = "S/Art"


UNSPECIFIED_HIGH = 10.0  # % of Ley 30096 reports without an article from which a period is flagged


def ley_codes(ctx: Context) -> tuple[str, ...]:
    """Crime codes of Ley 30096 (articles 2-11, 12-A and S/Art)."""
    return ctx._law_codes[0]  # the shared reference lookup (one per database version)


def unspecified_shares(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """Share (%) of Ley 30096 reports registered without an article (S/Art), per calendar year
    from the period starting `start` to the one starting `end` (source's grain), for the regions
    and victim groups selected, whatever crime types are selected.

    Columns: year, unspecified, total, share. Years without data (no file) have no row. Both
    counts are published cells of their own (S/Art per year; all Ley 30096 per year); `share`
    is NaN when a year's total is 0. Worked out once per selection (the charts of the page share it)."""
    f = ctx.f.with_(period_from=start, period_to=end, crimes=ley_codes(ctx))
    answers = getattr(ctx.con, "answers", None)
    if answers is None:
        return _unspecified_shares(ctx, f)
    return answers.remember(("unspecified_shares", f.with_(lang="es")), lambda: _unspecified_shares(ctx, f)).copy(deep=False)


def _unspecified_shares(ctx: Context, f) -> pd.DataFrame:
    total = _by_year(queries.counts(ctx.con, f, ("period_start",), grain="year", money=False))
    if total.empty:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "unspecified": pd.Series(dtype="float64"),
                             "total": pd.Series(dtype="float64"), "share": pd.Series(dtype="float64")})
    unspecified = _by_year(queries.counts(ctx.con, f.with_(crimes=(UNSPECIFIED,)), ("period_start",), grain="year", money=False))
    by_year_total = dict(zip(total.index.tolist(), total.tolist()))
    by_year_unspecified = dict(zip(unspecified.index.tolist(), unspecified.tolist()))
    years = sorted(by_year_total)
    unspec = [float(by_year_unspecified.get(y, 0.0)) for y in years]
    totals = [float(by_year_total[y]) for y in years]
    return pd.DataFrame({
        "year": np.array(years, dtype="int64"),
        "unspecified": np.array(unspec, dtype="float64"),
        "total": np.array(totals, dtype="float64"),
        "share": np.array([np.nan if t == 0 else measures.share_pct(u, t) for u, t in zip(unspec, totals)], dtype="float64"),
    })


def _by_year(df: pd.DataFrame) -> pd.Series:
    """Published counts by `period_start` (grain year) as a Series indexed by year."""
    years = df["period_start"].to_numpy().astype("datetime64[Y]").astype("int64") + 1970
    return pd.Series(df["report_count"].astype("int64").to_numpy(), index=years, dtype="int64")


@dataclass(frozen=True)
class Caveat:
    """The classification caveat of an article-level chart: the flagged years with their share
    of reports without an article, a short line for the subtitle and a full note."""

    shares: pd.DataFrame  # rows of unspecified_shares() at or above UNSPECIFIED_HIGH
    short: str
    note: str


def unspecified_caveat(ctx: Context, spans: list[tuple[date, date]]) -> Caveat | None:
    """The caveat for a chart built on the periods `spans` ((start, end) pairs in the source's
    grain), or None when the chart shows no Ley 30096 type or no period has a high share
    (UNSPECIFIED_HIGH) of reports without an article."""
    if not set(ctx.f.crimes) & set(ley_codes(ctx)):
        return None
    shares = pd.concat([unspecified_shares(ctx, a, b) for a, b in spans], ignore_index=True)
    shares = shares.drop_duplicates("year").sort_values("year")
    high = shares[shares["share"] >= UNSPECIFIED_HIGH].reset_index(drop=True)
    if high.empty:
        return None
    items = ", ".join(ctx.t("ct_unspecified_item", pct=i18n.fmt_pct(s, ctx.lang), period=year_name(ctx, y))
                      for y, s in zip(high["year"], high["share"]))
    key = "one" if len(high) == 1 else "many"
    return Caveat(
        shares=high,
        short=ctx.t(f"ct_caveat_unspecified_short_{key}", items=items),
        note=ctx.t(f"ct_note_unspecified_{key}", items=items, n=i18n.fmt_num(UNSPECIFIED_HIGH, ctx.lang, 0)),
    )


def _mark_unspecified_years(fig: Figure, ctx: Context, caveat: Caveat | None, years: list[int]) -> None:
    """On a chart by year (category axis `years`): shade the flagged years and write their
    share of reports without an article above the plot, so the figure itself (and its image
    export) carries the caveat."""
    if caveat is None:
        return
    for y, share in zip(caveat.shares["year"], caveat.shares["share"]):
        if y not in years:
            continue
        i = years.index(y)
        vrect(fig, i - 0.5, i + 0.5, fillcolor="#E4E7EB", opacity=0.45, line_width=0, layer="below")
        fig.add_annotation(x=i, y=1, yref="paper", yanchor="bottom", showarrow=False,  # x: category position
                           text=ctx.t("ct_unspecified_mark", pct=i18n.fmt_pct(share, ctx.lang, digits=0)),
                           font=dict(size=11, color=REFERENCE_LINE))
    fig.update_layout(margin=dict(t=44))


# Labels ------------------------------------------------------------------------------------

def short_crime(ctx: Context, code: str, limit: int = LEGEND_MAX) -> str:
    """The crime name for legends: cut to `limit` characters, article kept (full name in hover
    and table)."""
    full = ctx.crime_name(code)
    if len(full) <= limit:
        return full
    name = ctx.crime_name(code, with_article=False)
    suffix = full[len(name):]
    keep = max(limit - len(suffix) - 1, 10)
    return name[:keep].rstrip(" ,;") + "…" + suffix


def axis_crime(ctx: Context, code: str) -> str:
    """The crime name for a bar axis: on up to two lines, article kept whole."""
    full = ctx.crime_name(code)
    name = ctx.crime_name(code, with_article=False)
    return wrap_label(name, full[len(name):].strip())


def wrap_label(name: str, suffix: str = "") -> str:
    """`name` + `suffix` on up to two lines of AXIS_LINE characters; the second line is cut
    with "…" before the suffix (e.g. "(art. 9)") if needed."""
    full = f"{name} {suffix}".strip()
    if len(full) <= AXIS_LINE:
        return full
    words, first = name.split(" ") + ([suffix] if suffix else []), ""
    while words and len(first) + len(words[0]) + (1 if first else 0) <= AXIS_LINE:
        first = f"{first} {words.pop(0)}".strip()
    rest = " ".join(words)
    if len(rest) > AXIS_LINE:
        tail = f" {suffix}" if suffix and rest.endswith(suffix) else ""
        body = rest[: len(rest) - len(tail)]
        rest = body[: max(AXIS_LINE - len(tail) - 1, 8)].rstrip(" ,;") + "…" + tail
    return f"{first}<br>{rest}" if first else rest


def _pct(value, ctx: Context, signed: bool = True) -> str:
    return i18n.fmt_pct(value, ctx.lang, signed=signed)


def _share_text(value, ctx: Context) -> str:
    """A share in %, with tiny non-zero shares written "<0.1 %" rather than "0.0 %"."""
    if value is not None and not pd.isna(value) and 0 < value < 0.05:
        return "<" + i18n.fmt_pct(0.1, ctx.lang)
    return i18n.fmt_pct(value, ctx.lang)


def _ranked(counts: pd.Series) -> list:
    """Codes by count descending, ties by code, for a stable order."""
    return sorted(counts.index, key=lambda c: (-counts[c], str(c)))


def _hbar_layout(fig: Figure, values: pd.Series, n: int, suffix: str = "", top: int = 20,
                 text_room: float = 0.4) -> None:
    """House layout of a horizontal bar chart: height by the number of bars, room for the
    value labels outside the bars (both sides when values are negative), axes that fit."""
    style(fig, height=max(300, min(480, 90 + 34 * n)))
    vals = (values if pd.api.types.is_numeric_dtype(values) else pd.to_numeric(values, errors="coerce")).to_numpy(
        dtype="float64", na_value=np.nan)
    vals = vals[~np.isnan(vals)]
    lo, hi = (min(0.0, float(vals.min())), max(0.0, float(vals.max()))) if len(vals) else (0.0, 1.0)
    width = (hi - lo) or 1.0
    fig.update_layout(hovermode="closest", margin=dict(t=top, r=30, l=10, b=10), bargap=0.25)
    fig.update_xaxes(range=[lo - 1.4 * text_room * width if lo < 0 else 0, hi + text_room * width], ticksuffix=suffix,
                     nticks=5, tickangle=0,
                     showgrid=True, gridcolor="#E4E7EB", zeroline=True, zerolinecolor="#9AA5B1", automargin=True)
    fig.update_yaxes(automargin=True, ticklabelstandoff=12, tickfont=dict(size=12))


def _legend_below(fig: Figure) -> None:
    """A legend under the plot (long crime names do not squeeze the lines); entries wrap."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.1, x=0, xanchor="left"),
                      margin=dict(t=20, b=10, l=10, r=10))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)


# Growth between two equal spans (year-on-year and compound annual growth) -------------------

def _total(ctx: Context, f) -> int:
    """The published total under `f`: a cell of its own (never the sum of published parts)."""
    return int(queries.counts(ctx.con, f, money=False)["report_count"].iloc[0] or 0)
