"""What drives the change: each crime type's or region's contribution to it (overview_contrib)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import Context, style
from cybertrends.charts.figure import Figure
from cybertrends.charts.overview.periods import _total, span_label
from cybertrends.chartspec import ChartSpec

UP = "#D55E00"  # more reports (Okabe–Ito vermillion, as on the crime types page)


DOWN = "#0072B2"  # fewer reports (Okabe–Ito blue)


TOTAL = "#3E4C59"


AXIS_LINE = 28  # characters per line of a name on the contribution chart's axis (two lines at most)


# What drives the change ----------------------------------------------------------------------

BY = {"crime": "crime_code", "region": "region_code"}


@dataclass
class Contribution:
    """Each part's change between two comparable spans, and the change in the total.

    Parts and totals are published cells (cell-key method for record-level sources): the two
    totals are cells of their own, so the parts may not add up exactly to them; `rounding` is
    the difference (always 0 for published aggregates such as MPFN)."""

    by: str
    cur_from: date
    cur_to: date
    prev_from: date
    prev_to: date
    cur_label: str
    prev_label: str
    frame: pd.DataFrame  # index: part key; columns prev, cur, change (ints), sorted by change
    names: dict  # part key -> name shown
    total_prev: int  # the total of each span: its own cell, not the sum of the parts
    total_cur: int

    @property
    def total_change(self) -> int:
        """The change in the total between the spans, from the totals' own cells (not the parts' sum)."""
        return self.total_cur - self.total_prev

    @property
    def rounding(self) -> dict[str, int]:
        """What the parts miss of the totals (prev, cur, change): the protection's noise."""
        prev = self.total_prev - int(self.frame["prev"].sum())
        cur = self.total_cur - int(self.frame["cur"].sum())
        return {"prev": prev, "cur": cur, "change": cur - prev}

    @property
    def lead(self):
        """The part that moved most in the direction of the total (None if none did)."""
        if self.frame.empty:
            return None
        if self.total_change > 0:
            key = self.frame["change"].idxmax()
            return key if self.frame.at[key, "change"] > 0 else None
        if self.total_change < 0:
            key = self.frame["change"].idxmin()
            return key if self.frame.at[key, "change"] < 0 else None
        return None


def comparison_spans(ctx: Context) -> tuple[date, date, date, date] | None:
    """(cur_from, cur_to, prev_from, prev_to) of the two latest comparable spans: for yearly
    data the latest period and the one a year earlier covering the same days
    (ctx.periods.latest_comparable_pair); for monthly data ctx.span()."""
    if ctx.f.grain == "year":
        pair = ctx.periods.latest_comparable_pair(ctx.f)
        if pair is None:
            return None
        cur, prev = pair
        return cur, cur, prev, prev
    span = ctx.span()
    if span is None:
        return None
    return span.current_from, span.current_to, span.previous_from, span.previous_to


def contributions(ctx: Context, by: str = "crime") -> Contribution | None:
    """Each crime type's (`by="crime"`) or region's (`by="region"`) contribution to the change
    in reports between the two latest comparable spans, or None without such spans.

    Every part is a published cell, and so is each span's total (queried on its own)."""
    if by not in BY:
        raise ValueError(f"by must be one of {sorted(BY)}, not {by!r}")
    spans = comparison_spans(ctx)
    if spans is None:
        return None
    cur_from, cur_to, prev_from, prev_to = spans
    column = BY[by]
    cur_f = ctx.f.with_(period_from=cur_from, period_to=cur_to)
    prev_f = ctx.f.with_(period_from=prev_from, period_to=prev_to)
    cur = queries.counts(ctx.con, cur_f, (column,), money=False)
    prev = queries.counts(ctx.con, prev_f, (column,), money=False)
    frame = (pd.DataFrame({"prev": prev.set_index(column)["report_count"]})
             .join(pd.DataFrame({"cur": cur.set_index(column)["report_count"]}), how="outer")
             .fillna(0).astype("int64"))
    frame.index = frame.index.astype(object).where(frame.index.notna(), None)
    frame = frame[(frame["prev"] != 0) | (frame["cur"] != 0)]
    total_prev, total_cur = _total(ctx, prev_f), _total(ctx, cur_f)
    if frame.empty and total_prev == 0 and total_cur == 0:
        return None
    frame["change"] = frame["cur"] - frame["prev"]
    names = {k: _part_name(ctx, by, k) for k in frame.index}
    order = sorted(frame.index, key=lambda k: (-frame.at[k, "change"], names[k]))
    frame = frame.loc[order]
    return Contribution(by, cur_from, cur_to, prev_from, prev_to,
                        span_label(ctx, cur_from, cur_to), span_label(ctx, prev_from, prev_to),
                        frame, names, total_prev, total_cur)


def _part_name(ctx: Context, by: str, key) -> str:
    if key is None or (isinstance(key, float) and np.isnan(key)):
        return ctx.t("contrib_unknown")
    return ctx.crime_name(key) if by == "crime" else ctx.region_name(key)


