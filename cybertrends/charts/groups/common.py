"""Shared by the at-risk-group charts: group order and colours, the years a chart uses (complete,
partial, missing) and how it marks them, published group counts, rates per 100,000 and figure
styling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts.base import MUTED, Context, style, vline, vrect
from cybertrends.charts.figure import Figure
from cybertrends.filters import Filters

GROUP_ORDER = ("child", "adolescent", "young", "adult", "older", "unknown")


KNOWN_GROUPS = ("child", "adolescent", "young", "adult", "older")  # groups with a population


GROUP_COLORS = {
    "child": "#0072B2", "adolescent": "#E69F00", "young": "#009E73", "older": "#CC79A7",
    "adult": "#7B8794", "unknown": "#CBD2D9",
}


SEX_ORDER = ("female", "male", "unknown")


SEX_COLORS = {"female": "#D55E00", "male": "#56B4E9", "unknown": MUTED}


TOP_N = 5


TOP_N_COMPARE = 3


# A rate resting on fewer reports than this swings widely from year to year (a note says so).
FEW_REPORTS = 10


# Small helpers -------------------------------------------------------------------------

def _allowed_groups(ctx: Context, order=GROUP_ORDER) -> list[str]:
    """Groups in view: all, or those chosen in the sidebar, in reference order."""
    return [g for g in order if not ctx.f.groups or g in ctx.f.groups]


def _short(ctx: Context, group: str) -> str:
    """Group name for running text: 'adolescentes', 'older adults'."""
    return ctx.t(f"gr_short_{group}")


def _victims(ctx: Context, group: str) -> str:
    """'víctimas adolescentes' / 'adolescents as victims'."""
    return ctx.t(f"gr_victims_{group}")


def _subject(ctx: Context, group: str) -> str:
    """Group as the subject of a sentence: 'Las y los adolescentes', 'Older adults'."""
    return ctx.t(f"gr_subject_{group}")


def _unit(ctx: Context, group: str) -> str:
    """Rate unit: 'por 100,000 niñas y niños'."""
    return ctx.t(f"gr_unit_{group}")


def _years(ctx: Context) -> list[int]:
    return list(range(ctx.f.period_from.year, ctx.f.period_to.year + 1))


@dataclass(frozen=True)
class YearView:
    """One calendar year of the selection as the charts show it."""

    year: int
    name: str  # '2023', '2025 (ene–nov)', '2024 (mar–dic)'
    status: str  # 'Completo', 'parcial (ene–nov)', 'sin archivo'
    complete: bool  # the selection and the data cover the whole year
    missing: bool  # no data at all for the year (no file): a gap, never a zero


def year_views(ctx: Context) -> dict[int, YearView]:
    """Every calendar year of the selection: complete, partial or missing, and its name.

    Completeness is `ctx.complete_years()`; for yearly sources the name and status are
    `ctx.period_name` / `ctx.period_status`; for monthly sources a year that the selection or
    the data cover only in part is named by the months covered ('2024 (mar–dic)')."""
    complete = set(ctx.complete_years())
    out: dict[int, YearView] = {}
    for y in _years(ctx):
        start = date(y, 1, 1)
        if ctx.f.grain == "year":
            missing = not ctx.periods.has(start)
            out[y] = YearView(y, ctx.period_name(start), ctx.period_status(start), y in complete, missing)
            continue
        lo, hi = max(start, ctx.f.period_from), min(date(y, 12, 1), ctx.f.period_to)
        covers = [c for c in (ctx.periods.get(m) for m in measures.period_range(lo, hi, "month")) if c is not None]
        if y in complete:
            out[y] = YearView(y, str(y), ctx.t("complete"), True, False)
        elif not covers:
            out[y] = YearView(y, str(y), ctx.t("no_file"), False, True)
        else:
            first, last = covers[0].covered_from, covers[-1].covered_to
            out[y] = YearView(y, i18n.fmt_partial(start, first, last, "year", ctx.lang),
                              ctx.t("partial_period", months=i18n.fmt_cover_months(first, last, ctx.lang)), False, False)
    return out


def _year_filters(ctx: Context, years: list[int]) -> Filters:
    """The selection narrowed to the calendar years `years[0]`..`years[-1]`."""
    last = date(years[-1], 1, 1) if ctx.f.grain == "year" else date(years[-1], 12, 1)
    return ctx.f.with_(period_from=date(years[0], 1, 1), period_to=last)


def _years_label(years: list[int]) -> str:
    """'2019–2023' for consecutive years, else '2019, 2021, 2022'."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def rate_period(ctx: Context) -> tuple[Filters, str, bool]:
    """The period rates are computed over: the latest complete calendar year in the filter
    (an annual rate), else the whole filtered span (flagged as not annual)."""
    complete = ctx.complete_years()
    if complete:
        return _year_filters(ctx, complete[-1:]), str(complete[-1]), True
    if ctx.f.grain == "year":
        views = [v for v in year_views(ctx).values() if not v.missing]
        return ctx.f, ", ".join(v.name for v in views) or ctx.period_label(), False
    return ctx.f, ctx.period_label(), False


