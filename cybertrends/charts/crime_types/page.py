"""Why the Crime types page cannot show a chart for this source or selection (notices)."""

from __future__ import annotations

from datetime import date

from cybertrends import measures, queries
from cybertrends.charts.base import Context
from cybertrends.charts.crime_types.common import span_name


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
    recorded = ctx.reference(queries.recorded_breakdowns, ctx.f.source)
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
