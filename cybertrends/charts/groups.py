"""At-risk groups (children 0–11, adolescents 12–17, young people 18–29, older adults 60+):
counts, rates per 100,000 people of the age group, growth, crime profile and sex split; and, for
sources that do not record the victim's age (the Ministerio Público's published series), the
legally defined proxy for minors: Ley 30096 art. 5 (sexual solicitation of children and
adolescents by technological means), its trend by year and its rate per 100,000 people aged
0–17 by region (Código Penal art. 183-B, the same conduct by any means, is not a cybercrime
proxy: the charts say so and leave it to the Crime types page).

Periods: every builder works per calendar year; which years are complete, partial or missing
comes from `ctx.periods` / `ctx.complete_years()` / `ctx.span()` (one place per concept). A
missing year is a gap (NaN, "sin archivo"), a partial year is labelled ("2025 (ene–nov)") and
never compared with a full one.

Victim protection (DESIGN.md §5) is not done here: every count this module receives from
`queries` is already the published value of its cell (the cell-key method for record-level
sources, `incidents` and `synthetic`; published aggregates, MPFN and SIDPOL, as released). So
every figure is derived from published counts only, and every total shown beside its parts (a
group's reports under its top crimes or its sex split, the national or selected-regions rate
line) is queried as a cell of its own, never added up from the published parts. Each cell is
queried at the grain it is shown at (years as year cells, a multi-year span as one cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, Context, style
from cybertrends.chartspec import ChartSpec
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
    df = queries.counts(ctx.con, f, by, grain=grain)
    if "victim_age_group" in df.columns:
        df = df[df["victim_age_group"].notna()]
    return df


def _total(ctx: Context, f: Filters) -> int:
    """The published total under `f`: a cell of its own (for record-level sources it is not
    the sum of the published parts shown beside it)."""
    return int(queries.counts(ctx.con, f)["report_count"].iloc[0])


def _with_display(df: pd.DataFrame, lang: str, column: str = "report_count") -> pd.DataFrame:
    """Counts as floats (a gap can then be NaN) and their text in `<column>_display`."""
    out = df.copy()
    out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out[column + "_display"] = [i18n.fmt_int(v, lang) for v in out[column]]
    return out


def _overall_line(ctx: Context, fig: go.Figure, overall: float | None, n_regions: int) -> None:
    """The dashed line of the rate over all regions in view (national, or the selected regions
    together), labelled, on a ranking of two regions or more."""
    if overall is None or n_regions < 2:
        return
    label = ctx.t("gr_overall_rate_regions" if ctx.f.regions else "gr_overall_rate_national",
                  rate=_fmt_rate(overall, ctx.lang))
    fig.add_vline(x=overall, line_dash="dash", line_color="#1F2933", line_width=1.5)
    fig.add_annotation(x=overall, y=1.0, yref="paper", text=label, showarrow=False, xanchor="left",
                       yanchor="bottom", font=dict(size=12))


def _fmt_rate(value, lang: str) -> str:
    return i18n.fmt_num(value, lang, 1)



def _regions_note(ctx: Context) -> list[str]:
    if not ctx.f.regions:
        return []
    return [ctx.t("gr_note_denominator_regions")]


def _style(fig: go.Figure, **kw) -> go.Figure:
    """The house style, plus axis automargins so tick labels are never cut off."""
    style(fig, **kw)
    fig.update_layout(legend=dict(font=dict(size=12)))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


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


def _shade_years(ctx: Context, fig: go.Figure, views: list[YearView]) -> None:
    """Shade the partial years and mark the missing ones on a category axis of years."""
    for i, v in enumerate(views):
        if v.missing:
            fig.add_annotation(x=i, y=0, yref="paper", text=ctx.t("no_file"), showarrow=False, yanchor="bottom",
                               yshift=4, font=dict(size=11, color="#52606D"))
        elif not v.complete:
            fig.add_vrect(x0=i - 0.4, x1=i + 0.4, fillcolor="#E4E7EB", opacity=0.5, line_width=0, layer="below",
                          annotation_text=ctx.t("gr_partial_mark"), annotation_position="top",
                          annotation_font=dict(size=11, color="#52606D"))


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


# gr_counts ----------------------------------------------------------------------------

@chart("gr_counts")
def gr_counts(ctx: Context) -> ChartSpec | None:
    """Reports per victim group per year; at-risk groups in colour, the rest muted."""
    if not ctx.has_age:
        return None
    # One cell per (calendar year, group): queried at the year grain, never summed from months.
    raw = _group_counts(ctx, ctx.f, ("period_start", "victim_age_group"), grain="year")
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    raw = raw.assign(year=pd.to_datetime(raw["period_start"]).dt.year)
    groups = _allowed_groups(ctx)
    years = _years(ctx)
    df = _with_display(_grid(raw, {"year": years, "victim_age_group": groups}), ctx.lang)
    views = year_views(ctx)
    df = _gaps_as_nan(ctx, df, views)
    complete = {y: views[y].complete for y in years}
    lang = ctx.lang

    fig = go.Figure()
    year_labels = [_category(views[y].name) for y in years]
    if len(years) >= 2:
        # Muted reference lines first so the at-risk lines are drawn over them; the legend keeps
        # the reference order (legendrank).
        for g in sorted(groups, key=lambda g: g in measures.AT_RISK_GROUPS):
            part = df[df["victim_age_group"] == g]
            at_risk = g in measures.AT_RISK_GROUPS
            hover = [f"{ctx.group_name(g)} · {views[y].name}: {d}" for y, d in zip(part["year"], part["report_count_display"])]
            fig.add_scatter(
                x=year_labels, y=part["report_count"].tolist(), name=ctx.group_name(g), mode="lines+markers",
                line=dict(color=GROUP_COLORS[g], width=3.5 if at_risk else 2, dash="solid" if at_risk else "dot"),
                marker=dict(size=8 if at_risk else 5, symbol=["circle" if complete[y] else "circle-open" for y in years]),
                customdata=hover, hovertemplate="%{customdata}<extra></extra>", legendrank=GROUP_ORDER.index(g) + 1,
            )
        fig.update_xaxes(type="category")
        _shade_years(ctx, fig, [views[y] for y in years])
        kind = "line"
    else:
        y = years[0]
        hover = [f"{ctx.group_name(g)} · {views[y].name}: {d}" for g, d in zip(df["victim_age_group"], df["report_count_display"])]
        cats = [_axis_label(ctx.group_name(g)) for g in df["victim_age_group"]]
        fig.add_bar(
            x=cats, y=df["report_count"].tolist(),
            marker_color=[GROUP_COLORS[g] if complete[y] else MUTED for g in df["victim_age_group"]],
            text=df["report_count_display"].tolist(), textposition="outside",
            customdata=hover, hovertemplate="%{customdata}<extra></extra>", name=views[y].name,
        )
        fig.update_xaxes(type="category", tickfont=dict(size=11))  # labels turn when crowded
        kind = "bar"
    _style(fig, y_title=ctx.t("reports"), height=440)
    fig.update_layout(hovermode="closest" if kind == "bar" else "x unified")

    # The finding: the at-risk group with most reports in the latest (complete) year.
    year = _headline_year(views)
    latest = df[df["year"] == year].set_index("victim_age_group")
    cands = _candidates(groups)
    period = views[year].name
    if len(cands) == 1:
        g = cands[0]
        row = latest.loc[g]
        title = ctx.t("gr_counts_title_single", n=row["report_count_display"], group=_short(ctx, g), victims=_victims(ctx, g), period=period)
    else:
        shown = latest.loc[cands]
        shown = shown[shown["report_count"].notna()]
        if not shown.empty and shown["report_count"].max() > 0:
            g = shown["report_count"].idxmax()
            title = ctx.t("gr_counts_title_top", group=_subject(ctx, g), n=shown.loc[g, "report_count_display"], period=period)
        else:
            title = ctx.t("gr_counts_title_plain", period=ctx.period_label())

    notes = ctx.notes() + ctx.cell_key_notes() + _year_notes(ctx, [views[y] for y in years])
    if "unknown" in groups:
        notes.append(ctx.t("gr_note_unknown_age"))
    table = pd.DataFrame({
        ctx.t("year"): [views[y].name for y in df["year"]],
        ctx.t("victim_group"): [ctx.group_name(g) for g in df["victim_age_group"]],
        ctx.t("reports"): df["report_count"],
        "display": df["report_count_display"],
        ctx.t("status"): [views[y].status for y in df["year"]],
    })
    return ChartSpec(
        chart_id="gr_counts", kind=kind, title=title, subtitle=ctx.subtitle(), source_line=ctx.source_line(),
        figure=fig, data=table, x=ctx.t("year"), y=ctx.t("reports"), series=ctx.t("victim_group"), lang=lang,
        synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


# gr_rates -----------------------------------------------------------------------------

def _population(ctx: Context) -> pd.DataFrame:
    pop = queries.population(ctx.con)
    return pop[pop["age_group"] != "total"]


@chart("gr_rates")
def gr_rates(ctx: Context) -> ChartSpec | None:
    """Reports per 100,000 people of each age group (2020 population of the regions in view).
    With option `group`, that group's rate in each region."""
    if not ctx.has_age:
        return None
    group = ctx.options.get("group")
    if group:
        return _rates_by_region(ctx, group)
    rf, period, annual = rate_period(ctx)
    groups = _allowed_groups(ctx, KNOWN_GROUPS)
    if not groups:
        return None
    raw = _group_counts(ctx, rf, ("victim_age_group",))
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    df = _with_display(_grid(raw, {"victim_age_group": groups}), ctx.lang)
    # Each group's published count over that group's own population.
    pop = _population(ctx)
    if ctx.f.regions:
        pop = pop[pop["region_code"].isin(ctx.f.regions)]
    pop = pop.groupby("age_group")["population_2020"].sum()
    df["population"] = [int(pop.get(g, 0)) for g in df["victim_age_group"]]
    df["rate"] = _rates(df["report_count"], df["population"])
    df["rate_display"] = [_fmt_rate(r, ctx.lang) for r in df["rate"]]
    names = [ctx.group_name(g) for g in df["victim_age_group"]]
    hover = [
        f"{n}: {rd} {_unit(ctx, g)}<br>{ctx.t('reports')}: {cd}"
        for n, g, rd, cd in zip(names, df["victim_age_group"], df["rate_display"], df["report_count_display"])
    ]
    fig = go.Figure()
    cats = [_axis_label(n) for n in names]
    fig.add_bar(
        x=cats, y=df["rate"].tolist(), marker_color=[GROUP_COLORS[g] for g in df["victim_age_group"]],
        text=df["rate_display"].tolist(), textposition="outside", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", name=ctx.t("gr_rate"),
    )
    fig.update_xaxes(type="category", tickfont=dict(size=11))  # labels turn when crowded
    _style(fig, y_title=ctx.t("gr_rate_axis"), height=440)
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_traces(cliponaxis=False)

    cands = _candidates(groups)
    shown = df.set_index("victim_age_group").loc[cands]
    shown = shown[shown["rate"].notna()]
    what = _what(ctx)
    if len(cands) == 1 and not shown.empty:
        g = cands[0]
        title = ctx.t("gr_rates_title_single", rate=_fmt_rate(shown.loc[g, "rate"], ctx.lang), unit=_unit(ctx, g), what=what, period=period)
    elif not shown.empty and shown["rate"].max() > 0:
        g = shown["rate"].idxmax()
        title = ctx.t("gr_rates_title_top", group=_subject(ctx, g), what=what,
                      rate=_fmt_rate(shown.loc[g, "rate"], ctx.lang), unit=_unit(ctx, g), period=period)
    else:
        title = ctx.t("gr_rates_title_plain", period=period)
    notes = ctx.notes(regional=bool(ctx.f.regions)) + [ctx.t("gr_note_population")] + _regions_note(ctx)
    if not annual:
        notes.append(ctx.t("gr_note_not_annual", period=period))
    notes += ctx.cell_key_notes()
    table = pd.DataFrame({
        ctx.t("victim_group"): names,
        ctx.t("reports"): df["report_count_display"],
        ctx.t("gr_population"): df["population"],
        ctx.t("gr_rate"): df["rate"].round(2),
        "display": df["rate_display"],
    })
    return ChartSpec(
        chart_id="gr_rates", kind="bar", title=title, subtitle=ctx.subtitle(rf.period_from, rf.period_to),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("victim_group"), y=ctx.t("gr_rate"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes, y_format="rate",
    )


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


def _rates_by_region(ctx: Context, group: str) -> ChartSpec | None:
    if group not in KNOWN_GROUPS or not _group_allowed(ctx, group):
        return None
    rf, period, annual = rate_period(ctx)
    gf = rf.with_(groups=(group,))
    raw = queries.counts(ctx.con, gf, ("region_code",))
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    region_codes = list(ctx.f.regions) or list(queries.regions(ctx.con)["region_code"])
    df = _with_display(_grid(raw, {"region_code": region_codes}), ctx.lang)
    # The group's published count in each region over the group's population there.
    pop = _population(ctx)
    pop = pop[pop["age_group"] == group].set_index("region_code")["population_2020"]
    df["population"] = [int(pop.get(r, 0)) for r in df["region_code"]]
    df["rate"] = _rates(df["report_count"], df["population"])
    df["rate_display"] = [_fmt_rate(r, ctx.lang) for r in df["rate"]]
    df["region_name"] = [ctx.region_name(r) for r in df["region_code"]]
    # Highest rate on top.
    df = df.sort_values(["rate", "region_name"], ascending=[True, False], na_position="first").reset_index(drop=True)
    hover = [
        f"{n}: {rd} {_unit(ctx, group)}<br>{ctx.t('reports')}: {cd}"
        for n, rd, cd in zip(df["region_name"], df["rate_display"], df["report_count_display"])
    ]
    fig = go.Figure()
    fig.add_bar(
        y=df["region_name"].tolist(), x=df["rate"].tolist(), orientation="h", marker_color=GROUP_COLORS[group],
        text=df["rate_display"].tolist(), textposition="outside", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", name=ctx.group_name(group), cliponaxis=False,
    )
    # The rate over all regions in view (national, or the selected regions together): the
    # group's total is a cell of its own, not the sum of the regions' published counts.
    overall = measures.rate_per_100k(_total(ctx, gf), int(df["population"].sum()))
    _overall_line(ctx, fig, overall, len(df))
    _style(fig, x_title=ctx.t("gr_rate_axis"), height=max(420, 24 * len(df) + 140))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(type="category", rangemode="normal")
    top_rate = df["rate"].max()
    fig.update_xaxes(range=[0, top_rate * 1.3 if not pd.isna(top_rate) and top_rate > 0 else 1], nticks=5)
    fig.update_layout(margin=dict(r=30))

    shown = df[df["rate"].notna()]
    if len(df) == 1 and not shown.empty:
        title = ctx.t("gr_region_title_single", rate=_fmt_rate(shown["rate"].iloc[0], ctx.lang), unit=_unit(ctx, group),
                      region=shown["region_name"].iloc[0], period=period)
    elif not shown.empty and shown["rate"].max() > 0:
        top = shown.iloc[-1]
        title = ctx.t("gr_region_title_top", region=top["region_name"], group=_short(ctx, group),
                      rate=_fmt_rate(top["rate"], ctx.lang), unit=_unit(ctx, group), period=period)
    else:
        title = ctx.t("gr_region_title_plain", group=_short(ctx, group), period=period)
    notes = ctx.notes(regional=True) + [ctx.t("gr_note_population")]
    if not annual:
        notes.append(ctx.t("gr_note_not_annual", period=period))
    notes += ctx.cell_key_notes()
    table = df.iloc[::-1]
    table = pd.DataFrame({
        ctx.t("region"): table["region_name"].tolist(),
        ctx.t("reports"): table["report_count_display"].tolist(),
        ctx.t("gr_population"): table["population"].tolist(),
        ctx.t("gr_rate"): table["rate"].round(2).tolist(),
        "display": table["rate_display"].tolist(),
    })
    extra = ctx.group_name(group) if not ctx.f.groups or len(ctx.f.groups) != 1 else None
    return ChartSpec(
        chart_id="gr_rates", kind="hbar", title=title, subtitle=ctx.subtitle(rf.period_from, rf.period_to, extra=extra),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("region"), y=ctx.t("gr_rate"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes, y_format="rate",
    )


# gr_growth ----------------------------------------------------------------------------

@chart("gr_growth")
def gr_growth(ctx: Context) -> ChartSpec | None:
    """Growth per group: the latest complete span against the same span a year earlier."""
    if not ctx.has_age:
        return None
    span = ctx.span()  # the latest complete span and the same span a year earlier, or None
    if span is None:
        return None
    cur_f = ctx.f.with_(period_from=span.current_from, period_to=span.current_to)
    prev_f = ctx.f.with_(period_from=span.previous_from, period_to=span.previous_to)
    groups = _allowed_groups(ctx)
    cur = _grid(_group_counts(ctx, cur_f, ("victim_age_group",)), {"victim_age_group": groups})
    prev = _grid(_group_counts(ctx, prev_f, ("victim_age_group",)), {"victim_age_group": groups})
    if not (cur["report_count"] > 0).any() and not (prev["report_count"] > 0).any():
        return None
    # Growth of each group's published counts, equal spans.
    cur, prev = _with_display(cur, ctx.lang), _with_display(prev, ctx.lang)
    df = pd.DataFrame({
        "victim_age_group": groups,
        "current": cur["report_count"].to_numpy(), "current_display": cur["report_count_display"].to_numpy(),
        "previous": prev["report_count"].to_numpy(), "previous_display": prev["report_count_display"].to_numpy(),
    })
    # A group whose earlier span has fewer than MIN_BASE reports shows no growth (a change of a
    # few reports would read as a huge percentage, and small cells carry protection noise).
    df["growth"] = pd.Series([measures.growth_pct(c, p) if p >= measures.MIN_BASE else None
                              for c, p in zip(df["current"], df["previous"])], dtype="float64")
    df["growth_display"] = [i18n.fmt_pct(g, ctx.lang, signed=True) for g in df["growth"]]
    cur_label = i18n.fmt_span(span.current_from, span.current_to, span.grain, ctx.lang)
    prev_label = i18n.fmt_span(span.previous_from, span.previous_to, span.grain, ctx.lang)
    names = [ctx.group_name(g) for g in groups]
    hover = [
        f"{n}: {gd}<br>{cur_label}: {cd} · {prev_label}: {pd_}"
        for n, gd, cd, pd_ in zip(names, df["growth_display"], df["current_display"], df["previous_display"])
    ]
    fig = go.Figure()
    cats = [_axis_label(n) for n in names]
    fig.add_bar(
        x=cats, y=df["growth"].tolist(), marker_color=[GROUP_COLORS[g] for g in groups],
        text=df["growth_display"].tolist(), textposition="outside", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", name=ctx.t("gr_growth"),
    )
    fig.update_xaxes(type="category", tickfont=dict(size=11))  # labels turn when crowded
    _style(fig, y_title=ctx.t("gr_growth_axis", prev=prev_label), height=440)
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(rangemode="normal", zeroline=True, zerolinewidth=1.5, ticksuffix=" %")
    fig.update_traces(cliponaxis=False)

    cands = _candidates(groups)
    shown = df.set_index("victim_age_group").loc[cands]
    shown = shown[shown["growth"].notna()]
    if len(cands) == 1 and not shown.empty:
        g = cands[0]
        title = ctx.t("gr_growth_title_single", group=_short(ctx, g), victims=_victims(ctx, g), pct=i18n.fmt_pct(shown.loc[g, "growth"], ctx.lang, signed=True),
                      cur=cur_label, prev=prev_label)
    elif not shown.empty and shown["growth"].max() >= 0:
        g = shown["growth"].idxmax()
        title = ctx.t("gr_growth_title_top", group=_subject(ctx, g), pct=i18n.fmt_pct(shown.loc[g, "growth"], ctx.lang, signed=True),
                      cur=cur_label, prev=prev_label)
    elif not shown.empty:
        g = shown["growth"].idxmax()
        title = ctx.t("gr_growth_title_all_down", group=_short(ctx, g), pct=i18n.fmt_pct(shown.loc[g, "growth"], ctx.lang, signed=True),
                      cur=cur_label, prev=prev_label)
    else:
        title = ctx.t("gr_growth_title_plain", cur=cur_label, prev=prev_label)
    notes = ctx.notes() + [ctx.t("gr_note_equal_spans", cur=cur_label, prev=prev_label)] + ctx.cell_key_notes()
    if (df["previous"] < measures.MIN_BASE).any():
        notes.append(ctx.t("gr_note_small_base", n=measures.MIN_BASE, prev=prev_label))
    table = pd.DataFrame({
        ctx.t("victim_group"): names,
        ctx.t("gr_reports_in", period=cur_label): df["current_display"],
        ctx.t("gr_reports_in", period=prev_label): df["previous_display"],
        ctx.t("gr_growth"): df["growth"].round(1),
        "display": df["growth_display"],
    })
    return ChartSpec(
        chart_id="gr_growth", kind="bar", title=title,
        subtitle=ctx.subtitle(span.current_from, span.current_to, extra=ctx.t("gr_vs", period=prev_label)),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("victim_group"), y=ctx.t("gr_growth"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes, y_format="percent",
    )


# gr_top_crimes ------------------------------------------------------------------------

def _crime_profile(ctx: Context, group: str) -> pd.DataFrame:
    """Published counts by crime type for one group, with shares of the group's published
    total (a cell of its own: the shares need not add up to 100 %)."""
    gf = ctx.f.with_(groups=(group,))
    raw = queries.counts(ctx.con, gf, ("crime_code",))
    raw = raw[raw["report_count"] > 0].copy()
    if raw.empty:
        return raw.assign(victim_age_group=group)
    total = _total(ctx, gf)
    raw["victim_age_group"] = group
    df = _with_display(raw, ctx.lang)
    df["share"] = pd.Series([measures.share_pct(c, total) for c in df["report_count"]], index=df.index, dtype="float64")
    df["share_display"] = [i18n.fmt_pct(v, ctx.lang) for v in df["share"]]
    df = df.sort_values(["report_count", "crime_code"], ascending=[False, True])
    return df.reset_index(drop=True)


@chart("gr_top_crimes")
def gr_top_crimes(ctx: Context) -> ChartSpec | None:
    """The crime types that hit each at-risk group most. With option `group`, the top five for
    that group (counts and shares); without, the top three of each at-risk group side by side
    (shares of each group's reports)."""
    if not ctx.has_age:
        return None
    group = ctx.options.get("group")
    if group:
        return _top_crimes_one(ctx, group)
    groups = _allowed_groups(ctx, measures.AT_RISK_GROUPS)
    profiles = {g: _crime_profile(ctx, g) for g in groups}
    profiles = {g: p for g, p in profiles.items() if not p.empty}
    if not profiles:
        return None
    tops = {g: p.head(TOP_N_COMPARE) for g, p in profiles.items()}
    codes: list[str] = []
    for p in tops.values():
        for c in p["crime_code"]:
            if c not in codes:
                codes.append(c)
    rows = []
    for g, p in profiles.items():
        by_code = p.set_index("crime_code")
        for c in codes:
            if c in by_code.index:
                r = by_code.loc[c]
                rows.append((g, c, r["report_count"], r["report_count_display"], r["share"], r["share_display"]))
            else:
                rows.append((g, c, 0.0, i18n.fmt_int(0, ctx.lang), 0.0, i18n.fmt_pct(0.0, ctx.lang)))
    df = pd.DataFrame(rows, columns=["victim_age_group", "crime_code", "report_count", "report_count_display", "share", "share_display"])
    crime_names = {c: ctx.crime_name(c) for c in codes}
    fig = go.Figure()
    for g in profiles:
        part = df[df["victim_age_group"] == g]
        hover = [f"{ctx.group_name(g)} · {crime_names[c]}: {sd} ({cd})"
                 for c, sd, cd in zip(part["crime_code"], part["share_display"], part["report_count_display"])]
        fig.add_bar(
            y=[_wrap(crime_names[c]) for c in part["crime_code"]], x=part["share"].astype("float64").tolist(), orientation="h",
            name=ctx.group_name(g), marker_color=GROUP_COLORS[g], customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    _style(fig, x_title=ctx.t("gr_share_of_group"), height=max(440, 40 * len(codes) * max(1, len(profiles)) // 2 + 160))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(autorange="reversed", type="category", rangemode="normal")
    fig.update_xaxes(ticksuffix=" %")

    top_codes = {g: p["crime_code"].iloc[0] for g, p in tops.items()}
    if top_codes:
        best = pd.Series(list(top_codes.values())).value_counts()
        code = best.index[0]
        where = [g for g, c in top_codes.items() if c == code]
        if len(profiles) == 1:
            title = ctx.t("gr_top_title_compare_one", crime=ctx.crime_name(code), group=_short(ctx, where[0]),
                          victims=_victims(ctx, where[0]), period=ctx.period_label())
        elif len(where) == len(profiles):
            title = ctx.t("gr_top_title_compare_all", crime=ctx.crime_name(code), period=ctx.period_label())
        else:
            names = [_short(ctx, g) for g in where]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ctx.t("gr_and") + names[-1]
            title = ctx.t("gr_top_title_compare_some", crime=ctx.crime_name(code), groups=listed, period=ctx.period_label())
    else:
        title = ctx.t("gr_top_title_plain_all", period=ctx.period_label())
    notes = ctx.notes() + [ctx.t("gr_note_top_compare", n=TOP_N_COMPARE)] + ctx.cell_key_notes()
    table = pd.DataFrame({
        ctx.t("victim_group"): [ctx.group_name(g) for g in df["victim_age_group"]],
        ctx.t("crime_type"): [crime_names[c] for c in df["crime_code"]],
        ctx.t("reports"): df["report_count_display"],
        ctx.t("gr_share_of_group"): df["share"].astype("float64").round(1),
        "display": df["share_display"],
    })
    return ChartSpec(
        chart_id="gr_top_crimes", kind="hbar", title=title, subtitle=ctx.subtitle(), source_line=ctx.source_line(),
        figure=fig, data=table, x=ctx.t("crime_type"), y=ctx.t("gr_share_of_group"), series=ctx.t("victim_group"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes, y_format="percent",
    )


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


def _top_crimes_one(ctx: Context, group: str) -> ChartSpec | None:
    if not _group_allowed(ctx, group):
        return None
    profile = _crime_profile(ctx, group)
    if profile.empty:
        return None
    df = profile.head(TOP_N)
    names = [ctx.crime_name(c) for c in df["crime_code"]]
    labels = [f"{cd} ({sd})" for cd, sd in zip(df["report_count_display"], df["share_display"])]
    hover = [f"{n}: {cd} · {sd}" for n, cd, sd in zip(names, df["report_count_display"], df["share_display"])]
    fig = go.Figure()
    fig.add_bar(
        y=[_wrap(n) for n in names], x=df["report_count"].tolist(), orientation="h", marker_color=GROUP_COLORS[group],
        text=labels, textposition="outside", customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        name=ctx.group_name(group), cliponaxis=False,
    )
    _style(fig, x_title=ctx.t("reports"), height=440)
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(r=20))
    top_count = df["report_count"].max()
    fig.update_xaxes(range=[0, top_count * 1.3 if top_count > 0 else 10])
    fig.update_yaxes(autorange="reversed", type="category", rangemode="normal")
    top = df.iloc[0]
    if not pd.isna(top["share"]):
        title = ctx.t("gr_top_title_one", crime=ctx.crime_name(top["crime_code"]), pct=top["share_display"],
                      group=_short(ctx, group), victims=_victims(ctx, group), period=ctx.period_label())
    else:
        title = ctx.t("gr_top_title_plain", group=_short(ctx, group), victims=_victims(ctx, group), period=ctx.period_label())
    notes = ctx.notes() + [ctx.t("gr_note_top_one", n=TOP_N)] + ctx.cell_key_notes()
    table = pd.DataFrame({
        ctx.t("crime_type"): names,
        ctx.t("reports"): df["report_count"].tolist(),
        "display": df["report_count_display"].tolist(),
        ctx.t("gr_share_of_group"): df["share"].round(1).tolist(),
    })
    extra = ctx.group_name(group) if not ctx.f.groups or len(ctx.f.groups) != 1 else None
    return ChartSpec(
        chart_id="gr_top_crimes", kind="hbar", title=title, subtitle=ctx.subtitle(extra=extra),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("crime_type"), y=ctx.t("reports"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


# gr_sex -------------------------------------------------------------------------------

@chart("gr_sex")
def gr_sex(ctx: Context) -> ChartSpec | None:
    """Female / male / not recorded, as shares of each group's reports (counts in hover and table)."""
    if not ctx.has_age:
        return None
    raw = _group_counts(ctx, ctx.f, ("victim_age_group", "victim_sex"))
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    groups = [g for g in _allowed_groups(ctx) if g in set(raw["victim_age_group"])]
    raw = raw[raw["victim_age_group"].isin(groups)]
    df = _with_display(_grid(raw, {"victim_age_group": groups, "victim_sex": list(SEX_ORDER)}), ctx.lang)
    # Each group's total is a cell of its own (not the sum of its published sex cells).
    totals = _grid(_group_counts(ctx, ctx.f, ("victim_age_group",)), {"victim_age_group": groups})
    totals = totals.set_index("victim_age_group")["report_count"]
    df["share"] = pd.Series([measures.share_pct(c, totals[g]) for g, c in zip(df["victim_age_group"], df["report_count"])],
                            dtype="float64")
    df["share_display"] = [i18n.fmt_pct(v, ctx.lang) for v in df["share"]]
    group_names = {g: ctx.group_name(g) for g in groups}
    sex_names = {s: ctx.t(f"sex_{s}") for s in SEX_ORDER}
    fig = go.Figure()
    for s in SEX_ORDER:
        part = df[df["victim_sex"] == s]
        hover = [f"{group_names[g]} · {sex_names[s]}: {sd} ({cd})"
                 for g, sd, cd in zip(part["victim_age_group"], part["share_display"], part["report_count_display"])]
        fig.add_bar(
            x=[_axis_label(group_names[g]) for g in part["victim_age_group"]], y=part["share"].tolist(), name=sex_names[s],
            marker_color=SEX_COLORS[s], customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            text=[sd if not pd.isna(v) and v >= 6 else "" for sd, v in zip(part["share_display"], part["share"])],
            textposition="inside", insidetextanchor="middle",
        )
    _style(fig, y_title=ctx.t("gr_share_of_group"), height=440)
    fig.update_layout(barmode="stack", hovermode="closest", legend=dict(traceorder="normal"))
    fig.update_xaxes(type="category", tickfont=dict(size=11))  # labels turn when crowded
    # Published parts over a published total may stack a little past 100 %.
    fig.update_yaxes(range=[0, max(100.0, float(df.groupby("victim_age_group")["share"].sum().max()))], ticksuffix=" %")

    female = df[(df["victim_sex"] == "female")].set_index("victim_age_group")
    cands = [g for g in _candidates(groups) if g in female.index]
    shown = female.loc[cands]
    shown = shown[shown["share"].notna()]
    if len(cands) == 1 and not shown.empty:
        g = cands[0]
        title = ctx.t("gr_sex_title_single", pct=shown.loc[g, "share_display"], group=_short(ctx, g), victims=_victims(ctx, g), period=ctx.period_label())
    elif not shown.empty:
        g = shown["share"].idxmax()
        title = ctx.t("gr_sex_title_top", group=_subject(ctx, g), pct=shown.loc[g, "share_display"], period=ctx.period_label())
    else:
        title = ctx.t("gr_sex_title_plain", period=ctx.period_label())
    notes = ctx.notes() + [ctx.t("gr_note_sex")] + ctx.cell_key_notes()
    table = pd.DataFrame({
        ctx.t("victim_group"): [group_names[g] for g in df["victim_age_group"]],
        ctx.t("victim_sex"): [sex_names[s] for s in df["victim_sex"]],
        ctx.t("reports"): df["report_count_display"],
        ctx.t("gr_share_of_group"): df["share"].round(1),
        "display": df["share_display"],
    })
    return ChartSpec(
        chart_id="gr_sex", kind="stacked_bar", title=title, subtitle=ctx.subtitle(), source_line=ctx.source_line(),
        figure=fig, data=table, x=ctx.t("victim_group"), y=ctx.t("gr_share_of_group"), series=ctx.t("victim_sex"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes, y_format="percent",
    )


# gr_minor_proxy / gr_minor_rate ------------------------------------------------------------

ART_5 = "5"  # Ley 30096 art. 5: sexual solicitation of minors by technological means


def _regions_label(ctx: Context) -> str:
    if not ctx.f.regions:
        return ctx.t("all_regions")
    names = [ctx.region_name(c) for c in ctx.f.regions]
    return ", ".join(names) if len(names) <= 3 else ctx.t("n_regions", n=len(names))


def proxy_crimes(ctx: Context) -> list[str]:
    """The legal proxy for minors this source has data for: Ley 30096 art. 5, or nothing.
    (Código Penal 183-B punishes the same conduct by any means, not only technological: it is
    not a cybercrime proxy and stays on the Crime types page.)"""
    return [ART_5] if ART_5 in set(queries.crimes_with_data(ctx.con, ctx.f.source)) else []


def _published_note(ctx: Context) -> list[str]:
    return [ctx.t("gr_note_published")] if _published(ctx.f) else []


def _category(name: str) -> str:
    """A year as an axis category: '2025 (ene–nov)' on two lines so it never turns sideways."""
    return name.replace(" (", "<br>(")


@chart("gr_minor_proxy")
def gr_minor_proxy(ctx: Context) -> ChartSpec | None:
    """The legal proxy for minors, per year: reports under Ley 30096 art. 5, whose victims are
    children and adolescents by definition. A year with no file is a gap (the line breaks, the
    table says "sin archivo"); a partial year is drawn apart (open marker, shaded) and never
    joined to the full years. Uses art. 5 whatever the crime-type filter says."""
    if not proxy_crimes(ctx):
        return None
    pf = ctx.f.with_(crimes=(ART_5,), groups=())
    raw = queries.counts(ctx.con, pf, ("period_start",), grain="year")  # one cell per year
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    raw = raw.assign(year=pd.to_datetime(raw["period_start"]).dt.year)
    views = year_views(ctx)
    years = list(views)
    df = _gaps_as_nan(ctx, _with_display(_grid(raw, {"year": years}), ctx.lang), views)
    name = ctx.crime_name(ART_5)
    x = [_category(views[y].name) for y in years]
    values = df["report_count"].tolist()
    shown = df["report_count_display"].tolist()
    hover = [f"{name} · {views[y].name}: {d}" for y, d in zip(years, shown)]
    full = [v if views[y].complete else np.nan for y, v in zip(years, values)]
    partial = [v if not views[y].complete and not views[y].missing else np.nan for y, v in zip(years, values)]
    fig = go.Figure()
    # Complete years as a line (broken at gaps); partial years as open markers, not joined.
    fig.add_scatter(
        x=x, y=full, name=name, mode="lines+markers+text", connectgaps=False, legendgroup=ART_5,
        text=[d if not pd.isna(v) else "" for d, v in zip(shown, full)], textposition="top center",
        line=dict(color=ACCENT, width=3.5), marker=dict(size=8, color=ACCENT),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", cliponaxis=False,
    )
    if any(not pd.isna(v) for v in partial):
        fig.add_scatter(
            x=x, y=partial, name=name, mode="markers+text", legendgroup=ART_5, showlegend=False,
            text=[d if not pd.isna(v) else "" for d, v in zip(shown, partial)], textposition="top center",
            marker=dict(size=11, color="white", line=dict(color=ACCENT, width=2.5)),
            customdata=hover, hovertemplate="%{customdata}<extra></extra>", cliponaxis=False,
        )
    _shade_years(ctx, fig, [views[y] for y in years])
    _style(fig, y_title=ctx.t("reports"), height=440)
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x)
    top = df["report_count"].max()
    fig.update_yaxes(range=[0, top * 1.25 if not pd.isna(top) and top >= 5 else 10])

    notes = ctx.notes(regional=bool(ctx.f.regions)) + [ctx.t("gr_note_proxy"), ctx.t("gr_note_183b")]
    notes += _year_notes(ctx, [views[y] for y in years]) + ctx.cell_key_notes() + _published_note(ctx)
    table = pd.DataFrame({
        ctx.t("year"): [views[y].name for y in years],
        ctx.t("crime_type"): name,
        ctx.t("reports"): df["report_count"],
        "display": df["report_count_display"],
        ctx.t("status"): [views[y].status for y in years],
    })
    return ChartSpec(
        chart_id="gr_minor_proxy", kind="line", title=_proxy_title(ctx, df, views),
        subtitle=f"{ctx.period_label()} · {_regions_label(ctx)} · {ctx.t('gr_proxy_crime_label')}",
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("year"), y=ctx.t("reports"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


def _proxy_title(ctx: Context, df: pd.DataFrame, views: dict[int, YearView]) -> str:
    """Art. 5 in the latest complete year; a later partial year is stated as partial, and said
    to exceed the full year only when it already does."""
    plain = ctx.t("gr_proxy_title_plain", period=ctx.period_label())
    art5 = df.set_index("year")
    year = _headline_year(views)
    n = art5.loc[year, "report_count"]
    if pd.isna(n) or n == 0:
        return plain
    period = views[year].name
    later = [y for y in views if y > year and not views[y].missing and not views[y].complete]
    if views[year].complete and later and not pd.isna(art5.loc[later[-1], "report_count"]):
        m = art5.loc[later[-1], "report_count"]
        key = "gr_proxy_title_partial_more" if m > n else "gr_proxy_title_partial"
        return ctx.t(key, n=i18n.fmt_int(n, ctx.lang), period=period, partial=views[later[-1]].name,
                     m=i18n.fmt_int(m, ctx.lang))
    return ctx.t("gr_proxy_title", n=i18n.fmt_int(n, ctx.lang), period=period)


def _n_reports(ctx: Context, n) -> str:
    """'1 denuncia' / '8 denuncias'."""
    return ctx.t("gr_n_report") if n == 1 else ctx.t("gr_n_reports", n=i18n.fmt_int(n, ctx.lang))


def minor_rate_years(ctx: Context, mode: str = "latest") -> tuple[list[int], bool]:
    """The years the minors' rate covers, and whether it is an annual rate: the latest complete
    year of the selection (`mode` "latest") or all its complete years (`mode` "all", an annual
    average); with no complete year, the years with data, flagged as not annual."""
    views = year_views(ctx)
    complete = [y for y, v in views.items() if v.complete]
    if complete:
        return (complete if mode == "all" else complete[-1:]), True
    return [y for y, v in views.items() if not v.missing], False


def _minor_rate_cells(ctx: Context, years: list[int], annual: bool,
                      views: dict[int, YearView]) -> tuple[pd.DataFrame, int]:
    """Art. 5 counts by region over the rate's years, and their total over every region in
    view: each one cell over the whole span (the selection itself when the rate is not annual;
    else January of the first year to the end of the last)."""
    pf = ctx.f.with_(crimes=(ART_5,), groups=())
    sf = _year_filters(ctx, [years[0], years[-1]]).with_(crimes=(ART_5,), groups=()) if annual else pf
    inside = [y for y, v in views.items() if years[0] <= y <= years[-1] and not v.missing]
    if inside == years:
        return queries.counts(ctx.con, sf, ("region_code",)), _total(ctx, sf)
    # A partial year between complete ones happens only in a source with gaps between files,
    # i.e. a published aggregate (record-level sources cover every month from their first to
    # their last, so their complete years are consecutive). Its counts are exact: the sum of
    # the years is the count of the span.
    if not _published(pf):
        raise ValueError("record-level cells are never added up")
    raw = queries.counts(ctx.con, pf, ("period_start", "region_code"), grain="year")
    raw = raw[pd.to_datetime(raw["period_start"]).dt.year.isin(years)]
    raw = raw.groupby("region_code", as_index=False)["report_count"].sum()
    return raw, int(raw["report_count"].sum())


@chart("gr_minor_rate")
def gr_minor_rate(ctx: Context) -> ChartSpec | None:
    """Ley 30096 art. 5 reports per 100,000 people aged 0–17 (children + adolescents, 2020
    population of each region), by region, highest first. Over the latest complete year of the
    selection, or with option `years="all"` the annual average over all its complete years; a
    selection with no complete year is used as it is and flagged as not annual."""
    if ART_5 not in proxy_crimes(ctx):
        return None
    mode = ctx.options.get("years", "latest")
    years, annual = minor_rate_years(ctx, mode)
    if not years:
        return None
    views = year_views(ctx)
    raw, total = _minor_rate_cells(ctx, years, annual, views)
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    region_codes = list(ctx.f.regions) or list(queries.regions(ctx.con)["region_code"])
    df = _with_display(_grid(raw, {"region_code": region_codes}), ctx.lang)
    # Art. 5 victims are minors by definition: the rate is over the population aged 0–17.
    pop = _population(ctx)
    pop = pop[pop["age_group"].isin(measures.MINOR_GROUPS)].groupby("region_code")["population_2020"].sum()
    df["population"] = [int(pop.get(r, 0)) for r in df["region_code"]]
    n_years = len(years) if annual else 1
    df["rate"] = _rates(df["report_count"], df["population"], n_years)
    df["rate_display"] = [_fmt_rate(r, ctx.lang) for r in df["rate"]]
    df["region_name"] = [ctx.region_name(r) for r in df["region_code"]]
    df = df.sort_values(["rate", "region_name"], ascending=[True, False], na_position="first").reset_index(drop=True)

    if not annual:
        period = ", ".join(views[y].name for y in years)
    elif len(years) > 1:
        period = ctx.t("gr_period_average", years=_years_label(years))
    else:
        period = views[years[0]].name
    reports_col = ctx.t("gr_reports_in", period=_years_label(years) if annual else period)
    unit = ctx.t("gr_unit_minors")
    hover = [f"{n}: {rd} {unit}<br>{reports_col}: {cd}"
             for n, rd, cd in zip(df["region_name"], df["rate_display"], df["report_count_display"])]
    fig = go.Figure()
    fig.add_bar(
        y=df["region_name"].tolist(), x=df["rate"].tolist(), orientation="h", marker_color=ACCENT,
        text=df["rate_display"].tolist(), textposition="outside", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", name=ctx.t("gr_minor_rate_col"), cliponaxis=False,
    )
    # The rate over all regions in view, from their total (a cell of its own).
    overall = measures.rate_per_100k(total / n_years, int(df["population"].sum()))
    _overall_line(ctx, fig, overall, len(df))
    _style(fig, x_title=ctx.t("gr_minor_rate_axis"), height=max(420, 24 * len(df) + 140))
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(r=30))
    fig.update_yaxes(type="category", rangemode="normal")
    top_rate = df["rate"].max()
    fig.update_xaxes(range=[0, top_rate * 1.3 if not pd.isna(top_rate) and top_rate > 0 else 1], nticks=5)

    shown = df[df["rate"].notna()]
    if len(df) == 1 and not shown.empty:
        title = ctx.t("gr_minor_rate_title_single", region=shown["region_name"].iloc[0],
                      rate=_fmt_rate(shown["rate"].iloc[0], ctx.lang), period=period,
                      count=_n_reports(ctx, shown["report_count"].iloc[0]))
    elif not shown.empty and shown["rate"].max() > 0:
        best = shown.iloc[-1]  # the title names its count: a top rate may rest on one or two cases
        title = ctx.t("gr_minor_rate_title_top", region=best["region_name"], rate=_fmt_rate(best["rate"], ctx.lang),
                      period=period, count=_n_reports(ctx, best["report_count"]))
    else:
        title = ctx.t("gr_minor_rate_title_plain", period=period)
    notes = ctx.notes(regional=True) + [ctx.t("gr_note_minor_rate")]
    if annual and len(years) > 1:
        notes.append(ctx.t("gr_note_minor_rate_average", years=_years_label(years)))
    if not annual:
        notes.append(ctx.t("gr_note_not_annual", period=period))
    if df["report_count"].between(1, FEW_REPORTS - 1).any():
        notes.append(ctx.t("gr_note_minor_rate_small", n=FEW_REPORTS))
    notes += ctx.cell_key_notes() + _published_note(ctx)
    table = df.iloc[::-1]
    table = pd.DataFrame({
        ctx.t("region"): table["region_name"].tolist(),
        reports_col: table["report_count_display"].tolist(),
        ctx.t("gr_population_minors"): table["population"].tolist(),
        ctx.t("gr_minor_rate_col"): table["rate"].round(2).tolist(),
        "display": table["rate_display"].tolist(),
    })
    span = _year_filters(ctx, [years[0], years[-1]])
    return ChartSpec(
        chart_id="gr_minor_rate", kind="hbar", title=title,
        subtitle=f"{period} · {_regions_label(ctx)} · {ctx.t('gr_proxy_crime_label')}",
        source_line=ctx.source_line(span.period_from, span.period_to), figure=fig, data=table, x=ctx.t("region"),
        y=ctx.t("gr_minor_rate_col"), lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
        y_format="rate",
    )


# Non-chart computations for the page -------------------------------------------------

def page_info(ctx: Context) -> dict:
    """What the page needs to lay itself out: age recorded?, synthetic?, published aggregates
    (shown as released) or record-level (published through the cell-key method)?, the groups the
    per-group selector offers (code -> name), whether a minors' proxy exists, and how many
    complete years the selection holds (the minors' rate offers an average over several)."""
    has_age = ctx.has_age
    selectable = [g for g in measures.AT_RISK_GROUPS if not ctx.f.groups or g in ctx.f.groups] if has_age else []
    return {
        "has_age": has_age,
        "synthetic": ctx.synthetic,
        "published": _published(ctx.f),
        "groups": {g: ctx.group_name(g) for g in selectable},
        "proxy_crimes": proxy_crimes(ctx) if not has_age else [],
        "complete_years": ctx.complete_years(),
    }


def definitions(ctx: Context) -> pd.DataFrame:
    """The age bands and their legal basis, as a display table."""
    ref = queries.age_groups(ctx.con)
    yes, no = ctx.t("gr_yes"), ctx.t("gr_no")

    def ages(row) -> str:
        if pd.isna(row["min_age"]):
            return "–"
        if row["max_age"] >= 120:
            return ctx.t("gr_ages_plus", min=int(row["min_age"]))
        return f"{int(row['min_age'])}–{int(row['max_age'])}"

    return pd.DataFrame({
        ctx.t("victim_group"): ref[f"name_{ctx.lang}"],
        ctx.t("gr_ages"): [ages(r) for _, r in ref.iterrows()],
        ctx.t("gr_at_risk"): [yes if v else no for v in ref["is_at_risk"]],
        ctx.t("gr_minor"): [yes if v else no for v in ref["is_minor"]],
        ctx.t("gr_legal_basis"): ref[f"legal_basis_{ctx.lang}"],
    })
