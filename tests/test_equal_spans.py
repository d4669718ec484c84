"""Data that start and end part-way through a month (20 Jan 2024 to 15 Jun 2025): every growth
figure on every page compares equal, complete spans (Feb–May 2025 against Feb–May 2024), never
a partial January or June; and no chart module keeps span logic of its own."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from cybertrends import charts, i18n
from cybertrends.charts import overview
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from etl import load
from tests.conftest import CANONICAL_HEADER, ROOT, write
from tests.published import total

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
FIRST, LAST = date(2024, 1, 20), date(2025, 6, 15)
CUR = i18n.fmt_span(date(2025, 2, 1), date(2025, 5, 1), "month", "es")  # feb 2025–may 2025
PREV = i18n.fmt_span(date(2024, 2, 1), date(2024, 5, 1), "month", "es")


@pytest.fixture(scope="module")
def mid_month_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("midmonth")
    rows, day, i = [], FIRST, 0
    regions = ("150101", "040101", "080101", "130101")
    ages = (8, 15, 22, 40, 70, 35)
    while day <= LAST:
        for k in range(3 + (day.month % 3)):  # a few reports a day, more in some months
            crime = ("8", "9", "2", "8", "10")[(i + k) % 5]
            rows.append(f"R{i}-{k},{day.isoformat()},,{regions[(i + k) % 4]},{crime},phishing,sms,"
                        f"{ages[(i + k) % 6]},{'F' if k % 2 else 'M'},persona natural,")
        day += timedelta(days=1)
        i += 1
    path = write(folder, "synthetic_midmonth.csv", CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n")
    db = folder / "mid.duckdb"
    assert load.load_files([path], db=db).published
    return db


def _f(**kw) -> Filters:
    return Filters("synthetic", date(2024, 1, 1), date(2025, 6, 1), "month", crimes=LEY, **kw)


def test_the_span_is_february_to_may(mid_month_db):
    with duckdb.connect(str(mid_month_db), read_only=True) as con:
        span = Context(con, _f()).span()
    assert (span.current_from, span.current_to) == (date(2025, 2, 1), date(2025, 5, 1))
    assert (span.previous_from, span.previous_to) == (date(2024, 2, 1), date(2024, 5, 1))


def test_every_growth_figure_compares_equal_spans(mid_month_db):
    with duckdb.connect(str(mid_month_db), read_only=True) as con:
        f = _f()
        heads = overview.headlines(Context(con, f))
        yoy = charts.build("ct_yoy", con, f)
        growth_map = charts.build("rg_map", con, f, metric="growth")
        groups = charts.build("gr_growth", con, f)
        contrib = charts.build("overview_contrib", con, f, by="crime")
    total_head = heads[0]
    assert CUR in total_head.label and PREV in (total_head.delta_description or "")
    cur = total(mid_month_db, "synthetic", "report_date between date '2025-02-01' and date '2025-05-31'")
    prev = total(mid_month_db, "synthetic", "report_date between date '2024-02-01' and date '2024-05-31'")
    assert total_head.raw == cur
    assert total_head.raw_delta == pytest.approx((cur - prev) / prev * 100)
    # the crime-type, region, group and contribution charts say the same two spans
    for spec in (yoy, growth_map, groups, contrib):
        assert spec is not None
        text = " ".join([spec.title, spec.subtitle, *spec.notes])
        assert CUR in text and PREV in text, (spec.chart_id, text)


def test_no_chart_module_keeps_span_logic_of_its_own():
    """Spans, completeness and gaps live in measures.Periods (through Context); a grep is enough."""
    words = ("last_complete_period", "def _complete_years", "def yoy_span", "def _year_complete",
             "measures.is_complete", "period_end(")
    for path in sorted((ROOT / "cybertrends" / "charts").glob("*.py")):
        if path.name == "base.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not [w for w in words if w in text], path.name
