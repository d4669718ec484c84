"""An outsider's attacks on small cells of the synthetic sample (issue 9): every hidden true
count of 1-4 is attacked with what the app shows, and no attack recovers more of them than
guessing ("chance": always answering the most frequent small value)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from cybertrends import queries
from cybertrends.filters import Filters
from tests.conftest import query

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
IN_LEY = "crime_code in (select crime_code from ref_crime where is_ley_30096)"


@pytest.fixture(scope="module")
def small_cells(sample_db):
    """(region, group, true count) for every 2024 children's or adolescents' cell of 1-4."""
    cells = query(sample_db, f"""select region_code, victim_age_group, count(*) from fact_incident
        where source = 'synthetic' and year(report_date) = 2024 and {IN_LEY}
          and victim_age_group in ('child', 'adolescent')
        group by all having count(*) between 1 and 4 order by all""")
    assert len(cells) >= 10, "the sample must have small cells to attack"
    return cells


def _chance(truths: list[int]) -> int:
    """Hits of the best constant guess: what an attacker gets without the app."""
    return max(Counter(truths).values())


def _f(region: str, **kw) -> Filters:
    return Filters("synthetic", date(2024, 1, 1), date(2024, 12, 1), "month", crimes=LEY, regions=(region,), **kw)


def _total(con, f) -> int:
    return int(queries.counts(con, f)["report_count"].iloc[0])


def test_total_minus_the_groups_shown(con, small_cells):
    hits = 0
    for region, group, true in small_cells:
        f = _f(region)
        parts = queries.counts(con, f, ("victim_age_group",))
        guess = _total(con, f) - int(parts.loc[parts["victim_age_group"] != group, "report_count"].sum())
        hits += guess == true
    assert hits <= _chance([t for *_, t in small_cells])


def test_a_filter_that_mixes_groups(con, small_cells):
    hits = 0
    for region, group, true in small_cells:
        guess = _total(con, _f(region, groups=(group, "unknown"))) - _total(con, _f(region, groups=("unknown",)))
        hits += guess == true
    assert hits <= _chance([t for *_, t in small_cells])


def test_a_share_or_rate_times_its_base(con, small_cells, sample_db):
    pop = dict(query(sample_db, "select region_code || age_group, population_2020 from ref_region_population"))
    hits_share = hits_rate = 0
    for region, group, true in small_cells:
        f = _f(region)
        parts = queries.counts(con, f, ("victim_age_group",)).set_index("victim_age_group")["report_count"]
        share = parts.get(group, 0) / _total(con, f)  # what a share chart shows
        hits_share += round(share * _total(con, f)) == true
        rate = _total(con, _f(region, groups=(group,))) / pop[region + group] * 100_000  # a rate chart
        hits_rate += round(rate * pop[region + group] / 100_000) == true
    chance = _chance([t for *_, t in small_cells])
    assert hits_share <= chance and hits_rate <= chance


def test_no_shown_value_from_1_to_4_and_zero_stays_zero(con, small_cells, sample_db):
    for region, group, _ in small_cells:
        by_crime = queries.counts(con, _f(region, groups=(group,)), ("crime_code", "victim_sex"))
        assert not by_crime["report_count"].between(1, 4).any()
    # a cell with no records is shown as zero, whatever its key would be
    assert query(sample_db, """select count(*) from fact_incident where source = 'synthetic'
        and region_code = '25' and victim_age_group = 'child' and crime_code = '12-A'""") == [(0,)]
    empty = queries.counts(con, _f("25", groups=("child",)).with_(crimes=("12-A",)))
    assert empty["report_count"].tolist() == [0]


# The same attack on what staff export: CSV and XLSX of the charts, and the native charts and
# speaker notes of a PowerPoint pack built for the region and year of each small cell.

GROUP_NAMES = {"child": "Niñas y niños (0–11)", "adolescent": "Adolescentes (12–17)"}


def _csv_counts(spec) -> dict[str, float]:
    import csv
    import io

    from cybertrends import export

    rows = list(csv.DictReader(io.StringIO(export.to_csv(spec).decode("utf-8-sig"))))
    key = spec.series or spec.x
    return {r[key]: float(r[spec.y]) for r in rows if r[spec.y] not in ("", "–")}


def _xlsx_counts(spec) -> dict[str, float]:
    import io

    from openpyxl import load_workbook

    from cybertrends import export

    sheet = load_workbook(io.BytesIO(export.to_xlsx(spec))).worksheets[0]
    header = [c.value for c in sheet[1]]
    key, y = header.index(spec.series or spec.x), header.index(spec.y)
    return {row[key]: float(row[y]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[y] is not None}


def _pptx_counts(spec) -> dict[str, float]:
    """The values of the native chart in a one-chart pack, by category or series name."""
    import io

    from pptx import Presentation

    from cybertrends import briefing

    prs = Presentation(io.BytesIO(briefing.to_pptx(briefing.Pack("Ataque", "es", [spec], []))))
    slide = list(prs.slides)[1]
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    notes = slide.notes_slide.notes_text_frame.text
    assert "clave de celda" in notes  # the notes explain the method, and hold only published numbers
    plot = chart.plots[0]
    if spec.series:
        return {s.name: sum(v for v in s.values if v is not None) for s in plot.series}
    cats = list(plot.categories)
    return dict(zip(cats, plot.series[0].values))


@pytest.mark.slow
@pytest.mark.parametrize("reader", [_csv_counts, _xlsx_counts, _pptx_counts], ids=["csv", "xlsx", "pptx"])
def test_total_minus_groups_on_exports(con, small_cells, reader):
    from cybertrends import charts

    hits = 0
    for region, group, true in small_cells:
        f = _f(region)
        by_group = reader(charts.build("gr_counts", con, f))  # one year: categories are the groups
        months = reader(charts.build("overview_trend", con, f))  # the region's months of 2024
        total = sum(v for v in months.values() if v is not None)
        others = sum(v for name, v in by_group.items() if name != GROUP_NAMES[group])
        hits += round(total - others) == true
    assert hits <= _chance([t for *_, t in small_cells])


def _pdf_counts(spec) -> dict[str, float]:
    """The numbers a PDF pack prints for the chart (without a browser the PDF prints the table
    behind each chart as text): read back from the PDF's text, cell by cell."""
    import io

    from pypdf import PdfReader

    from cybertrends import briefing, export

    with pytest.MonkeyPatch.context() as mp:  # no browser: the PDF prints every number as text
        mp.delenv("BROWSER_PATH", raising=False)
        mp.setenv("PATH", "/nonexistent")
        mp.setattr(export.browser, "SYSTEM_CANDIDATES", ())
        pdf = briefing.to_pdf(briefing.Pack("Ataque", "es", [spec], []))
    lines = [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages[1:-1]
             for line in (page.extract_text() or "").splitlines()]
    header = [str(c) for c in spec.export_table().columns]
    start = next(i for i in range(len(lines)) if lines[i:i + len(header)] == header) + len(header)
    key, y = header.index(spec.series or spec.x), header.index(spec.y)
    out: dict[str, float] = {}
    for row in range(len(spec.data)):
        cells = lines[start + row * len(header): start + (row + 1) * len(header)]
        value = cells[y].replace(",", "")
        if value not in ("", "–"):
            out[cells[key]] = out.get(cells[key], 0.0) + float(value)
    return out


@pytest.mark.slow
def test_total_minus_groups_on_the_pdf(con, small_cells):
    from cybertrends import charts

    hits = 0
    for region, group, true in small_cells:
        f = _f(region)
        spec = charts.build("gr_counts", con, f)
        by_group = _pdf_counts(spec)
        assert by_group == _csv_counts(spec)  # the PDF was read back right: the same cells as the CSV
        total = sum(_pdf_counts(charts.build("overview_trend", con, f)).values())
        others = sum(v for name, v in by_group.items() if name != GROUP_NAMES[group])
        hits += round(total - others) == true
    assert hits <= _chance([t for *_, t in small_cells])
