"""Data & methods page: display tables of sources, definitions, load log, and the download
of the aggregated data (as published: record-level counts through the cell-key method)."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, measures, queries
from cybertrends.charts.base import Context
from cybertrends.chartspec import ChartSpec
from cybertrends.disclosure import RECORD_LEVEL_SOURCES


def sources_table(ctx: Context) -> pd.DataFrame:
    """One row per source for the methods page: publisher, what it counts, grain, coverage, cut date,
    published reports, licence and link."""
    df = queries.sources(ctx.con)
    lang = ctx.lang
    return pd.DataFrame({
        ctx.t("md_col_source"): df[f"name_{lang}"],
        ctx.t("md_col_publisher"): df[f"publisher_{lang}"],
        ctx.t("md_col_counts"): df[f"counts_{lang}"],
        ctx.t("md_col_grain"): [ctx.t(f"md_grain_{g}") for g in df["period_grain"]],
        ctx.t("md_col_coverage"): [
            i18n.fmt_span(a.replace(day=1), b.replace(day=1), g, lang)
            for a, b, g in zip(df["first_date"], df["last_date"], df["period_grain"])
        ],
        ctx.t("md_col_as_of"): [i18n.fmt_date(d, lang) for d in df["data_as_of"]],
        ctx.t("md_col_reports"): [i18n.fmt_int(n, lang) for n in df["report_count"]],
        ctx.t("md_col_licence"): df["licence"],
        ctx.t("md_col_link"): df["url"].fillna(""),
    })


def crime_table(ctx: Context) -> pd.DataFrame:
    """The crime types: article, law, chapter, name and note, in the reader's language."""
    df = queries.crimes(ctx.con)
    lang = ctx.lang
    return pd.DataFrame({
        ctx.t("md_col_code"): df["article"],
        ctx.t("md_col_law"): df["law"],
        ctx.t("md_col_chapter"): df[f"chapter_{lang}"],
        ctx.t("md_col_name"): df[f"name_{lang}"],
        ctx.t("md_col_note"): df[f"note_{lang}"].fillna(""),
    })


def age_table(ctx: Context) -> pd.DataFrame:
    """The victim age groups: name, ages ('18–29', '60+'), whether at risk, and legal basis."""
    df = queries.age_groups(ctx.con)
    lang = ctx.lang

    def ages(row) -> str:
        if pd.isna(row.min_age):
            return "–"
        return f"{int(row.min_age)}+" if row.max_age >= 120 else f"{int(row.min_age)}–{int(row.max_age)}"

    return pd.DataFrame({
        ctx.t("md_col_group"): df[f"name_{lang}"],
        ctx.t("md_col_ages"): [ages(r) for r in df.itertuples()],
        ctx.t("md_col_at_risk"): [ctx.t("md_yes") if v else ctx.t("md_no") for v in df["is_at_risk"]],
        ctx.t("md_col_basis"): df[f"legal_basis_{lang}"],
    })


def series_table(ctx: Context) -> pd.DataFrame:
    """The published-aggregate series year by year (or month by month): the file behind each
    period, the months it covers, its cut date, its reports, and the gaps (no file)."""
    df = queries.file_periods(ctx.con)
    names = queries.sources(ctx.con).set_index("source")[f"name_{ctx.lang}"]
    rows = []
    for source, part in df.groupby("source", sort=False):
        grain = part["period_grain"].iloc[0]
        starts = [pd.Timestamp(p).date() for p in part["period_start"]]
        by_start = {s: r for s, r in zip(starts, part.itertuples())}
        for p in measures.period_range(min(starts), max(starts), grain):
            r = by_start.get(p)
            if r is None:
                rows.append((names.get(source, source), i18n.fmt_period(p, grain, ctx.lang), ctx.t("md_no_file_period"),
                             "–", "–", None, None))
                continue
            cover = measures.Cover(p, grain, p, pd.Timestamp(r.period_end).date())
            covered = (ctx.t("complete") if cover.complete else
                       ctx.t("partial_period", months=i18n.fmt_cover_months(p, cover.covered_to, ctx.lang)))
            rows.append((names.get(source, source), i18n.fmt_period(p, grain, ctx.lang), covered, r.file_name,
                         i18n.fmt_date(r.data_as_of, ctx.lang) if not pd.isna(r.data_as_of) else "–",
                         None if pd.isna(r.ley_30096) else int(r.ley_30096),
                         None if pd.isna(r.penal_code) else int(r.penal_code)))
    out = pd.DataFrame(rows, columns=[ctx.t("md_col_source"), ctx.t("period"), ctx.t("md_col_covers"),
                                      ctx.t("md_col_file"), ctx.t("md_col_cut"), ctx.t("md_col_ley"),
                                      ctx.t("md_col_penal")])
    for col in (ctx.t("md_col_ley"), ctx.t("md_col_penal")):
        out[col] = out[col].astype("Int64")
    return out