def _published(f: Filters) -> bool:
    """Published aggregates (MPFN, SIDPOL) are shown as released; record-level sources as
    published through the cell-key method (queries.py)."""
    return f.source not in measures.RECORD_LEVEL_SOURCES


def _grid(df: pd.DataFrame, index: dict[str, list], value: str = "report_count") -> pd.DataFrame:
    """Every combination of `index` values, one published cell each; a cell the query does not
    return holds no record (0). Cells are never added up here: the query returns one row per
    cell, at the grain it is shown at."""
    keys = list(index.keys())
    if len(keys) == 1:
        full = pd.Index(list(index.values())[0], name=keys[0])
    else:
        full = pd.MultiIndex.from_product(list(index.values()), names=keys)
    cells = df.set_index(keys)[value]
    if not cells.index.is_unique:
        raise ValueError(f"one row per cell of {keys} expected")
    out = cells.reindex(full, fill_value=0).reset_index()
    out[value] = out[value].astype("int64")
    return out


def _group_counts(ctx: Context, f: Filters, by: tuple[str, ...], grain: str | None = None) -> pd.DataFrame:
    df = queries.counts(ctx.con, f, by, grain=grain, money=False)
    if "victim_age_group" in df.columns:
        df = df[df["victim_age_group"].notna()]
    return df


def _total(ctx: Context, f: Filters) -> int:
    """The published total under `f`: a cell of its own (for record-level sources it is not
    the sum of the published parts shown beside it)."""
    return int(queries.counts(ctx.con, f, money=False)["report_count"].iloc[0])


def _with_display(df: pd.DataFrame, lang: str, column: str = "report_count") -> pd.DataFrame:
    """Counts as floats (a gap can then be NaN) and their text in `<column>_display`."""
    out = df.copy()
    out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out[column + "_display"] = [i18n.fmt_int(v, lang) for v in out[column]]
    return out


def _overall_line(ctx: Context, fig: Figure, overall: float | None, n_regions: int) -> None:
    """The dashed line of the rate over all regions in view (national, or the selected regions
    together), labelled, on a ranking of two regions or more."""
    if overall is None or n_regions < 2:
        return
    label = ctx.t("gr_overall_rate_regions" if ctx.f.regions else "gr_overall_rate_national",
                  rate=_fmt_rate(overall, ctx.lang))
    vline(fig, overall, line_dash="dash", line_color="#1F2933", line_width=1.5)
    fig.add_annotation(x=overall, y=1.0, yref="paper", text=label, showarrow=False, xanchor="left",
                       yanchor="bottom", font=dict(size=12))


def _fmt_rate(value, lang: str) -> str:
    return i18n.fmt_num(value, lang, 1)


def _regions_note(ctx: Context) -> list[str]:
    if not ctx.f.regions:
        return []
    return [ctx.t("gr_note_denominator_regions")]


def _style(fig: Figure, **kw) -> Figure:
    """The house style, plus axis automargins so tick labels are never cut off."""
    style(fig, **kw)
    fig.update_layout(legend=dict(font=dict(size=12)))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _share_hover(first, second, part: pd.DataFrame) -> list[str]:
    """Hover lines of share bars: 'first · second: share (count)', one per row of `part` (which carries
    `share_display` and `report_count_display`); `first` and `second` give each row's two names."""
    return [f"{a} · {b}: {sd} ({cd})"
            for a, b, sd, cd in zip(first, second, part["share_display"], part["report_count_display"])]


def _axis_label(name: str) -> str:
    """'Personas adultas mayores (60+)' -> 'Personas<br>adultas<br>mayores<br>(60+)': category
    labels that fit under a bar in a half-width chart without turning sideways."""
    head, sep, tail = name.partition(" (")
    return _wrap(head, 9) + (f"<br>({tail}" if sep else "")


