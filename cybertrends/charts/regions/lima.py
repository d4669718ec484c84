"""Lima Metropolitana against the rest of Lima region (rg_lima): when the source can tell them apart,
and their totals."""

from __future__ import annotations

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import PALETTE, Context, style
from cybertrends.charts.figure import Figure
from cybertrends.charts.regions.basis import LIMA, basis_text, rate_basis, selection_text
from cybertrends.charts.regions.trends import _counts_display, _mark_missing, _period_notes, _x, series_frame
from cybertrends.charts.regions.values import _runs, _subtitle, _total_count
from cybertrends.chartspec import ChartSpec


def lima_status(ctx: Context) -> str:
    """'ok', or why the split is not shown: 'not_split' (a source without it), 'not_in_filter'
    (the regions filter leaves Lima out)."""
    if not ctx.reference(queries.lima_split_available, ctx.f.source):
        return "not_split"
    if ctx.f.regions and LIMA not in ctx.f.regions:
        return "not_in_filter"
    return "ok"


def lima_has_rate(ctx: Context) -> bool:
    """Whether the Lima split shows rates: not under a victim-group filter, as there is no
    population by age for Lima Metropolitana and the rest of Lima (a rate of some groups'
    reports over everyone would understate it)."""
    return not (ctx.f.groups and ctx.has_age)


