"""Share links hold ids, never labels: parsing, validation with visible unknowns, round trips,
and the real app keeping every filter across a language switch."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest

from cybertrends import links, paths
from tests.apptest_helpers import run_app

CAT = links.Catalog(
    sources={"mpfn": [str(y) for y in range(2019, 2026)],
             "synthetic": [f"{y}-{m:02d}" for y in range(2019, 2026) for m in range(1, 13)]},
    default_source="mpfn",
    crimes={"8": "ley", "9": "ley", "S/Art": "ley", "196-A": "penal"},
    regions=("04", "07", "15"),
    groups=("child", "adolescent", "older", "unknown"),
    has_age={"mpfn": False, "synthetic": True},
)


def q(**kw) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in kw.items()}


def test_empty_link_is_the_default_view():
    view = links.parse({}, CAT)
    assert (view.source, view.period_from, view.period_to) == ("mpfn", "2019", "2025")
    assert view.unknown == [] and links.to_params(view, CAT) == {}


@pytest.mark.parametrize(("params", "expected"), [
    (q(source="synthetic", **{"from": "2020", "to": "2024-06"}), ("synthetic", "2020-01", "2024-06")),
    (q(source="synthetic", **{"from": "2024-03"}), ("synthetic", "2024-03", "2025-12")),
    (q(**{"from": "2021-05", "to": "2023"}), ("mpfn", "2021", "2023")),  # months of a yearly source
])
def test_periods_as_years_or_months(params, expected):
    view = links.parse(params, CAT)
    assert (view.source, view.period_from, view.period_to) == expected
    assert view.unknown == []


def test_lists_comma_separated_or_repeated_and_codes_normalised():
    view = links.parse(q(crimes=["8,s/art", "9"], regions="4,15", groups="older"), CAT)
    assert view.crimes == ["8", "S/Art", "9"]
    assert view.regions == ["04", "15"]
    assert view.groups == ["older"]


def test_unknown_values_are_reported_not_dropped_silently():
    view = links.parse(q(source="mpfm", crimes="8,99", regions="15,Ucayali", groups="Personas adultas mayores (60+)",
                         **{"from": "ene 2020"}), CAT)
    assert view.source == "mpfn"  # the rest of the view still opens
    assert set(view.unknown) == {("source", "mpfm"), ("crimes", "99"), ("regions", "Ucayali"),
                                 ("groups", "Personas adultas mayores (60+)"), ("from", "ene 2020")}
    assert view.crimes == ["8"] and view.regions == ["15"]


def test_one_crime_group_at_a_time():
    view = links.parse(q(crimes="8,196-A"), CAT)
    assert view.crime_group == "ley" and view.crimes == ["8"] and ("crimes", "196-A") in view.unknown


@pytest.mark.parametrize("params", [
    q(source="synthetic", **{"from": "2020-01", "to": "2024-06"}, crimes="8,9", regions="04,15", groups="child,older"),
    q(crime_group="penal"),
    q(**{"to": "2023"}, regions="07"),
])
def test_round_trip(params):
    view = links.parse(params, CAT)
    again = links.parse({k: [v] for k, v in links.to_params(view, CAT).items()}, CAT)
    assert again == view


def test_full_params_spell_out_the_view():
    view = links.parse(q(crime_group="ley"), CAT)
    assert links.to_params(view, CAT) == {}
    full = links.to_params(view, CAT, lang="es", full=True)
    assert full == {"lang": "es", "source": "mpfn", "from": "2019", "to": "2025", "crime_group": "ley"}
    url = links.share_url("http://localhost:8501", "regions", {"source": "mpfn", "crimes": "8,S/Art"})
    assert url == "http://localhost:8501/regions?source=mpfn&crimes=8,S/Art"


# The real app ----------------------------------------------------------------------------

SPANISH_LINK = {"source": "synthetic", "from": "2020-01", "to": "2024-06", "crimes": "8,9", "regions": "15,04",
                "groups": "child,older"}


def _sidebar_state(at) -> dict:
    ms = {w.key.rsplit("_", 1)[0]: w.value for w in at.sidebar.multiselect}
    sl = {w.key.rsplit("_", 1)[0]: w.value for w in at.sidebar.select_slider}
    return {"source": at.sidebar.selectbox[0].value, "period": sl["f_period_synthetic"], "crimes": ms["f_crimes_ley"],
            "regions": ms["f_regions"], "groups": ms["f_groups"]}


def test_a_spanish_link_opens_the_same_view_in_english_and_back(sample_db):
    expected = {"source": "synthetic", "period": ("2020-01", "2024-06"), "crimes": ["8", "9"],
                "regions": ["15", "04"], "groups": ["child", "older"]}
    at = run_app(sample_db, params={**SPANISH_LINK, "lang": "en"})
    assert not at.exception
    assert _sidebar_state(at) == expected
    assert not [w for w in at.warning if "link" in w.value.lower()]
    for lang in ("es", "en", "es"):
        at.sidebar.segmented_control(key="lang").set_value(lang).run()
        assert not at.exception
        assert _sidebar_state(at) == expected, lang
        assert {k: at.query_params[k] for k in SPANISH_LINK} == SPANISH_LINK  # ids in the URL, never labels


def test_a_link_with_unknown_values_says_so(sample_db):
    at = run_app(sample_db, params={"source": "mpfm", "regions": "15,99"})
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "source=mpfm" in warning and "regions=99" in warning
    assert at.sidebar.selectbox[0].value == "mpfn"


def test_the_readme_example_link_opens_the_view_it_describes(sample_db):
    """The example link in README.md ("The dashboard") opens without a notice, every id applied."""
    from tests.apptest_helpers import link_warnings, sidebar_filters, widget

    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"For example `/regions\?([^`]+)`", readme).group(1)
    params = dict(parse_qsl(example))
    at = run_app(sample_db, page="pages/regions.py", params=params)
    assert not at.exception and not link_warnings(at)
    assert sidebar_filters(at) == {"source": "synthetic", "period": ("2024-03", "2025-06"), "crime_group": "ley",
                                   "crimes": ["5"], "regions": ["04", "08"], "groups": ["child"]}
    assert widget(at.segmented_control, "p_metric").value == params["metric"]
    # and a page option the page does not know is named too
    at = run_app(sample_db, page="pages/regions.py", params={"metric": "rates"})
    assert "metric=rates" in " ".join(link_warnings(at))
