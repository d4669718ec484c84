"""What the At-risk groups page asks besides its charts: which sections to show (page_info) and the
group definitions table."""

from __future__ import annotations

import pandas as pd

from cybertrends import measures, queries
from cybertrends.charts.base import Context
from cybertrends.charts.groups.common import _published
from cybertrends.charts.groups.minors import proxy_crimes


def page_info(ctx: Context) -> dict:
    """What the page needs to lay itself out: age recorded?, synthetic?, published aggregates
    (shown as released) or record-level (published through the cell-key method)?, the groups the
    per-group selector offers (code -> name), whether a minors' proxy exists, and how many
    complete years the selection holds (the minors' rate offers an average over several)."""
    has_age = ctx.has_age
    selectable = [g for g in measures.AT_RISK_GROUPS if not ctx.f.groups or g in ctx.f.groups] if has_age else []
    return {
        "has_age": has_age,
        "synthetic": ctx.synthetic,
        "published": _published(ctx.f),
        "groups": {g: ctx.group_name(g) for g in selectable},
        "proxy_crimes": proxy_crimes(ctx) if not has_age else [],
        "complete_years": ctx.complete_years(),
    }


def definitions(ctx: Context) -> pd.DataFrame:
    """The age bands and their legal basis, as a display table."""
    ref = ctx.reference(queries.age_groups)
    yes, no = ctx.t("gr_yes"), ctx.t("gr_no")

    def ages(row) -> str:
        if pd.isna(row["min_age"]):
            return "–"
        if row["max_age"] >= 120:
            return ctx.t("gr_ages_plus", min=int(row["min_age"]))
        return f"{int(row['min_age'])}–{int(row['max_age'])}"

    return pd.DataFrame({
        ctx.t("victim_group"): ref[f"name_{ctx.lang}"],
        ctx.t("gr_ages"): [ages(r) for _, r in ref.iterrows()],
        ctx.t("gr_at_risk"): [yes if v else no for v in ref["is_at_risk"]],
        ctx.t("gr_minor"): [yes if v else no for v in ref["is_minor"]],
        ctx.t("gr_legal_basis"): ref[f"legal_basis_{ctx.lang}"],
    })
