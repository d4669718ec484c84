"""At-risk groups compared by reports: counts by year (gr_counts), growth (gr_growth) and the victims'
sex (gr_sex)."""

from __future__ import annotations

import pandas as pd

from cybertrends import i18n, measures
from cybertrends.charts import chart
from cybertrends.charts.base import MUTED, Context
from cybertrends.charts.figure import Figure
from cybertrends.charts.groups.common import (
    GROUP_COLORS,
    GROUP_ORDER,
    SEX_COLORS,
    SEX_ORDER,
    _allowed_groups,
    _axis_label,
    _candidates,
    _category,
    _gaps_as_nan,
    _grid,
    _group_bars,
    _group_counts,
    _headline_year,
    _shade_years,
    _share_hover,
    _short,
    _style,
    _subject,
    _victims,
    _with_display,
    _year_notes,
    _years,
    year_views,
)
from cybertrends.chartspec import ChartSpec


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

    fig = Figure()
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
    fig = _group_bars(groups, names, df["growth"], df["growth_display"], hover, name=ctx.t("gr_growth"),
                      y_title=ctx.t("gr_growth_axis", prev=prev_label))
    fig.update_yaxes(rangemode="normal", zeroline=True, zerolinewidth=1.5, ticksuffix=" %")

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
    fig = Figure()
    for s in SEX_ORDER:
        part = df[df["victim_sex"] == s]
        hover = _share_hover([group_names[g] for g in part["victim_age_group"]], [sex_names[s]] * len(part), part)
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