@chart("rg_lima")
def lima_split(ctx: Context) -> ChartSpec | None:
    """Lima Metropolitana vs the rest of Lima region: reports (and, without a victim-group
    filter, the rate per 100,000) over time. Each area and period is a published cell."""
    if lima_status(ctx) != "ok":
        return None
    f, lang = ctx.f, ctx.lang
    df = queries.lima_split(ctx.con, f)
    if df.empty or df["report_count"].fillna(0).sum() == 0:
        return None
    areas = ctx.reference(queries.lima_areas).set_index("lima_area")
    parts = []
    for area in areas.index:
        frame = series_frame(ctx, df[df["lima_area"] == area])
        parts.append(frame.assign(lima_area=area))
    df = pd.concat(parts, ignore_index=True)
    df["report_count_display"] = _counts_display(ctx, df)
    pop = df["lima_area"].map(areas["population_2020"]).astype("float64")
    df["rate"] = df["report_count"] / pop * 100_000
    df["area_name"] = df["lima_area"].map(areas[f"name_{lang}"])
    monthly = f.grain == "month"
    per = ctx.t("rg_per_month" if monthly else "rg_per_year")
    with_rate = lima_has_rate(ctx)

    titles = [ctx.t("rg_lima_panel_reports", per=per)] + ([ctx.t("rg_lima_panel_rate", per=per)] if with_rate else [])
    fig = Figure.stacked(titles, vertical_spacing=0.09)
    mode = "lines" if monthly else "lines+markers"
    colours = {area: PALETTE[0] if area == "metro" else PALETTE[1] for area in areas.index}
    for area in areas.index:
        part = df[df["lima_area"] == area]
        full = part["state"] == "complete"
        x = _x(part, monthly)
        hover = [f"{n}: {d}" for n, d in zip(part["area_name"], part["report_count_display"])]
        fig.add_scatter(x=x, y=part["report_count"].where(full), name=part["area_name"].iloc[0], mode=mode,
                        connectgaps=False, line=dict(color=colours[area], width=2), legendgroup=area, hovertext=hover,
                        hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
        if with_rate:
            rate_hover = [f"{n}: {i18n.fmt_num(r, lang, 2)}" for n, r in zip(part["area_name"], part["rate"])]
            fig.add_scatter(x=x, y=part["rate"].where(full).round(2), name=part["area_name"].iloc[0], mode=mode,
                            connectgaps=False, line=dict(color=colours[area], width=2, dash="solid" if area == "metro" else "dot"),
                            legendgroup=area, showlegend=False, hovertext=rate_hover,
                            hovertemplate="%{hovertext}<extra></extra>", row=2, col=1)
    # Part-periods: hollow points, not joined to the full periods' line.
    for area in areas.index:
        part = df[(df["lima_area"] == area) & (df["state"] == "partial")]
        if part.empty:
            continue
        x = _x(part, monthly)
        marker = dict(size=9, color="white", line=dict(color=colours[area], width=2))
        name = f"{part['area_name'].iloc[0]} · {ctx.t('rg_partial_points')}"
        fig.add_scatter(x=x, y=part["report_count"], name=name, mode="markers", marker=marker, legendgroup=area,
                        hovertext=[f"{n}: {d}" for n, d in zip(part["area_name"], part["report_count_display"])],
                        hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
        if with_rate:
            fig.add_scatter(x=x, y=part["rate"].round(2), name=name, mode="markers", marker=marker, legendgroup=area,
                            showlegend=False, hovertext=[f"{n}: {i18n.fmt_num(r, lang, 2)}" for n, r in zip(part["area_name"], part["rate"])],
                            hovertemplate="%{hovertext}<extra></extra>", row=2, col=1)
    style(fig, height=540 if with_rate else 380)
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(title_text=ctx.t("reports"), row=1, col=1)
    if with_rate:
        fig.update_yaxes(title_text=ctx.t("rg_unit_rate_short"), row=2, col=1)
    fig.update_annotations(font_size=13, x=0, xanchor="left")
    if not monthly:
        fig.update_xaxes(type="category")
        _mark_missing(ctx, fig, df, xref="x2" if with_rate else "x", yref="y2 domain" if with_rate else "y domain")

    notes = ctx.notes()
    notes.append(ctx.t("rg_lima_note_areas"))
    if f.source == "mpfn":
        notes.append(ctx.t("rg_lima_note_mpfn"))
    if not with_rate:
        notes.append(ctx.t("rg_lima_note_groups_pop"))
    notes += _period_notes(ctx, df) + ctx.cell_key_notes()

    table = pd.DataFrame({
        ctx.t("period"): df["label"].to_numpy(),
        ctx.t("rg_col_area"): df["area_name"].to_numpy(),
        ctx.t("reports"): df["report_count"].to_numpy(),
        "display": df["report_count_display"].to_numpy(),
    })
    if with_rate:
        table[ctx.t("rg_col_rate_period", per=per)] = df["rate"].round(2).to_numpy()
    table[ctx.t("status")] = [ctx.period_status(p) for p in df["period_start"]]
    return ChartSpec(
        chart_id="rg_lima", kind="line", title=_lima_title(ctx, areas), source_line=ctx.source_line(),
        subtitle=_subtitle(ctx, selection_text(ctx), extra=ctx.t("rg_lima_subtitle")),
        figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        series=ctx.t("rg_col_area"), lang=lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


def lima_totals(ctx: Context, periods) -> tuple[float, float, float]:
    """(Lima Metropolitana, rest of Lima, Lima region) reports over `periods`, as published.

    Lima region is its own cell (the same one the map shows for Lima), never metro + rest;
    each area is one cell per run of consecutive periods (one cell when the periods have no
    gap)."""
    f = ctx.f
    frames = [queries.lima_split(ctx.con, f.with_(period_from=a, period_to=b), by_period=False)
              for a, b in _runs(ctx, periods)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["lima_area", "report_count"])
    by_area = pd.to_numeric(df["report_count"], errors="coerce").fillna(0.0).groupby(df["lima_area"]).sum()
    region = _total_count(ctx, f.with_(regions=(LIMA,)), periods)
    return float(by_area.get("metro", 0.0)), float(by_area.get("rest", 0.0)), region


def _lima_title(ctx: Context, areas: pd.DataFrame) -> str:
    """Metro's share of Lima region's reports (the region's own count), and both areas' rates
    over the complete periods (no rates under a victim-group filter)."""
    lang = ctx.lang
    basis = rate_basis(ctx)
    period = basis_text(ctx, basis) if basis.periods else selection_text(ctx)
    if not basis.periods:
        return ctx.t("rg_lima_title_plain", period=period)
    metro, rest, region = lima_totals(ctx, basis.periods)
    if region == 0:
        return ctx.t("rg_lima_title_plain", period=period)
    share = measures.share_pct(metro, region)
    if not lima_has_rate(ctx):
        return ctx.t("rg_lima_title_share", share=i18n.fmt_pct(share, lang), period=period)
    r_metro = measures.rate_per_100k(metro, areas.loc["metro", "population_2020"]) / basis.years
    r_rest = measures.rate_per_100k(rest, areas.loc["rest", "population_2020"]) / basis.years
    key = "rg_lima_title_annual" if basis.annual_average else "rg_lima_title"
    return ctx.t(key, share=i18n.fmt_pct(share, lang), metro=i18n.fmt_num(r_metro, lang, 1),
                 rest=i18n.fmt_num(r_rest, lang, 1), period=period)
