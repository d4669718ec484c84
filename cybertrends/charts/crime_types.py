"""Crime types page: growth by crime type (index, year-on-year change, compound annual growth),
share of total, and the modality / channel breakdown of record-level sources.

Growth always compares equal spans, as Context decides them (measures.Periods): complete years
only for the index and the compound growth (a year with no file is a gap, a part-year such as
MPFN's Jan-Nov 2025 is left out); for the year-on-year change, ctx.span(): the latest complete
year against the year before, or (monthly sources) the same months a year earlier.

Classification caveat: before 2021 most Ley 30096 reports carry no article ("S/Art"). Every
article-level chart (index, change, compound growth, share) computes that share for the periods
it uses (`unspecified_shares`) and, where it reaches UNSPECIFIED_HIGH, says so in its subtitle
and notes (the index also marks the years on the figure).

Victim protection is not done here: every count comes from `queries`, which publishes each cell
(crime type × year, modality, …) through the cell-key method for record-level sources
(cybertrends/disclosure.py). Each figure shown is a cell queried at its own level: a total is
queried with fewer dimensions and the "other types" line with the crimes filter set to those
types, never added up from (or subtracted from) published parts. Index, growth and shares are
computed from these published counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, PALETTE, Context, style
from cybertrends.chartspec import ChartSpec
from cybertrends.queries_crime_types import recorded_breakdowns

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
    crimes = ctx._crimes  # the shared reference lookup (one per database version)
    return tuple(crimes.index[crimes["is_ley_30096"]])


def unspecified_shares(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """Share (%) of Ley 30096 reports registered without an article (S/Art), per calendar year
    from the period starting `start` to the one starting `end` (source's grain), for the regions
    and victim groups selected, whatever crime types are selected.

    Columns: year, unspecified, total, share. Years without data (no file) have no row. Both
    counts are published cells of their own (S/Art per year; all Ley 30096 per year); `share`
    is NaN when a year's total is 0."""
    empty = pd.DataFrame({"year": pd.Series(dtype="int64"), "unspecified": pd.Series(dtype="float64"),
                          "total": pd.Series(dtype="float64"), "share": pd.Series(dtype="float64")})
    f = ctx.f.with_(period_from=start, period_to=end, crimes=ley_codes(ctx))
    total = _by_year(queries.counts(ctx.con, f, ("period_start",), grain="year"))
    if total.empty:
        return empty
    unspecified = _by_year(queries.counts(ctx.con, f.with_(crimes=(UNSPECIFIED,)), ("period_start",), grain="year"))
    out = pd.DataFrame({"year": total.index.astype("int64")})
    out["unspecified"] = [float(unspecified.get(y, 0.0)) for y in out["year"]]
    out["total"] = [float(total[y]) for y in out["year"]]
    out["share"] = [np.nan if t == 0 else measures.share_pct(u, t) for u, t in zip(out["unspecified"], out["total"])]
    return out.sort_values("year").reset_index(drop=True)


def _by_year(df: pd.DataFrame) -> pd.Series:
    """Published counts by `period_start` (grain year) as a Series indexed by year."""
    return pd.Series(df["report_count"].astype("int64").to_numpy(),
                     index=pd.to_datetime(df["period_start"]).dt.year.astype("int64").to_numpy(), dtype="int64")


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


def _mark_unspecified_years(fig: go.Figure, ctx: Context, caveat: Caveat | None, years: list[int]) -> None:
    """On a chart by year (category axis `years`): shade the flagged years and write their
    share of reports without an article above the plot, so the figure itself (and its image
    export) carries the caveat."""
    if caveat is None:
        return
    for y, share in zip(caveat.shares["year"], caveat.shares["share"]):
        if y not in years:
            continue
        i = years.index(y)
        fig.add_vrect(x0=i - 0.5, x1=i + 0.5, fillcolor="#E4E7EB", opacity=0.45, line_width=0, layer="below")
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



def _hbar_layout(fig: go.Figure, values: pd.Series, n: int, suffix: str = "", top: int = 20,
                 text_room: float = 0.4) -> None:
    """House layout of a horizontal bar chart: height by the number of bars, room for the
    value labels outside the bars (both sides when values are negative), axes that fit."""
    style(fig, height=max(300, min(480, 90 + 34 * n)))
    vals = pd.to_numeric(values, errors="coerce").dropna()
    lo, hi = (min(0.0, float(vals.min())), max(0.0, float(vals.max()))) if len(vals) else (0.0, 1.0)
    width = (hi - lo) or 1.0
    fig.update_layout(hovermode="closest", margin=dict(t=top, r=30, l=10, b=10), bargap=0.25)
    fig.update_xaxes(range=[lo - 1.4 * text_room * width if lo < 0 else 0, hi + text_room * width], ticksuffix=suffix,
                     nticks=5, tickangle=0,
                     showgrid=True, gridcolor="#E4E7EB", zeroline=True, zerolinecolor="#9AA5B1", automargin=True)
    fig.update_yaxes(automargin=True, ticklabelstandoff=12, tickfont=dict(size=12))


def _legend_below(fig: go.Figure) -> None:
    """A legend under the plot (long crime names do not squeeze the lines); entries wrap."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.1, x=0, xanchor="left"),
                      margin=dict(t=20, b=10, l=10, r=10))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)


# Index (first complete year = 100) ---------------------------------------------------------

@chart("ct_index")
def ct_index(ctx: Context) -> ChartSpec | None:
    """One line per crime type (top TOP_N by volume, the rest as "other"), complete years only,
    first selected complete year = 100. A year inside the range that is not complete (no file,
    or covered in part) has no value: the line breaks there, it never drops to 0."""
    years = ctx.complete_years()
    if len(years) < 2:
        return None
    first, last = years[0], years[-1]
    axis = list(range(first, last + 1))  # every year, so a gap shows as a break in the line
    gaps = [y for y in axis if y not in years]
    f_years = _years_filter(ctx, first, last)
    by_type = queries.counts(ctx.con, f_years, ("period_start", "crime_code"), grain="year")
    if by_type.empty:
        return None
    by_type["year"] = pd.to_datetime(by_type["period_start"]).dt.year
    by_type = by_type[by_type["year"].isin(years)]
    volume = by_type.groupby("crime_code")["report_count"].sum()
    codes = _ranked(volume[volume > 0])
    if not codes:
        return None
    top = codes if len(codes) <= TOP_N + 1 else codes[:TOP_N]
    series = {code: by_type[by_type["crime_code"] == code].set_index("year")["report_count"] for code in top}
    if len(codes) > len(top):
        # "Other types" is a cell of its own: the counts of the other selected types together.
        others = tuple(c for c in ctx.f.crimes if c not in top)
        series[OTHER] = _by_year(queries.counts(ctx.con, f_years.with_(crimes=others), ("period_start",), grain="year"))
    # A complete year without reports of a type is a zero; a year that is not complete is NaN.
    raw = pd.DataFrame({s: v.reindex(years, fill_value=0).reindex(axis) for s, v in series.items()}).T
    order = list(series)

    y_col = ctx.t("ct_index_col", first=first)
    gap_text = {y: (ctx.period_status(date(y, 1, 1)) if ctx.f.grain == "year" else ctx.t("incomplete").lower()) for y in gaps}
    rows, best, not_computable = [], None, []
    fig = go.Figure()
    for i, s in enumerate(order):
        counts = raw.loc[s].astype("float64")
        idx = measures.index_100(counts)
        name = ctx.t("ct_other") if s == OTHER else ctx.crime_name(s)
        label = ctx.t("ct_other") if s == OTHER else short_crime(ctx, s)
        count_text = [gap_text[y] if y in gap_text else i18n.fmt_int(raw.loc[s, y], ctx.lang) for y in axis]
        idx_text = [gap_text[y] if y in gap_text else (ctx.t("ct_nd") if pd.isna(v) else i18n.fmt_num(v, ctx.lang, 0))
                    for y, v in zip(axis, idx)]
        for y, v, c, it in zip(axis, idx, counts, idx_text):
            rows.append({ctx.t("year"): str(y), ctx.t("crime_type"): name, y_col: None if pd.isna(v) else round(float(v), 1),
                         ctx.t("reports"): c, DISPLAY: it})
        if idx.isna().all():
            not_computable.append(name)
            continue
        if s != OTHER and raw.loc[s, first] >= measures.MIN_BASE and not pd.isna(idx[last]):
            if best is None or idx[last] > best[1]:
                best = (s, float(idx[last]))
        colour = MUTED if s == OTHER else SERIES_COLOURS[i % len(SERIES_COLOURS)]
        fig.add_scatter(
            x=[str(y) for y in axis], y=idx, name=label, mode="lines+markers", connectgaps=False,
            line=dict(color=colour, width=2 if s == OTHER else 3, dash="dash" if s == OTHER else "solid"),
            marker=dict(size=7), customdata=list(zip(idx_text, count_text)),
            hovertemplate=f"{ctx.t('ct_index')} %{{customdata[0]}} · %{{customdata[1]}} {ctx.t('ct_reports_lower')}<extra>{label}</extra>",
        )
    if not fig.data:
        return None
    fig.add_hline(y=100, line=dict(color=REFERENCE_LINE, width=1, dash="dot"))
    style(fig, y_title=ctx.t("ct_index_axis", first=first), height=460)
    fig.update_xaxes(type="category")
    _legend_below(fig)
    start, end = _year_bounds(ctx, first, last)
    caveat = unspecified_caveat(ctx, [(start, end)])
    _mark_unspecified_years(fig, ctx, caveat, axis)

    base_flagged = caveat is not None and first in set(int(y) for y in caveat.shares["year"])
    if best is None or base_flagged:
        # A base year with many reports without an article would make any type's rise look
        # steep (its reports were then filed as S/Art): no "grew the most" headline then.
        title = ctx.t("ct_index_title_plain", first=first, last=last)
    else:
        key = "ct_index_title_up" if best[1] >= 100 else "ct_index_title_down"
        title = ctx.t(key, crime=ctx.crime_name(best[0]), idx=i18n.fmt_num(best[1], ctx.lang, 0), first=first, last=last)

    notes = ctx.notes()
    if caveat:
        notes.append(caveat.note)
    notes += _left_out_notes(ctx, years)
    if OTHER in order:
        notes.append(ctx.t("ct_note_top", n=len(top)))
    notes.append(ctx.t("ct_note_index_base", n=measures.MIN_BASE, first=first))
    if not_computable:
        notes.append(ctx.t("ct_note_index_nd", names="; ".join(not_computable), first=first))
    notes += ctx.cell_key_notes()
    return ChartSpec(
        chart_id="ct_index", kind="line", title=title,
        subtitle=_subtitle(ctx, start, end, [caveat.short if caveat else None]),
        source_line=ctx.source_line(start, end), figure=fig, data=pd.DataFrame(rows), x=ctx.t("year"), y=y_col,
        series=ctx.t("crime_type"), lang=ctx.lang, synthetic=ctx.synthetic, display_column=DISPLAY,
        notes=notes, y_format="index",
    )


# Growth between two equal spans (year-on-year and compound annual growth) -------------------

def _total(ctx: Context, f) -> int:
    """The published total under `f`: a cell of its own (never the sum of published parts)."""
    return int(queries.counts(ctx.con, f)["report_count"].iloc[0] or 0)


def growth_table(ctx: Context, base_f, last_f, years: int) -> pd.DataFrame:
    """Per crime type: base and last counts (published cells), growth (CAGR over `years` years,
    which for one year is the plain change), whether the base is large enough to rank, and why
    a growth is missing. Plus a final row for the total (code None), from the totals of the two
    spans queried as cells of their own."""
    b = queries.counts(ctx.con, base_f, ("crime_code",)).set_index("crime_code")["report_count"]
    last = queries.counts(ctx.con, last_f, ("crime_code",)).set_index("crime_code")["report_count"]
    both = b.add(last, fill_value=0)
    codes = sorted((c for c in both.index if both[c] > 0), key=str)  # the chart orders by growth

    def row(code, b_n: int, l_n: int):
        growth, reason = None, ""
        if b_n == 0:
            reason = ctx.t("ct_reason_zero_base")
        else:
            growth = measures.growth_pct(l_n, b_n) if years == 1 else measures.cagr_pct(b_n, l_n, years)
            if b_n < measures.MIN_BASE:
                reason = ctx.t("ct_reason_small_base", n=measures.MIN_BASE)
        return {
            "code": code, "is_total": code is None, "base": float(b_n), "last": float(l_n),
            "base_display": i18n.fmt_int(b_n, ctx.lang), "last_display": i18n.fmt_int(l_n, ctx.lang),
            "growth": growth, "reliable": growth is not None and b_n >= measures.MIN_BASE, "reason": reason,
        }

    out = [row(c, int(b.get(c, 0)), int(last.get(c, 0))) for c in codes]
    total = row(None, _total(ctx, base_f), _total(ctx, last_f))
    df = pd.DataFrame(out + [total])
    df["growth"] = pd.to_numeric(df["growth"], errors="coerce")
    return df


def _growth_chart(ctx: Context, chart_id: str, table: pd.DataFrame, *, y_col: str, base_label: str,
                  last_label: str, title: str, subtitle: str, notes: list[str], source_line: str) -> ChartSpec:
    types = table[~table["is_total"]]
    total = table[table["is_total"]].iloc[0]
    shown = types[types["growth"].notna()].sort_values("growth", kind="stable")
    colours = [MUTED if not r else (UP if g >= 0 else DOWN) for g, r in zip(shown["growth"], shown["reliable"])]
    fig = go.Figure()
    fig.add_bar(
        y=[axis_crime(ctx, c) for c in shown["code"]], x=shown["growth"], orientation="h", marker_color=colours,
        text=[_pct(g, ctx) for g in shown["growth"]], textposition="outside", cliponaxis=False,
        customdata=list(zip([ctx.crime_name(c) for c in shown["code"]], shown["base_display"], shown["last_display"])),
        hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{base_label}: %{{customdata[1]}}<br>"
                       f"{last_label}: %{{customdata[2]}}<br>%{{text}}<extra></extra>"),
        showlegend=False,
    )
    if pd.notna(total["growth"]):
        fig.add_vline(x=float(total["growth"]), line=dict(color=REFERENCE_LINE, width=1.5, dash="dash"),
                      annotation_text=ctx.t("ct_total_line", pct=_pct(total["growth"], ctx)),
                      annotation_position="top", annotation_font_size=12)
    _hbar_layout(fig, shown["growth"], len(shown), suffix=" %", top=40)

    nd = types[types["growth"].isna()]
    if not nd.empty:
        notes.append(ctx.t("ct_note_nd", names="; ".join(ctx.crime_name(c) for c in nd["code"])))
    if (~shown["reliable"]).any():
        notes.append(ctx.t("ct_note_small_base", n=measures.MIN_BASE))
    notes += ctx.cell_key_notes()

    ordered = pd.concat([types.sort_values("growth", ascending=False, na_position="last", kind="stable"),
                         table[table["is_total"]]])
    data = pd.DataFrame({
        ctx.t("crime_type"): [ctx.t("ct_total") if t else ctx.crime_name(c) for c, t in zip(ordered["code"], ordered["is_total"])],
        ctx.t("ct_reports_in", period=base_label): ordered["base"].astype("float64"),
        ctx.t("ct_reports_in", period=last_label): ordered["last"].astype("float64"),
        y_col: ordered["growth"].round(1),
        DISPLAY: [_pct(g, ctx) if pd.notna(g) else ctx.t("ct_nd") for g in ordered["growth"]],
        ctx.t("ct_col_note"): ordered["reason"],
    })
    return ChartSpec(
        chart_id=chart_id, kind="hbar", title=title, subtitle=subtitle, source_line=source_line,
        figure=fig, data=data.reset_index(drop=True), x=ctx.t("crime_type"), y=y_col, lang=ctx.lang,
        synthetic=ctx.synthetic, display_column=DISPLAY, notes=notes, y_format="percent",
    )


def _growth_title(ctx: Context, table: pd.DataFrame, prefix: str, **values) -> str:
    ranked = table[~table["is_total"] & table["reliable"]].sort_values("growth", ascending=False, kind="stable")
    if ranked.empty:
        return ctx.t(f"{prefix}_title_plain", **values)
    top = ranked.iloc[0]
    key = f"{prefix}_title_up" if top["growth"] >= 0 else f"{prefix}_title_down"
    return ctx.t(key, crime=ctx.crime_name(top["code"]), pct=_pct(top["growth"], ctx), **values)


@chart("ct_yoy")
def ct_yoy(ctx: Context) -> ChartSpec | None:
    """Change (%) per crime type: the latest complete span against the same span a year earlier
    (ctx.span(): for the MPFN series 2023 against 2022, never the partial 2025 nor the missing
    2024)."""
    span = ctx.span()
    if span is None:
        return None
    cur_f = ctx.f.with_(period_from=span.current_from, period_to=span.current_to)
    prev_f = ctx.f.with_(period_from=span.previous_from, period_to=span.previous_to)
    cur_label = i18n.fmt_span(span.current_from, span.current_to, span.grain, ctx.lang)
    prev_label = i18n.fmt_span(span.previous_from, span.previous_to, span.grain, ctx.lang)
    table = growth_table(ctx, prev_f, cur_f, years=1)
    if table.loc[~table["is_total"], "growth"].isna().all():
        return None
    caveat = unspecified_caveat(ctx, [(span.previous_from, span.previous_to), (span.current_from, span.current_to)])
    notes = ctx.notes()
    if caveat:
        notes.append(caveat.note)
    if _span_is_whole_year(ctx, span):
        extra = ctx.t("ct_vs", prev=prev_label)
    else:
        extra = ctx.t("ct_vs_same_months", prev=prev_label)
        notes.append(ctx.t("ct_note_same_months", year=span.current_to.year, cur=cur_label, prev=prev_label))
    title = _growth_title(ctx, table, "ct_yoy", period=cur_label, prev=prev_label)
    return _growth_chart(ctx, "ct_yoy", table, y_col=ctx.t("ct_change_col"), base_label=prev_label,
                         last_label=cur_label, title=title,
                         subtitle=_subtitle(ctx, span.current_from, span.current_to, [extra, caveat.short if caveat else None]),
                         notes=notes, source_line=ctx.source_line(span.previous_from, span.current_to))


@chart("ct_cagr")
def ct_cagr(ctx: Context) -> ChartSpec | None:
    """Compound annual growth (%) per crime type between the first and last selected complete
    years (a missing year in between is no obstacle: the growth spans the calendar years)."""
    years = ctx.complete_years()
    if len(years) < 2:
        return None
    first, last = years[0], years[-1]
    table = growth_table(ctx, _years_filter(ctx, first, first), _years_filter(ctx, last, last), years=last - first)
    if table.loc[~table["is_total"], "growth"].isna().all():
        return None
    span = f"{first}–{last}"
    caveat = unspecified_caveat(ctx, [_year_bounds(ctx, first, first), _year_bounds(ctx, last, last)])
    notes = ctx.notes()
    if caveat:
        notes.append(caveat.note)
    notes += _left_out_notes(ctx, years)
    notes.append(ctx.t("ct_note_cagr", first=first, last=last, n=last - first))
    title = _growth_title(ctx, table, "ct_cagr", span=span)
    start, stop = _year_bounds(ctx, first, last)
    return _growth_chart(ctx, "ct_cagr", table, y_col=ctx.t("ct_cagr_col"), base_label=str(first),
                         last_label=str(last), title=title,
                         subtitle=_subtitle(ctx, start, stop, [caveat.short if caveat else None]), notes=notes,
                         source_line=ctx.source_line(start, stop))


# Share of total ----------------------------------------------------------------------------

@chart("ct_share")
def ct_share(ctx: Context) -> ChartSpec | None:
    """Share (%) of each crime type in the reports of the selected period: each type's
    published count over the published total (a cell of its own)."""
    total = _total(ctx, ctx.f)
    if total == 0:
        return None
    cells = queries.counts(ctx.con, ctx.f, ("crime_code",))
    cells = cells[cells["report_count"] > 0].copy()
    cells["share"] = [measures.share_pct(n, total) for n in cells["report_count"]]
    indexed = cells.set_index("crime_code")
    cells = indexed.loc[_ranked(indexed["report_count"])].reset_index()
    shown = cells.iloc[::-1]
    if shown.empty:
        return None
    cells[DISPLAY] = [_share_text(v, ctx) for v in cells["share"]]
    fig = go.Figure()
    fig.add_bar(
        y=[axis_crime(ctx, c) for c in shown["crime_code"]], x=shown["share"], orientation="h", marker_color=ACCENT,
        text=[_share_text(s, ctx) for s in shown["share"]], textposition="outside", cliponaxis=False,
        customdata=list(zip([ctx.crime_name(c) for c in shown["crime_code"]],
                            [i18n.fmt_int(n, ctx.lang) for n in shown["report_count"]])),
        hovertemplate=f"<b>%{{customdata[0]}}</b><br>%{{text}} · %{{customdata[1]}} {ctx.t('ct_reports_lower')}<extra></extra>",
        showlegend=False,
    )
    _hbar_layout(fig, shown["share"], len(shown), suffix=" %")
    top = shown.iloc[-1]
    title = ctx.t("ct_share_title", crime=ctx.crime_name(top["crime_code"]), pct=_pct(top["share"], ctx, signed=False),
                  period=span_name(ctx))
    caveat = unspecified_caveat(ctx, [(ctx.f.period_from, ctx.f.period_to)])
    notes = ctx.notes()
    if caveat:
        notes.append(caveat.note)
    notes += ctx.cell_key_notes()
    missing = ctx.missing_periods()
    if missing:
        notes.append(ctx.t("ct_note_share_missing", periods=", ".join(ctx.period_name(p) for p in missing)))
    for p in measures.period_range(ctx.f.period_from, ctx.f.period_to, ctx.f.grain):
        cover = ctx.periods.get(p)
        if cover is not None and not cover.complete:
            notes.append(ctx.t("note_incomplete", period=ctx.period_name(p),
                               as_of=i18n.fmt_date(cover.covered_to, ctx.lang)))
    y_col = ctx.t("ct_share_col")
    data = pd.DataFrame({
        ctx.t("crime_type"): [ctx.crime_name(c) for c in cells["crime_code"]],
        ctx.t("reports"): cells["report_count"],
        y_col: cells["share"].round(1),
        DISPLAY: cells[DISPLAY],
    }).reset_index(drop=True)
    return ChartSpec(
        chart_id="ct_share", kind="hbar", title=title, subtitle=_subtitle(ctx, extra=[caveat.short if caveat else None]),
        source_line=ctx.source_line(),
        figure=fig, data=data, x=ctx.t("crime_type"), y=y_col, lang=ctx.lang, synthetic=ctx.synthetic,
        display_column=DISPLAY, notes=notes, y_format="percent",
    )


# Modality and channel (record-level sources) ------------------------------------------------

BREAKDOWNS = {
    "modality": {"names": queries.modalities, "label": "ct_modality",
                 "title": "ct_modality_title", "title_none": "ct_modality_title_none", "note_unknown": "ct_note_unknown_modality"},
    "channel": {"names": queries.channels, "label": "ct_channel",
                "title": "ct_channel_title", "title_none": "ct_channel_title_none", "note_unknown": "ct_note_unknown_channel"},
}
# Every recorded value is a series of its own in the stacked view (a pooled "other" group would
# have to be a cell of its own, and the query layer has no modality filter): Okabe–Ito without
# yellow, then Tol's muted colours, so ten modalities stay distinguishable.
BREAKDOWN_COLOURS = SERIES_COLOURS + ["#882255", "#44AA99", "#999933", "#AA4499", "#332288"]


def _breakdown(ctx: Context, dim: str, chart_id: str) -> ChartSpec | None:
    """Reports by modality (or channel) in the selected period: one bar each (whole period), or
    stacked by year (option by_year=1), every recorded value a series of its own. Each count is
    a published cell; shares divide by the published total of the selection (its own cell)."""
    if not recorded_breakdowns(ctx.con, ctx.f.source)[dim]:
        return None
    conf = BREAKDOWNS[dim]
    by_year = bool(int(ctx.options.get("by_year", 0)))
    overall = queries.modality_counts(ctx.con, ctx.f, (dim,))
    overall[dim] = overall[dim].fillna(UNKNOWN)
    overall = overall[overall["report_count"] > 0]
    total = _total(ctx, ctx.f)
    if overall.empty or total == 0:
        return None
    ref = conf["names"](ctx.con).set_index(dim)[f"name_{ctx.lang}"]

    def name(code: str) -> str:
        if code == UNKNOWN:
            return ctx.t("ct_not_recorded")
        return ref.get(code, code)

    known = overall[overall[dim] != UNKNOWN].set_index(dim)
    known = known.loc[_ranked(known["report_count"])].reset_index()
    unknown = overall[overall[dim] == UNKNOWN]
    ordered = pd.concat([known, unknown], ignore_index=True)
    ordered["share"] = [measures.share_pct(n, total) for n in ordered["report_count"]]
    ordered[DISPLAY] = [i18n.fmt_int(n, ctx.lang) for n in ordered["report_count"]]

    if known.empty:
        title = ctx.t(conf["title_none"], period=ctx.period_label())
    else:
        top = known.iloc[0]
        title = ctx.t(conf["title"], name=name(top[dim]), pct=_pct(measures.share_pct(top["report_count"], total), ctx, signed=False),
                      period=ctx.period_label())
    notes = ctx.notes()
    if not unknown.empty:
        notes.append(ctx.t(conf["note_unknown"], pct=_pct(measures.share_pct(unknown["report_count"].iloc[0], total), ctx, signed=False)))
    notes += ctx.cell_key_notes()
    label = ctx.t(conf["label"])
    fig = go.Figure()

    if not by_year:
        shown = ordered.iloc[::-1]
        fig.add_bar(
            y=[wrap_label(name(c)) for c in shown[dim]], x=shown["report_count"], orientation="h",
            marker_color=[MUTED if c == UNKNOWN else ACCENT for c in shown[dim]],
            text=list(shown[DISPLAY]), textposition="outside", cliponaxis=False,
            customdata=list(zip([name(c) for c in shown[dim]], shown[DISPLAY], [_share_text(v, ctx) for v in shown["share"]])),
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}} {ctx.t('ct_reports_lower')} "
                           f"(%{{customdata[2]}})<extra></extra>"), showlegend=False,
        )
        _hbar_layout(fig, shown["report_count"], len(shown), text_room=0.3)
        fig.update_xaxes(tickformat=",d")
        data = pd.DataFrame({
            label: [name(c) for c in ordered[dim]],
            ctx.t("reports"): ordered["report_count"],
            DISPLAY: ordered[DISPLAY],
            ctx.t("ct_share_col"): ordered["share"].round(1),
        })
        return ChartSpec(
            chart_id=chart_id, kind="hbar", title=title, subtitle=ctx.subtitle(), source_line=ctx.source_line(),
            figure=fig, data=data, x=label, y=ctx.t("reports"), lang=ctx.lang, synthetic=ctx.synthetic,
            display_column=DISPLAY, notes=notes, y_format="count",
        )

    # Stacked by year: every known value (most frequent first), "not recorded" last.
    cells = queries.modality_counts(ctx.con, ctx.f, ("period_start", dim), grain="year")
    cells[dim] = cells[dim].fillna(UNKNOWN)
    cells["year"] = pd.to_datetime(cells["period_start"]).dt.year
    cells = cells.set_index([dim, "year"])["report_count"]
    years = list(range(ctx.f.period_from.year, ctx.f.period_to.year + 1))
    groups = list(known[dim])
    groups += sorted(g for g in cells.index.get_level_values(0).unique() if g not in groups and g != UNKNOWN)
    groups += [UNKNOWN] if UNKNOWN in cells.index.get_level_values(0) else []
    complete = set(ctx.complete_years())
    opacity = [1.0 if y in complete else 0.45 for y in years]
    rows = []
    for i, g in enumerate(groups):
        values = [float(cells.get((g, y), 0)) for y in years]
        texts = [i18n.fmt_int(v, ctx.lang) for v in values]
        rows += [{ctx.t("year"): str(y), label: name(g), ctx.t("reports"): v, DISPLAY: t}
                 for y, v, t in zip(years, values, texts)]
        colour = MUTED if g == UNKNOWN else BREAKDOWN_COLOURS[i % len(BREAKDOWN_COLOURS)]
        fig.add_bar(x=[str(y) for y in years], y=values, name=name(g), marker=dict(color=colour, opacity=opacity),
                    customdata=texts, hovertemplate=f"%{{customdata}} {ctx.t('ct_reports_lower')}<extra>{name(g)}</extra>")
    style(fig, y_title=ctx.t("reports"), height=460)
    fig.update_layout(barmode="stack")
    _legend_below(fig)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",d")
    partial = [y for y in years if y not in complete]
    if partial:
        notes.append(ctx.t("ct_note_partial_bars", years=", ".join(str(y) for y in partial),
                           as_of=i18n.fmt_date(min(ctx.coverage["last_date"], ctx.f.period_end), ctx.lang)))
    return ChartSpec(
        chart_id=chart_id, kind="stacked_bar", title=title, subtitle=ctx.subtitle(), source_line=ctx.source_line(),
        figure=fig, data=pd.DataFrame(rows), x=ctx.t("year"), y=ctx.t("reports"), series=label, lang=ctx.lang,
        synthetic=ctx.synthetic, display_column=DISPLAY, notes=notes, y_format="count",
    )


@chart("ct_modality")
def ct_modality(ctx: Context) -> ChartSpec | None:
    """Reports by modality (phishing, vishing, …); option by_year=1 stacks them by year."""
    return _breakdown(ctx, "modality", "ct_modality")


@chart("ct_channel")
def ct_channel(ctx: Context) -> ChartSpec | None:
    """Reports by channel (social network, messaging app, …); option by_year=1 stacks them by year."""
    return _breakdown(ctx, "channel", "ct_channel")


# What the page says instead of a chart it cannot draw -------------------------------------

def notices(ctx: Context) -> dict[str, str | None]:
    """Why a chart cannot be drawn for this source / selection (None when it can).

    Keys: growth (one message replacing index, change and compound growth when none of them is
    possible for this source), ct_index, ct_yoy, ct_cagr, breakdowns (one message when the source
    records neither modality nor channel), ct_modality, ct_channel."""
    cov = ctx.coverage
    source = ctx.source_info[f"name_{ctx.lang}"]
    first, last = cov["first_date"], cov["last_date"]
    coverage = span_name(ctx, measures.period_start_of(first, ctx.f.grain), measures.period_start_of(last, ctx.f.grain))
    src_years = ctx.periods.complete_years(date(first.year, 1, 1), date(last.year, 12, 31))
    sel_years = ctx.complete_years()
    span = ctx.span()
    out: dict[str, str | None] = {"growth": None, "ct_index": None, "ct_yoy": None, "ct_cagr": None}
    if len(src_years) < 2:
        if span is None:
            out["growth"] = ctx.t("ct_msg_source_growth", source=source, coverage=coverage)
        out["ct_index"] = out["ct_cagr"] = ctx.t("ct_msg_source_years", source=source, coverage=coverage)
    elif len(sel_years) < 2:
        out["ct_index"] = out["ct_cagr"] = ctx.t("ct_msg_select_years", period=span_name(ctx), n=len(sel_years))
    if span is None and out["growth"] is None:
        out["ct_yoy"] = _no_span_message(ctx, source, coverage)
    recorded = recorded_breakdowns(ctx.con, ctx.f.source)
    out["ct_modality"] = None if recorded["modality"] else ctx.t("ct_msg_no_modality", source=source)
    out["ct_channel"] = None if recorded["channel"] else ctx.t("ct_msg_no_channel", source=source)
    out["breakdowns"] = None if (recorded["modality"] or recorded["channel"]) else ctx.t("ct_msg_no_breakdowns", source=source)
    return out


def _no_span_message(ctx: Context, source: str, coverage: str) -> str:
    """Why there is no year-on-year change: the selection has no complete period, or the
    period a year before its latest complete one is missing or partial."""
    f = ctx.f
    latest = ctx.periods.latest_complete(f.period_to, f.period_from)
    if latest is None:
        return ctx.t("ct_msg_no_complete", period=span_name(ctx))
    if f.grain == "year":
        prev = measures.shift_year(latest, -1)
        return ctx.t("ct_msg_no_previous_year", period=ctx.period_name(latest), prev=ctx.period_name(prev),
                     status=ctx.period_status(prev))
    return ctx.t("ct_msg_no_previous", source=source, coverage=coverage)
