"""At-risk groups compared fairly: reports per 100,000 people of each group, by group or, for one
group, by region (gr_rates)."""

from __future__ import annotations

import pandas as pd

from cybertrends import measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import Context
from cybertrends.charts.figure import Figure
from cybertrends.charts.groups.common import (
    GROUP_COLORS,
    KNOWN_GROUPS,
    _allowed_groups,
    _candidates,
    _fmt_rate,
    _grid,
    _group_allowed,
    _group_bars,
    _group_counts,
    _overall_line,
    _population,
    _rates,
    _regions_note,
    _short,
    _style,
    _subject,
    _total,
    _unit,
    _what,
    _with_display,
    rate_period,
)
from cybertrends.chartspec import ChartSpec


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
    fig = _group_bars(df["victim_age_group"], names, df["rate"], df["rate_display"], hover, name=ctx.t("gr_rate"),
                      y_title=ctx.t("gr_rate_axis"))

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


def _rates_by_region(ctx: Context, group: str) -> ChartSpec | None:
    if group not in KNOWN_GROUPS or not _group_allowed(ctx, group):
        return None
    rf, period, annual = rate_period(ctx)
    gf = rf.with_(groups=(group,))
    raw = queries.counts(ctx.con, gf, ("region_code",), money=False)
    if raw.empty or not (raw["report_count"] > 0).any():
        return None
    region_codes = list(ctx.f.regions) or list(ctx.reference(queries.regions)["region_code"])
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
    fig = Figure()
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
