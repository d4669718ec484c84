"""What every chart shares: template, palette, the query context, titles, subtitles and
source lines. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import duckdb
import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, queries
from cybertrends.charts.answers import answering
from cybertrends.charts.figure import Figure
from cybertrends.filters import Filters

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
ACCENT = "#0072B2"
MUTED = "#9AA5B1"
SEQUENTIAL = ["#F7FBFF", "#C6DBEF", "#6BAED6", "#2171B5", "#08306B"]  # blues, print-safe
DIVERGING = [[0.0, "#0072B2"], [0.5, "#F7F7F7"], [1.0, "#D55E00"]]

# An explicit template: importing Streamlit changes Plotly's default template, and exports
# built on that default come out black (STACK-NOTES). Every figure sets this one.
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#1F2933"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        # Numbers on axes as in the text: "4,000", never "4000" or "4k" (i18n.plotly_separators).
        separators=i18n.plotly_separators(i18n.DEFAULT_LANG),
        xaxis=dict(showgrid=False, linecolor="#CBD2D9", ticks="outside", tickcolor="#CBD2D9", automargin=True,
                   separatethousands=True, exponentformat="none", title=dict(font=dict(size=12))),
        yaxis=dict(gridcolor="#E4E7EB", zerolinecolor="#CBD2D9", rangemode="tozero", automargin=True,
                   separatethousands=True, exponentformat="none", title=dict(font=dict(size=12))),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
        hoverlabel=dict(bgcolor="white", font_size=13),
        margin=dict(l=70, r=20, t=50, b=50),
    )
)
TEMPLATE_DICT = TEMPLATE.to_plotly_json()  # the same template in a plain figure (charts.figure.Figure)


@dataclass
class Context:
    """A connection plus the filters, with the lookups every chart needs."""

    con: duckdb.DuckDBPyConnection
    f: Filters
    options: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Statements the charts repeat (totals, yearly counts) run once per database version.
        self.con = answering(self.con, self.shared)

    @property
    def lang(self) -> str:
        """The reader's language, from the filters ('es' or 'en')."""
        return self.f.lang

    def t(self, key: str, **values) -> str:
        """The message `key` in the reader's language, `{name}` placeholders filled from `values`."""
        return i18n.t(key, self.lang, **values)

    def _shared(self, key: tuple, compute):
        """Reference lookups shared by every chart of the same database version (`shared` is
        one dict per database build, see cached.py), so a page does not repeat them."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def reference(self, query, *args):
        """`query(con, *args)` for a reference or metadata lookup (tables that do not depend on the
        filters), run once per database version and shared by every chart and filter set; a
        DataFrame comes back as a shallow copy (copy-on-write keeps the shared one intact)."""
        value = self._shared(("ref", query.__name__, *args), lambda: query(self.con, *args))
        if isinstance(value, pd.DataFrame):
            return value.copy(deep=False)
        return dict(value) if isinstance(value, dict) else value

    @cached_property
    def coverage(self) -> dict:
        """The source's grain, first and last date and cut date; LookupError when the source has no data in
        this database."""
        cov = self._shared(("coverage", self.f.source), lambda: queries.coverage(self.con, self.f.source))
        if cov is None:
            raise LookupError(f"source {self.f.source!r} has no data in this database")
        return dict(cov)

    @cached_property
    def source_info(self) -> dict:
        """The source's row of `ref_source` as a dict: names, publisher, grain, synthetic and victim-age
        flags, licence, URL."""
        return dict(self._shared(("source", self.f.source), lambda: self.con.execute(
            "select * from ref_source where source = $s", {"s": self.f.source}).df().iloc[0].to_dict()))

    @cached_property
    def periods(self):
        """The periods the source covers (cybertrends.measures.Periods): complete, partial, gaps."""
        from cybertrends import measures

        def compute():
            cov = self.coverage
            if self.f.source in measures.RECORD_LEVEL_SOURCES:
                return measures.Periods.continuous(cov["grain"], cov["first_date"], cov["last_date"])
            df = queries.source_periods(self.con, self.f.source)
            covers = [measures.Cover(pd.Timestamp(r.period_start).date(), r.period_grain,
                                     pd.Timestamp(r.covered_from).date(), pd.Timestamp(r.covered_to).date(),
                                     None if pd.isna(r.data_as_of) else pd.Timestamp(r.data_as_of).date())
                      for r in df.itertuples()]
            return measures.Periods(cov["grain"], covers)

        return self._shared(("periods", self.f.source), compute)

    def span(self):
        """The latest complete span in the filter and the equal span a year earlier, or None
        (see measures.Periods.span). Every growth figure compares these spans."""
        return self.periods.span(self.f)

    def complete_years(self) -> list[int]:
        """Calendar years the selection and the data both cover completely."""
        return self.periods.complete_years(self.f.period_from, self.f.period_end)

    def missing_periods(self) -> list:
        """Periods of the selection with no data at all (no file): gaps, never zeros."""
        from cybertrends import measures

        if self.f.source in measures.RECORD_LEVEL_SOURCES:
            return []
        return self.periods.missing(self.f.period_from, self.f.period_to)

    def period_name(self, start) -> str:
        """A period as the reader should see it: '2023', '2025 (ene–nov)' for a part-year,
        'jun 2025' for a month."""
        start = pd.Timestamp(start).date()
        cover = self.periods.get(start)
        if cover is None or cover.complete:
            return i18n.fmt_period(start, self.f.grain, self.lang)
        return i18n.fmt_partial(cover.start, cover.covered_from, cover.covered_to, self.f.grain, self.lang)

    def period_status(self, start) -> str:
        """'completo', 'parcial (ene–nov)' or 'sin archivo' for tables."""
        cover = self.periods.get(pd.Timestamp(start).date())
        if cover is None:
            return self.t("no_file")
        if cover.complete:
            return self.t("complete")
        return self.t("partial_period", months=i18n.fmt_cover_months(cover.covered_from, cover.covered_to, self.lang))

    @property
    def synthetic(self) -> bool:
        """Whether the source is the synthetic sample."""
        return bool(self.source_info["is_synthetic"])

    @property
    def has_age(self) -> bool:
        """Whether the source records the victim's age (only then do victim-group filters apply)."""
        return bool(self.source_info["has_victim_age"])

    @cached_property
    def _crimes(self) -> pd.DataFrame:
        return self._shared(("crimes",), lambda: queries.crimes(self.con).set_index("crime_code")).copy()

    @cached_property
    def _regions(self) -> pd.DataFrame:
        return self._shared(("regions",), lambda: queries.regions(self.con).set_index("region_code")).copy()

    @cached_property
    def _groups(self) -> pd.DataFrame:
        return self._shared(("groups",), lambda: queries.age_groups(self.con).set_index("age_group")).copy()

    @cached_property
    def _law_codes(self) -> tuple[tuple[str, ...], frozenset, frozenset]:
        """The Ley 30096 crime codes in display order, and the Ley 30096 and Penal Code codes as sets (once
        per database version: the filters name them on every chart)."""
        def compute():
            crimes = self._shared(("crimes",), lambda: queries.crimes(self.con).set_index("crime_code"))
            ley = tuple(crimes.index[crimes["is_ley_30096"]])
            return ley, frozenset(ley), frozenset(crimes.index) - frozenset(ley)

        return self._shared(("law_codes",), compute)

    @cached_property
    def _rows(self) -> dict[str, dict]:
        """The crimes, regions and age groups as plain dicts by code (a pandas row lookup costs
        ~50 µs, and a page names crimes hundreds of times)."""
        return self._shared(("rows",), lambda: {
            "crimes": self._crimes.to_dict("index"), "regions": self._regions.to_dict("index"),
            "groups": self._groups.to_dict("index")})

    def crime_name(self, code: str, with_article: bool = True) -> str:
        """A crime type's name in the reader's language, followed by its article, e.g.
        '(art. 8)' or '(CP art. 196-A)', unless `with_article` is false or the code is 'S/Art'."""
        row = self._rows["crimes"][code]
        name = row[f"name_{self.lang}"]
        if not with_article or code == "S/Art":
            return name
        prefix = "art." if row["law"] == "Ley 30096" else ("CP art." if self.lang == "es" else "PC art.")
        return f"{name} ({prefix} {row['article']})"

    def region_name(self, code: str) -> str:
        """The name of the region with INEI code `code`."""
        return self._rows["regions"][code]["region_name"]

    def group_name(self, code: str) -> str:
        """The name of victim age group `code` in the reader's language."""
        return self._rows["groups"][code][f"name_{self.lang}"]

    def population(self) -> pd.DataFrame:
        """2020 population by region and age group, 'total' included (once per database version)."""
        return self.reference(queries.population)

    # Text every chart carries ----------------------------------------------------------

    def period_label(self, start=None, end=None) -> str:
        """The span from `start` to `end` (default: the filter's) in words:
        '2023', '2019–2025', 'ene 2024–jun 2025'."""
        return i18n.fmt_span(start or self.f.period_from, end or self.f.period_to, self.f.grain, self.lang)

    def filters_label(self) -> str:
        """The filters in words, joined by ' · ': the regions, the crime types (a whole law, up to two
        names, or a count) and, when the source records age, the victim groups."""
        parts = []
        if self.f.regions:
            names = [self.region_name(c) for c in self.f.regions]
            parts.append(", ".join(names) if len(names) <= 3 else self.t("n_regions", n=len(names)))
        else:
            parts.append(self.t("all_regions"))
        _, ley, penal = self._law_codes
        chosen = set(self.f.crimes)
        if chosen == ley:
            parts.append(self.t("crimes_all_ley"))
        elif chosen == penal:
            parts.append(self.t("crimes_all_penal"))
        elif len(chosen) <= 2:
            parts.append(", ".join(self.crime_name(c, with_article=False) for c in self.f.crimes))
        else:
            parts.append(self.t("n_crimes", n=len(chosen)))
        if self.f.groups and self.has_age:
            names = [self.group_name(g) for g in self.f.groups]
            parts.append(", ".join(names) if len(names) <= 2 else self.t("n_groups", n=len(names)))
        return " · ".join(parts)

    def subtitle(self, start=None, end=None, extra: str | None = None) -> str:
        """The chart subtitle: the period, the filters in words and `extra` if given, joined by ' · '."""
        text = f"{self.period_label(start, end)} · {self.filters_label()}"
        return f"{text} · {extra}" if extra else text

    def source_line(self, start=None, end=None) -> str:
        """Source, and its cut date: the source's own (MPFN `fecha_corte`) for the periods in
        view, else the last day of data."""
        name = self.source_info[f"name_{self.lang}"]
        lo = pd.Timestamp(start or self.f.period_from).date()
        hi = pd.Timestamp(end or self.f.period_to).date()
        cuts = sorted({c.data_as_of for p, c in self.periods.by_start.items() if lo <= p <= hi and c.data_as_of})
        if not cuts:
            return self.t("source_line", source=name, as_of=i18n.fmt_date(self.coverage["data_as_of"], self.lang))
        if len(cuts) == 1:
            return self.t("source_line_cut", source=name, cut=i18n.fmt_date(cuts[0], self.lang))
        return self.t("source_line_cuts", source=name, first=i18n.fmt_date(cuts[0], self.lang),
                      last=i18n.fmt_date(cuts[-1], self.lang))

    def provenance(self, chart_id: str) -> dict:
        """Where a chart's numbers come from (ChartSpec.provenance): source, the cut date of
        the periods in view, the database build, the filters in words, the share link."""
        from cybertrends import links

        meta = self._shared(("meta",), lambda: dict(self.con.execute("select key, value from meta").fetchall()))
        cuts = [c.data_as_of for p, c in self.periods.by_start.items()
                if self.f.period_from <= p <= self.f.period_to and c.data_as_of]
        _, ley, penal = self._law_codes
        chosen = set(self.f.crimes)
        if chosen == ley:
            scope = "ley30096"
        elif chosen == penal:
            scope = "codigo-penal"
        else:
            scope = "art-" + "-".join(sorted(chosen)[:4]) + ("-etc" if len(chosen) > 4 else "")
        return {
            "crime_scope": scope,
            "source": self.f.source,
            "source_name": self.source_info[f"name_{self.lang}"],
            "data_as_of": max(cuts) if cuts else self.coverage["data_as_of"],
            "build_id": meta.get("build_id", ""),
            "built_at": meta.get("built_at", ""),
            "filters": self.subtitle(),
            "link": links.view_url(self.f, {"ley": set(ley), "penal": set(penal)}, chart_id, self.options),
        }

    def notes(self, regional: bool = False) -> list[str]:
        """Caveats printed under a chart: synthetic data; MPFN regions are the prosecutor's office (when
        `regional`); SIDPOL 'Estafa' is fraud by any channel."""
        notes = []
        if self.synthetic:
            notes.append(self.t("note_synthetic"))
        if self.f.source == "mpfn" and regional:
            notes.append(self.t("note_mpfn_fiscal_districts"))
        if self.f.source == "sidpol":
            notes.append(self.t("note_sidpol_estafa"))
        return notes

    def cell_key_notes(self) -> list[str]:
        """One sentence on the cell-key method, for charts of record-level sources (their
        counts are slightly altered to protect victims; parts may not add up to totals)."""
        from cybertrends.disclosure import RECORD_LEVEL_SOURCES

        return [self.t("note_cell_key")] if self.f.source in RECORD_LEVEL_SOURCES else []

    def is_complete(self, start) -> bool:
        """The period starting `start` has data over all its days (a missing period is not)."""
        return self.periods.is_complete(pd.Timestamp(start).date())