def _candidates(groups: list[str]) -> list[str]:
    """Groups a title may name: the at-risk ones in view, else the other known ones."""
    at_risk = [g for g in groups if g in measures.AT_RISK_GROUPS]
    if at_risk:
        return at_risk
    known = [g for g in groups if g != "unknown"]
    return known or list(groups)


def _gaps_as_nan(ctx: Context, df: pd.DataFrame, views: dict[int, YearView], column: str = "report_count") -> pd.DataFrame:
    """Years with no data at all (no file) hold NaN and read "sin archivo": a gap, not a zero."""
    gap = df["year"].map(lambda y: views[y].missing).astype(bool)
    if gap.any():
        df = df.copy()
        df[column] = df[column].astype("float64").where(~gap)
        df[column + "_display"] = df[column + "_display"].where(~gap, ctx.t("no_file"))
    return df


def _headline_year(views: dict[int, YearView]) -> int:
    """The year a title speaks of: the latest complete one, else the latest with data."""
    complete = [y for y, v in views.items() if v.complete]
    if complete:
        return complete[-1]
    present = [y for y, v in views.items() if not v.missing]
    return (present or list(views))[-1]


def _shade_years(ctx: Context, fig: Figure, views: list[YearView]) -> None:
    """Shade the partial years and mark the missing ones on a category axis of years."""
    for i, v in enumerate(views):
        if v.missing:
            fig.add_annotation(x=i, y=0, yref="paper", text=ctx.t("no_file"), showarrow=False, yanchor="bottom",
                               yshift=4, font=dict(size=11, color="#52606D"))
        elif not v.complete:
            # as fig.add_vrect(..., annotation_position="top"), without its search for the subplots spanned
            x0, x1 = i - 0.4, i + 0.4
            vrect(fig, x0, x1, fillcolor="#E4E7EB", opacity=0.5, line_width=0, layer="below")
            fig.add_annotation(font=dict(size=11, color="#52606D"), showarrow=False, text=ctx.t("gr_partial_mark"),
                               x=float(sum([x0, x1])) / 2, xanchor="center", xref="x", y=1, yanchor="top", yref="y domain")


def _year_notes(ctx: Context, views: list[YearView]) -> list[str]:
    """What a reader must know about the years shown: partial years and gaps."""
    notes = []
    partial = [v.name for v in views if not v.complete and not v.missing]
    if partial:
        notes.append(ctx.t("gr_note_partial_years", years=", ".join(partial)))
    missing = [v.name for v in views if v.missing]
    if missing:
        notes.append(ctx.t("note_missing_periods", periods=", ".join(missing)))
    return notes


# gr_rates -----------------------------------------------------------------------------

def _population(ctx: Context) -> pd.DataFrame:
    pop = ctx.population()
    return pop[pop["age_group"] != "total"]


def _rates(counts, populations, years: int = 1) -> pd.Series:
    """Rates per 100,000 (a yearly average over `years`), NaN where there is no population."""
    return pd.Series([measures.rate_per_100k(c / years, p) for c, p in zip(counts, populations)], dtype="float64")


def _what(ctx: Context) -> str:
    """' de fraude informático' when one crime type is selected, else ''."""
    if len(ctx.f.crimes) == 1:
        name = ctx.crime_name(ctx.f.crimes[0], with_article=False)
        return ctx.t("gr_what_crime", crime=name[:1].lower() + name[1:])
    return ""


def _group_allowed(ctx: Context, group: str) -> bool:
    return group in GROUP_ORDER and (not ctx.f.groups or group in ctx.f.groups)


def _wrap(text: str, width: int = 38) -> str:
    """Break long crime names over lines for horizontal bar labels."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _category(name: str) -> str:
    """A year as an axis category: '2025 (ene–nov)' on two lines so it never turns sideways."""
    return name.replace(" (", "<br>(")


def _group_bars(groups, names: list[str], values: pd.Series, texts: pd.Series, hover: list[str], *, name: str,
                y_title: str) -> Figure:
    """One bar per group in its colour, its value written above it, `hover` on each bar."""
    fig = Figure()
    fig.add_bar(
        x=[_axis_label(n) for n in names], y=values.tolist(), marker_color=[GROUP_COLORS[g] for g in groups],
        text=texts.tolist(), textposition="outside", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", name=name,
    )
    fig.update_xaxes(type="category", tickfont=dict(size=11))  # labels turn when crowded
    _style(fig, y_title=y_title, height=440)
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_traces(cliponaxis=False)
    return fig