def _wrap(text: str, width: int = AXIS_LINE) -> str:
    """A long axis label on up to two lines (the full name is in the hover and the table)."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    first, rest = text[:cut], text[cut:].strip()
    if len(rest) > width:
        rest = rest[: width - 1].rstrip() + "…"
    return f"{first}<br>{rest}"


def _signed(value: int, lang: str) -> str:
    """+7,997 / −24 / 0: a change with its sign (Unicode minus)."""
    return ("+" if value > 0 else "−" if value < 0 else "") + i18n.fmt_int(abs(value), lang)


@chart("overview_contrib")
def overview_contrib(ctx: Context) -> ChartSpec | None:
    """What drives the change: each crime type's (option by="crime", default) or region's
    (by="region") contribution to the change in reports between the two latest comparable
    spans, as a sorted horizontal waterfall ending in the total change."""
    by = ctx.options.get("by", "crime")
    c = contributions(ctx, by)
    if c is None or (c.total_prev == 0 and c.total_cur == 0):
        return None
    lang = ctx.lang
    names = [c.names[k] for k in c.frame.index]
    changes = [int(v) for v in c.frame["change"]]
    prevs, curs = [int(v) for v in c.frame["prev"]], [int(v) for v in c.frame["cur"]]
    # The parts and the totals are published cells: what the parts miss of the totals (a few
    # reports of protection noise) is a row of its own, so every column adds up to its total.
    rounding = c.rounding
    if rounding["prev"] or rounding["cur"]:
        names.append(ctx.t("contrib_rounding"))
        changes.append(rounding["change"])
        prevs.append(rounding["prev"])
        curs.append(rounding["cur"])
    total_label = ctx.t("contrib_total")
    axis_names = [_wrap(n) for n in names] + [total_label]
    fig = Figure().add_waterfall(
        orientation="h", y=axis_names, customdata=names + [total_label], x=changes + [c.total_change],
        measure=["relative"] * len(names) + ["total"],
        # the total is the longest bar: its value inside it, so it never runs off a phone's edge
        text=[_signed(v, lang) for v in changes + [c.total_change]],
        textposition=["outside"] * len(names) + ["inside"], insidetextfont=dict(color="white"),
        increasing=dict(marker=dict(color=UP)), decreasing=dict(marker=dict(color=DOWN)),
        totals=dict(marker=dict(color=TOTAL)), connector=dict(line=dict(color="#CBD2D9", width=1)),
        hovertemplate="%{customdata}: %{text}<extra></extra>", cliponaxis=False,
    )
    row = 42 if any("<br>" in n for n in axis_names) else 30
    style(fig, x_title=ctx.t("contrib_axis"), height=max(360, 110 + row * len(axis_names)))
    fig.update_yaxes(autorange="reversed", type="category", ticksuffix=" ")
    # Room for the value written beyond each bar's end.
    ends = np.concatenate([[0], np.cumsum(changes)])
    lo, hi = float(min(ends.min(), 0)), float(max(ends.max(), 0))
    pad = 0.45 * (hi - lo or 1)  # room for "+10,516" past the total's bar, on a phone too
    fig.update_xaxes(range=[lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)], zeroline=True, nticks=5)
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(r=40))

    label = ctx.t("crime_type") if by == "crime" else ctx.t("region")
    change_col = ctx.t("contrib_col")
    share = [measures.share_pct(v, c.total_change) if c.total_change else None for v in changes + [c.total_change]]
    table = pd.DataFrame({
        label: names + [total_label],
        ctx.t("contrib_reports_in", period=c.prev_label): prevs + [c.total_prev],
        ctx.t("contrib_reports_in", period=c.cur_label): curs + [c.total_cur],
        change_col: changes + [c.total_change],
        "display": [_signed(v, lang) for v in changes + [c.total_change]],
        ctx.t("contrib_share_col"): [None if s is None else round(s, 1) for s in share],
    })
    notes = ctx.notes(regional=by == "region")
    if any(rounding.values()):
        notes.append(ctx.t("note_contrib_rounding", total=_signed(c.total_change, lang)))
    else:
        notes += ctx.cell_key_notes()
        notes.append(ctx.t("note_contrib_sum", total=_signed(c.total_change, lang)))
    if ctx.f.grain == "month" and (c.cur_from.month, c.cur_to.month) != (1, 12):
        notes.append(ctx.t("note_contrib_same_months", cur=c.cur_label, prev=c.prev_label))
    lead = c.lead
    if lead is not None:
        key = "contrib_title_up" if c.total_change > 0 else "contrib_title_down"
        title = ctx.t(key, name=c.names[lead], part=_signed(int(c.frame.at[lead, "change"]), lang),
                      total=_signed(c.total_change, lang), prev=c.prev_label, cur=c.cur_label)
    else:
        title = ctx.t("contrib_title_flat", total=_signed(c.total_change, lang), prev=c.prev_label, cur=c.cur_label)
    subtitle = f"{ctx.t('contrib_pair', cur=c.cur_label, prev=c.prev_label)} · {ctx.filters_label()}"
    return ChartSpec(
        chart_id="overview_contrib", kind="hbar", title=title, subtitle=subtitle,
        source_line=ctx.source_line(c.prev_from, c.cur_to), figure=fig, data=table, x=label, y=change_col,
        lang=lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )
