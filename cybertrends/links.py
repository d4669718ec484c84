"""Share links: the dashboard's filters as URL query parameters that hold ids, never labels,
so a link opens the same view in either language. No Streamlit here.

Parameters: `lang` (es | en), `source` (source id), `from` / `to` (`YYYY` or `YYYY-MM`),
`crime_group` (ley | penal), `crimes` (crime codes), `regions` (2-digit INEI codes),
`groups` (child, adolescent, young, adult, older, unknown). Lists are comma-separated
(`regions=15,04`); repeated parameters are accepted too. A value the app does not know is
reported back (`Parsed.unknown`), never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

FILTER_KEYS = ("source", "from", "to", "crime_group", "crimes", "regions", "groups")
CRIME_GROUPS = ("ley", "penal")


@dataclass(frozen=True)
class Catalog:
    """What the database knows: the ids a link may use."""

    sources: dict[str, list[str]]  # source id -> its period ids in order ('2019' or '2019-01')
    default_source: str
    crimes: dict[str, str]  # crime code -> 'ley' | 'penal'
    regions: tuple[str, ...]
    groups: tuple[str, ...]
    has_age: dict[str, bool] = field(default_factory=dict)


@dataclass
class Parsed:
    """The view a link asks for (ids only), plus what it asked for that the app does not know."""

    source: str
    period_from: str
    period_to: str
    crime_group: str | None = None
    crimes: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (parameter, value)


def values(params: dict[str, list[str]], key: str) -> list[str]:
    """Every value of `key`: repeated parameters and comma-separated lists, blanks dropped."""
    out: list[str] = []
    for raw in params.get(key, []):
        out += [v.strip() for v in str(raw).split(",") if v.strip()]
    return list(dict.fromkeys(out))


def _period(value: str, options: list[str], end: bool) -> str | None:
    """`YYYY` or `YYYY-MM` as one of `options` (a year asks for January or December of a
    monthly source; a month asks for its year in a yearly source)."""
    if not options:
        return None
    yearly = len(options[0]) == 4
    if re.fullmatch(r"\d{4}", value):
        candidate = value if yearly else f"{value}-{'12' if end else '01'}"
    elif re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        candidate = value[:4] if yearly else value
    else:
        return None
    if candidate in options:
        return candidate
    # A year of a monthly source the data only partly cover: clamp inside that year.
    inside = [o for o in options if o[:4] == candidate[:4]]
    if inside:
        return inside[-1] if end else inside[0]
    return None


def parse(params: dict[str, list[str]], catalog: Catalog) -> Parsed:
    """The view `params` (a query string as a dict of lists) asks for, validated against
    `catalog`. Unknown values are listed in `unknown`; the rest of the view still opens."""
    unknown: list[tuple[str, str]] = []
    asked = values(params, "source")
    source = catalog.default_source
    if asked:
        if asked[0] in catalog.sources:
            source = asked[0]
        else:
            unknown.append(("source", asked[0]))
    options = catalog.sources[source]
    first, last = options[0], options[-1]
    for key, end in (("from", False), ("to", True)):
        for value in values(params, key)[:1]:
            found = _period(value, options, end)
            if found is None:
                unknown.append((key, value))
            elif end:
                last = found
            else:
                first = found
    if first > last:
        unknown.append(("from", first))
        first = options[0]
    crimes = []
    by_lower = {c.lower(): c for c in catalog.crimes}
    for code in values(params, "crimes"):
        if code.lower() in by_lower:
            crimes.append(by_lower[code.lower()])
        else:
            unknown.append(("crimes", code))
    group = None
    for g in values(params, "crime_group")[:1]:
        if g in CRIME_GROUPS:
            group = g
        else:
            unknown.append(("crime_group", g))
    if crimes:
        groups_of = {catalog.crimes[c] for c in crimes}
        group = group if group in groups_of else catalog.crimes[crimes[0]]
        dropped = [c for c in crimes if catalog.crimes[c] != group]
        unknown += [("crimes", c) for c in dropped]  # one crime group at a time
        crimes = [c for c in crimes if catalog.crimes[c] == group]
    regions = []
    for code in values(params, "regions"):
        code = code.zfill(2) if code.isdigit() else code
        if code in catalog.regions:
            regions.append(code)
        else:
            unknown.append(("regions", code))
    victim_groups = []
    for g in values(params, "groups"):
        if g in catalog.groups:
            victim_groups.append(g)
        else:
            unknown.append(("groups", g))
    return Parsed(source, first, last, group, crimes, list(dict.fromkeys(regions)), victim_groups, unknown)


def to_params(view: Parsed, catalog: Catalog, lang: str | None = None, full: bool = False) -> dict[str, str]:
    """The query parameters of a view (ids only). Defaults are left out unless `full` (the
    stamp on exports spells out the whole view)."""
    options = catalog.sources[view.source]
    out: dict[str, str] = {}
    if lang:
        out["lang"] = lang
    if full or view.source != catalog.default_source:
        out["source"] = view.source
    if full or view.period_from != options[0]:
        out["from"] = view.period_from
    if full or view.period_to != options[-1]:
        out["to"] = view.period_to
    if view.crime_group and (full or view.crime_group != "ley") and not view.crimes:
        out["crime_group"] = view.crime_group
    if view.crimes:
        out["crimes"] = ",".join(view.crimes)
    if view.regions:
        out["regions"] = ",".join(view.regions)
    if view.groups:
        out["groups"] = ",".join(view.groups)
    return out


def share_url(base: str, page: str, params: dict[str, str]) -> str:
    """A link to `page` (its url path, '' for the Overview) with `params`."""
    query = urlencode(params, safe=",/")
    return f"{base.rstrip('/')}/{page}" + (f"?{query}" if query else "")


# The view behind a chart, for the stamp on its exports -------------------------------------

BASE_URL_ENV = "CYBERTRENDS_BASE_URL"
DEFAULT_BASE_URL = "http://localhost:8501"
# The page (url path) that shows a chart, by chart id prefix.
PAGE_OF_CHART = (("overview", ""), ("ov_", ""), ("ct_", "crime_types"), ("rg_", "regions"),
                 ("gr_", "at_risk_groups"), ("report_counts", "data_methods"))


def page_of(chart_id: str) -> str:
    """The url path of the page that shows `chart_id` ('' for the Overview)."""
    return next((page for prefix, page in PAGE_OF_CHART if chart_id.startswith(prefix)), "")


def period_id(d, grain: str) -> str:
    """A period as a link writes it: 'YYYY' (yearly data) or 'YYYY-MM'."""
    return f"{d.year:04d}" if grain == "year" else f"{d.year:04d}-{d.month:02d}"


# Page controls a chart implies beyond its own options (the fiscal-district charts live under
# the Regions page's "group by fiscal district").
PAGE_PARAMS_OF_CHART = {"rg_fd_rank": {"grouping": "fiscal_district"}, "rg_fd_trend": {"grouping": "fiscal_district"}}
# Chart options that are not page controls (the link leaves them out).
_NOT_PAGE_PARAMS = ("by_year",)


def view_params(f, crimes_by_group: dict[str, set[str]], options: dict | None = None) -> dict[str, str]:
    """Every parameter of the view `f` (cybertrends.filters.Filters) plus page `options`
    (e.g. metric=rate), spelled out so the link reopens exactly this view."""
    out = {"lang": f.lang, "source": f.source, "from": period_id(f.period_from, f.grain),
           "to": period_id(f.period_to, f.grain)}
    chosen = set(f.crimes)
    whole = [g for g, codes in crimes_by_group.items() if chosen == codes]
    if whole:
        out["crime_group"] = whole[0]
    else:
        out["crimes"] = ",".join(f.crimes)
    if f.regions:
        out["regions"] = ",".join(f.regions)
    if f.groups:
        out["groups"] = ",".join(f.groups)
    for key, value in sorted((options or {}).items()):
        if key == "by_year":  # the crime-types page calls it "view"
            out["view"] = "year" if value else "total"
        elif key not in _NOT_PAGE_PARAMS:
            out[key] = str(value)
    return out


def view_url(f, crimes_by_group: dict[str, set[str]], chart_id: str, options: dict | None = None,
             base: str | None = None) -> str:
    """The share link that reopens the page of `chart_id` with the view `f`."""
    import os

    base = base or os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL)
    params = {**view_params(f, crimes_by_group, options), **PAGE_PARAMS_OF_CHART.get(chart_id, {})}
    return share_url(base, page_of(chart_id), params)