def style(fig: go.Figure | Figure, y_title: str | None = None, x_title: str | None = None,
          height: int = 420) -> go.Figure | Figure:
    """Apply the house template and axis titles (to a Plotly figure or a plain one, charts.figure)."""
    # A Plotly figure replaces its template when given a Template object, but merges a dict into it.
    fig.update_layout(template=TEMPLATE if isinstance(fig, go.Figure) else TEMPLATE_DICT, height=height,
                      hovermode="x unified")
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    return fig


# Plotly's add_vrect / add_hline / add_vline work out which subplots a shape spans on every call (a
# tenth of a small figure's build time); on our one-plot figures these add the same shape directly.
def vrect(fig: go.Figure | Figure, x0: float, x1: float, **shape) -> None:
    """A band from x0 to x1 over the plot's whole height (as `fig.add_vrect` without annotation)."""
    fig.add_shape(type="rect", xref="x", yref="y domain", x0=x0, x1=x1, y0=0, y1=1, **shape)


def hline(fig: go.Figure | Figure, y: float, **shape) -> None:
    """A line at y across the plot's whole width (as `fig.add_hline` without annotation)."""
    fig.add_shape(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=y, y1=y, **shape)


def vline(fig: go.Figure | Figure, x: float, **shape) -> None:
    """A line at x over the plot's whole height (as `fig.add_vline` without annotation)."""
    fig.add_shape(type="line", xref="x", yref="y domain", x0=x, x1=x, y0=0, y1=1, **shape)


def vline_note(fig: go.Figure | Figure, x: float, text: str, font_size: int, **shape) -> None:
    """A line at x over the plot's whole height with `text` above it (as `fig.add_vline` with
    annotation_text=text, annotation_position="top", annotation_font_size=font_size)."""
    vline(fig, x, **shape)
    fig.add_annotation(font=dict(size=font_size), showarrow=False, text=text, x=x, xanchor="center", xref="x",
                       y=1, yanchor="bottom", yref="y domain")


def is_synthetic(ctx: Context) -> bool:
    """Whether the selected source is the synthetic sample (pages show a notice)."""
    return ctx.synthetic
