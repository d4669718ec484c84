"""URL query parameters for the at-risk groups page tests, in the form the dashboard's sidebar
reads: the widgets' shown labels while dashboard.py binds its source selector to the URL
(`bind="query-params"`), else ids (share links by ids, `cybertrends.links`). Only the few
values the tests use."""

from __future__ import annotations

from datetime import date

from cybertrends import i18n, paths

BY_IDS = 'key="source", bind="query-params"' not in (paths.ROOT / "dashboard.py").read_text(encoding="utf-8")

SOURCES = {
    "synthetic": {"es": "Muestra sintética (datos de demostración)", "en": "Synthetic sample (demonstration data)"},
    "mpfn": {"es": "Ministerio Público – Delitos denunciados", "en": "Public Prosecutor's Office – Reported offences"},
}
REGIONS = {"04": "Arequipa", "07": "Callao", "15": "Lima"}
GROUPS = {
    "child": {"es": "Niñas y niños (0–11)", "en": "Children (0–11)"},
    "adolescent": {"es": "Adolescentes (12–17)", "en": "Adolescents (12–17)"},
}
LEY_CRIMES = {
    "5": {"es": "5 · Proposiciones a niños, niñas y adolescentes con fines sexuales por medios tecnológicos",
          "en": "5 · Sexual solicitation of children and adolescents by technological means"},
    "12-A": {"es": "12-A · Adquisición, posesión y tráfico ilícito de datos informáticos",
             "en": "12-A · Unlawful acquisition, possession and trafficking of computer data"},
}


def url(lang: str = "es", source: str | None = None, regions=(), groups=(), crimes=(), months=None, **page) -> dict:
    """Query parameters for a view; `months` = ('2024-03', '2024-03') on the synthetic source;
    `page` holds page options (e.g. gr_group) passed as they are."""
    out: dict = {"lang": lang}
    if BY_IDS:
        if source:
            out["source"] = source
        if regions:
            out["regions"] = ",".join(regions)
        if groups:
            out["groups"] = ",".join(groups)
        if crimes:
            out["crimes"] = ",".join(crimes)
        if months:
            out["from"], out["to"] = months
    else:
        if source:
            out["source"] = SOURCES[source][lang]
        if regions:
            out["regions"] = [REGIONS[r] for r in regions]
        if groups:
            out["groups"] = [GROUPS[g][lang] for g in groups]
        if crimes:
            out["crimes_ley"] = [LEY_CRIMES[c][lang] for c in crimes]
        if months:
            out[f"period_{source or 'synthetic'}"] = [i18n.fmt_month(date.fromisoformat(m + "-01"), lang) for m in months]
    return {**out, **page}
