"""The legal proxy for minors for sources without victim age (Ley 30096 art. 5): its trend by year
(gr_minor_proxy) and its rate per 100,000 people aged 0-17 by region (gr_minor_rate)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, Context
from cybertrends.charts.figure import Figure
from cybertrends.charts.groups.common import (
    FEW_REPORTS,
    YearView,
    _category,
    _fmt_rate,
    _gaps_as_nan,
    _grid,
    _headline_year,
    _overall_line,
    _population,
    _published,
    _rates,
    _shade_years,
    _style,
    _total,
    _with_display,
    _year_filters,
    _year_notes,
    _years_label,
    year_views,
)
from cybertrends.chartspec import ChartSpec

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
    return [ART_5] if ART_5 in set(ctx.reference(queries.crimes_with_data, ctx.f.source)) else []


def _published_note(ctx: Context) -> list[str]:
    return [ctx.t("gr_note_published")] if _published(ctx.f) else []


@chart("gr_minor_proxy")
def gr_minor_proxy(ctx: Context) -> ChartSpec | None:
    """The legal proxy for minors, per year: reports under Ley 30096 art. 5, whose victims are
    children and adolescents by definition. A year with no file is a gap (the line breaks, the
    table says "sin archivo"); a partial year is drawn apart (open marker, shaded) and never
    joined to the full years. Uses art. 5 whatever the crime-type filter says."""
    if not proxy_crimes(ctx):
        return None
    pf = ctx.f.with_(crimes=(ART_5,), groups=())
    raw = queries.counts(ctx.con, pf, ("period_start",), grain="year", money=False)  # one cell per year
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
    fig = Figure()
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
        return queries.counts(ctx.con, sf, ("region_code",), money=False), _total(ctx, sf)
    # A partial year between complete ones happens only in a source with gaps between files,
    # i.e. a published aggregate (record-level sources cover every month from their first to
    # their last, so their complete years are consecutive). Its counts are exact: the sum of
    # the years is the count of the span.
    if not _published(pf):
        raise ValueError("record-level cells are never added up")
    raw = queries.counts(ctx.con, pf, ("period_start", "region_code"), grain="year", money=False)
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
    region_codes = list(ctx.f.regions) or list(ctx.reference(queries.regions)["region_code"])
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
    fig = Figure()
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