# The ETL's notes (load_log.message, written in English for the data steward) -> messages in
# the reader's language. A note no pattern knows is shown as written.
_NOTE_PATTERNS = [
    (re.compile(r"^unquoted commas repaired"), "md_note_repaired"),
    (re.compile(r"^(?P<n>\d+) rows without the office's ubigeo or department"), "md_note_by_district"),
    (re.compile(r"^dates read as (?P<fmt>.+)$"), "md_note_dates"),
    (re.compile(r"^read as (?P<enc>.+) \(not UTF-8\)$"), "md_note_encoding"),
    (re.compile(r"^unknown (?P<what>modality|channel) values kept as 'other': (?P<values>.*)$"), "md_note_unknown"),
    (re.compile(r"^only the 'Estafa' modality is loaded"), "md_note_sidpol"),
    (re.compile(r"^same content as the loaded version"), "md_note_unchanged"),
    (re.compile(r"^fiscal districts mapped to departments"), "md_note_fiscal_mapping"),
]


def load_note(message: str | None, ctx: Context) -> str:
    """A load-log message in the reader's language (each '; '-separated note translated)."""
    out = []
    for note in filter(None, (message or "").split("; ")):
        for pattern, key in _NOTE_PATTERNS:
            m = pattern.match(note)
            if m:
                values = m.groupdict()
                if "what" in values:
                    values["what"] = ctx.t(f"md_note_{values['what']}")
                out.append(ctx.t(key, **values))
                break
        else:
            out.append(note)
    return "; ".join(out)


def load_log_table(ctx: Context) -> pd.DataFrame:
    """The load log for readers, newest first: file, source, status, cut date, load time, row counts and
    the ETL's notes translated."""
    df = queries.load_log(ctx.con)
    names = queries.sources(ctx.con).set_index("source")[f"name_{ctx.lang}"]
    return pd.DataFrame({
        ctx.t("md_col_file"): df["file_name"],
        ctx.t("md_col_source"): [names.get(s, s) for s in df["source"]],
        ctx.t("md_col_status"): [ctx.t(f"md_status_{s}") for s in df["status"]],
        ctx.t("md_col_cut"): [i18n.fmt_date(d, ctx.lang) if not pd.isna(d) else "–" for d in df["data_as_of"]],
        ctx.t("md_col_loaded_at"): df["loaded_at"].dt.strftime("%Y-%m-%d %H:%M"),
        ctx.t("md_col_read"): df["rows_read"],
        ctx.t("md_col_loaded"): df["rows_loaded"],
        ctx.t("md_col_rejected"): df["rows_rejected"],
        ctx.t("md_col_out_of_scope"): df["rows_out_of_scope"],
        ctx.t("md_col_message"): [load_note(m, ctx) for m in df["message"]],
    })


def rejections_table(ctx: Context) -> pd.DataFrame:
    """Rejected rows counted per file, column and reason."""
    df = queries.rejected_summary(ctx.con)
    return pd.DataFrame({
        ctx.t("md_col_file"): df["file_name"],
        ctx.t("md_col_column"): df["column_name"],
        ctx.t("md_col_reason"): df["reason"],
        ctx.t("md_col_rows"): df["row_count"],
    })


def download_spec(ctx: Context) -> ChartSpec | None:
    """`report_counts` under the filters as an exportable table, every row a published cell
    (record-level sources through the cell-key method)."""
    df = queries.report_counts_table(ctx.con, ctx.f)
    if df.empty:
        return None
    out = df.copy()
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.strftime("%Y-%m-%d")
    out["period_end"] = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
    notes = ctx.notes(regional=True)
    if ctx.f.source in RECORD_LEVEL_SOURCES:
        notes.append(ctx.t("disclosure_note"))
    return ChartSpec(
        chart_id="report_counts", kind="bar", title=ctx.t("md_download"), subtitle=ctx.subtitle(),
        source_line=ctx.source_line(), figure=go.Figure(), data=out, x="period_start", y="report_count",
        lang=ctx.lang, synthetic=ctx.synthetic, notes=notes,
    )
