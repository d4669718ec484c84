"""Growth by crime type: the index over complete years (ct_index), the year-on-year change (ct_yoy) and
the compound annual growth (ct_cagr)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import MUTED, Context, hline, style, vline_note
from cybertrends.charts.crime_types.common import (
    DISPLAY,
    DOWN,
    OTHER,
    REFERENCE_LINE,
    SERIES_COLOURS,
    TOP_N,
    UP,
    _by_year,
    _hbar_layout,
    _left_out_notes,
    _legend_below,
    _mark_unspecified_years,
    _pct,
    _ranked,
    _span_is_whole_year,
    _subtitle,
    _total,
    _year_bounds,
    _years_filter,
    axis_crime,
    short_crime,
    unspecified_caveat,
)
from cybertrends.charts.figure import Figure
from cybertrends.chartspec import ChartSpec


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
    by_type = queries.counts(ctx.con, f_years, ("period_start", "crime_code"), grain="year", money=False)
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
        series[OTHER] = _by_year(queries.counts(ctx.con, f_years.with_(crimes=others), ("period_start",), grain="year", money=False))
    # A complete year without reports of a type is a zero; a year that is not complete is NaN.
    raw = pd.DataFrame({s: v.reindex(years, fill_value=0).reindex(axis) for s, v in series.items()}).T
    order = list(series)

    y_col = ctx.t("ct_index_col", first=first)
    gap_text = {y: (ctx.period_status(date(y, 1, 1)) if ctx.f.grain == "year" else ctx.t("incomplete").lower()) for y in gaps}
    rows, best, not_computable = [], None, []
    fig = Figure()
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
    hline(fig, 100, line=dict(color=REFERENCE_LINE, width=1, dash="dot"))
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


def growth_table(ctx: Context, base_f, last_f, years: int) -> pd.DataFrame:
    """Per crime type: base and last counts (published cells), growth (CAGR over `years` years,
    which for one year is the plain change), whether the base is large enough to rank, and why
    a growth is missing. Plus a final row for the total (code None), from the totals of the two
    spans queried as cells of their own."""
    b = queries.counts(ctx.con, base_f, ("crime_code",), money=False).set_index("crime_code")["report_count"]
    last = queries.counts(ctx.con, last_f, ("crime_code",), money=False).set_index("crime_code")["report_count"]
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
    fig = Figure()
    fig.add_bar(
        y=[axis_crime(ctx, c) for c in shown["code"]], x=shown["growth"], orientation="h", marker_color=colours,
        text=[_pct(g, ctx) for g in shown["growth"]], textposition="outside", cliponaxis=False,
        customdata=list(zip([ctx.crime_name(c) for c in shown["code"]], shown["base_display"], shown["last_display"])),
        hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{base_label}: %{{customdata[1]}}<br>"
                       f"{last_label}: %{{customdata[2]}}<br>%{{text}}<extra></extra>"),
        showlegend=False,
    )
    if pd.notna(total["growth"]):
        vline_note(fig, float(total["growth"]), ctx.t("ct_total_line", pct=_pct(total["growth"], ctx)), 12,
                   line=dict(color=REFERENCE_LINE, width=1.5, dash="dash"))
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
