"""The crimes each at-risk group reports most (gr_top_crimes): one group's profile or the groups side
by side."""

from __future__ import annotations

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import Context
from cybertrends.charts.figure import Figure
from cybertrends.charts.groups.common import (
    GROUP_COLORS,
    TOP_N,
    TOP_N_COMPARE,
    _allowed_groups,
    _group_allowed,
    _share_hover,
    _short,
    _style,
    _total,
    _victims,
    _with_display,
    _wrap,
)
from cybertrends.chartspec import ChartSpec


def _crime_profile(ctx: Context, group: str) -> pd.DataFrame:
    """Published counts by crime type for one group, with shares of the group's published
    total (a cell of its own: the shares need not add up to 100 %)."""
    gf = ctx.f.with_(groups=(group,))
    raw = queries.counts(ctx.con, gf, ("crime_code",), money=False)
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
    fig = Figure()
    for g in profiles:
        part = df[df["victim_age_group"] == g]
        hover = _share_hover([ctx.group_name(g)] * len(part), [crime_names[c] for c in part["crime_code"]], part)
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
    fig = Figure()
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
