"""What the reports are made of: each crime type's share of the total (ct_share) and the modality and
channel breakdowns of record-level sources (ct_modality, ct_channel)."""

from __future__ import annotations

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, Context, style
from cybertrends.charts.crime_types.common import (
    DISPLAY,
    SERIES_COLOURS,
    UNKNOWN,
    _hbar_layout,
    _legend_below,
    _pct,
    _ranked,
    _share_text,
    _subtitle,
    _total,
    axis_crime,
    span_name,
    unspecified_caveat,
    wrap_label,
)
from cybertrends.charts.figure import Figure
from cybertrends.chartspec import ChartSpec


@chart("ct_share")
def ct_share(ctx: Context) -> ChartSpec | None:
    """Share (%) of each crime type in the reports of the selected period: each type's
    published count over the published total (a cell of its own)."""
    total = _total(ctx, ctx.f)
    if total == 0:
        return None
    cells = queries.counts(ctx.con, ctx.f, ("crime_code",), money=False)
    cells = cells[cells["report_count"] > 0].copy()
    cells["share"] = [measures.share_pct(n, total) for n in cells["report_count"]]
    indexed = cells.set_index("crime_code")
    cells = indexed.loc[_ranked(indexed["report_count"])].reset_index()
    shown = cells.iloc[::-1]
    if shown.empty:
        return None
    cells[DISPLAY] = [_share_text(v, ctx) for v in cells["share"]]
    fig = Figure()
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
    if not ctx.reference(queries.recorded_breakdowns, ctx.f.source)[dim]:
        return None
    conf = BREAKDOWNS[dim]
    by_year = bool(int(ctx.options.get("by_year", 0)))
    overall = queries.modality_counts(ctx.con, ctx.f, (dim,))
    overall[dim] = overall[dim].fillna(UNKNOWN)
    overall = overall[overall["report_count"] > 0]
    total = _total(ctx, ctx.f)
    if overall.empty or total == 0:
        return None
    ref = ctx.reference(conf["names"]).set_index(dim)[f"name_{ctx.lang}"]

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
    fig = Figure()

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
