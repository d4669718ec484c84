"""Write the figures of the last `make bench` (bench/out/results.json) into BENCHMARKS.md.

    python -m bench.report [RESULTS.json]

Only the part between the `<!-- results:begin -->` and `<!-- results:end -->` markers is
replaced: the explanations around it are written by hand.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from bench.common import OUT, ROOT, growth_exponent

BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("**pass**" if ok else "**MISS**")


def _num(value, digits: int = 2, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}{unit}"


def _load(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return _num(value, 1) if value is not None else "—"


def render(results: dict) -> str:
    """The results as Markdown: the figures-against-targets table, then ETL times and page query times by
    size."""
    m = results.get("machine", {})
    started = results.get("load_average_before", {})
    lines = [
        f"Measured {m.get('date', '?')} on {m.get('cpus', '?')} cores, {m.get('memory_gib', '?')} GiB RAM, "
        f"Python {m.get('python', '?')}, DuckDB {m.get('duckdb', '?')} ({m.get('platform', '?')}); "
        f"load average {_load(results.get('load_average_start'))} at the start, "
        f"{_load(results.get('load_average_end'))} at the end; the whole run took "
        f"{_num(results.get('seconds', 0) / 60, 1)} min.",
        "",
        "| figure | result | target | | load avg. |",
        "|---|---|---|---|---|",
    ]
    etl = {k: v for k, v in results.get("etl", {}).items() if k != "error"}
    largest = etl.get("10m") or (etl[max(etl, key=lambda k: etl[k]["rows"])] if etl else None)
    if largest:
        n = f"{largest['rows'] / 1e6:.0f}M rows"
        lines += [
            f"| ETL load of {n} ({largest['file_mb']:,.0f} MB) vs bare `read_csv` (same DuckDB settings) "
            f"| {largest['etl_s']:.1f} s vs {largest['bare_s']:.1f} s = **{largest['ratio_bare']:.3f}×** "
            f"(CPU {largest['ratio_bare_cpu']:.2f}×) | ≤ 1.5× | {_mark(largest.get('pass_ratio_bare', largest['ratio_bare'] <= 1.5))} | {_load(largest['load'])} |",
            f"| … vs bare `read_csv` with DuckDB's default settings | {largest['etl_s']:.1f} s vs "
            f"{largest['bare_default']['wall_s']:.1f} s = {largest['ratio_bare_default']:.2f}× | — "
            f"| — | {_load(largest['bare_default']['load'])} |",
            f"| ETL peak memory ({n}) | {largest['etl_max_rss_mb']:,.0f} MB | ≤ 1,024 MB "
            f"| {_mark(largest['etl_max_rss_mb'] <= 1024)} | {_load(largest['load'])} |",
        ]
        if "analyst" in largest:
            lines.append(
                f"| ETL vs pandas read_csv + same checks + insert ({n}) | {largest['analyst']['wall_s']:.1f} s "
                f"({largest['analyst']['max_rss_mb']:,.0f} MB) vs {largest['etl_s']:.1f} s = "
                f"**{largest['speedup_analyst']:.1f}× faster** | ≥ 4× | {_mark(largest['speedup_analyst'] >= 4)} "
                f"| {_load(largest['analyst']['load'])} |")
    pages = {k: v for k, v in results.get("pages", {}).items() if k != "error"}
    if pages:
        size = "10m" if "10m" in pages else max(pages, key=lambda k: pages[k].get("records", 0))
        p = pages[size]
        for page, v in p["pages"].items():
            lines.append(
                f"| page server time (queries + figures), {page} ({p.get('records', 0) / 1e6:.0f}M records), p50 / p95 "
                f"| {v['total_p50_ms']:.0f} / **{v['total_p95_ms']:.0f} ms** (of which queries {v['query_p50_ms']:.0f} / "
                f"{v['query_p95_ms']:.0f} ms) | p95 ≤ 150 ms | {_mark(v['total_p95_ms'] <= 150)} "
                f"| {_load(p.get('load_average', started.get('pages')))} |")
    redraw = results.get("redraw")
    if redraw and "p95_s" in redraw:
        lines.append(f"| browser: filter change → chart redrawn, p50 / p95 ({redraw.get('changes')} changes) "
                     f"| {redraw['p50_s']:.2f} / **{redraw['p95_s']:.2f} s** | p95 ≤ 0.8 s "
                     f"| {_mark(redraw['p95_s'] <= 0.8)} | {_load(redraw.get('load_average', started.get('redraw')))} |")
    switch = (redraw or {}).get("page_switch") or {}
    if "all" in switch:
        every, first = switch["all"], switch.get("first_visit", {})
        lines.append(f"| browser: page switch → new page drawn, p50 / p95 ({every['n']} switches; first visits "
                     f"p50 {_num(first.get('p50_s'))} s) | {every['p50_s']:.2f} / **{every['p95_s']:.2f} s** | ≤ 1.5 s "
                     f"| {_mark(every['p95_s'] <= 1.5)} | {_load(redraw.get('load_average', started.get('redraw')))} |")
    exports = results.get("exports")
    if exports:
        if "png_warm_max_s" in exports:
            worst = exports.get("png_warm_p95_s", exports["png_warm_max_s"])
            lines.append(f"| PNG export after warm-up, p50 / p95 / max | {exports['png_warm_p50_s']:.2f} / "
                         f"**{worst:.2f}** / {exports['png_warm_max_s']:.2f} s (first {exports.get('png_first_s', 0):.1f} s) "
                         f"| p95 ≤ 0.2 s | {_mark(worst <= 0.2)} | {_load(exports.get('load_average', started.get('exports')))} |")
        for fmt, target in (("pptx", 10), ("pdf", None)):
            key = f"standard_pack_{fmt}_s"
            if key in exports:
                lines.append(f"| standard briefing pack as {fmt.upper()} ({exports.get(f'standard_pack_{fmt}_charts', '?')} "
                             f"charts) | **{exports[key]:.1f} s** | {f'< {target} s' if target else '—'} "
                             f"| {_mark(exports[key] < target) if target else '—'} | {_load(exports.get('load_average', started.get('exports')))} |")
    load = results.get("load")
    if load and "p95_s" in load:
        every = load.get("sessions_showing_new_data") == load.get("sessions")
        lines += [
            f"| load test: {load['sessions']} sessions × 60 s, {load['redraws']} redraws, p50 / p95 "
            f"| {_num(load['p50_s'])} / {_num(load['p95_s'])} s | — | — | {_load(load.get('load_average', started.get('load')))} |",
            f"| load test: errors | **{load['errors']}** | 0 | {_mark(load['errors'] == 0)} | |",
            f"| load test: sessions showing the new data after the swap | {load.get('sessions_showing_new_data')} of "
            f"{load['sessions']} | all | {_mark(every)} | |",
            f"| load test: server peak memory | {_num(load.get('server_rss_max_mb'), 0)} MB | — | — | |",
        ]
    for name in ("etl", "pages", "exports", "redraw", "load"):
        failed = results.get(name)
        if isinstance(failed, dict) and "error" in failed:
            lines.append(f"| {name} benchmark | failed: {failed['error']} | — | **MISS** | {_load(started.get(name))} |")
    growth = _growth(results)
    for name, (exp, detail) in growth.items():
        lines.append(f"| how cost grows: {name} | exponent **{exp:.2f}** ({detail}) | ≤ 1 (linear or better) "
                     f"| {_mark(exp <= 1.05)} | |")
    if etl:
        lines += ["", "ETL by size (wall seconds, median of the runs; ratio = median of neighbouring runs' ratios):", "",
                  "| rows | file | ETL | bare read | ratio | CPU ratio | bare (defaults) | ETL peak | pandas | ETL faster by | load avg. |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for _label, e in sorted(etl.items(), key=lambda kv: kv[1]["rows"]):
            lines.append(
                f"| {e['rows']:,} | {e['file_mb']:,.0f} MB | {e['etl_s']:.2f} s | {e['bare_s']:.2f} s | {e['ratio_bare']:.2f}× "
                f"| {e['ratio_bare_cpu']:.2f}× | {e['bare_default']['wall_s']:.2f} s | {e['etl_max_rss_mb']:,.0f} MB "
                f"| {_num(e.get('analyst', {}).get('wall_s'), 1, ' s')} | {_num(e.get('speedup_analyst'), 1, '×')} "
                f"| {', '.join(_load(x) for x in e['load'])} |")
    if pages:
        names = list(next(iter(pages.values()))["pages"])
        lines += ["", "Page server time p95 by size (ms; in brackets the part spent in DuckDB queries):", "",
                  "| records | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for _size, p in sorted(pages.items(), key=lambda kv: kv[1].get("records", 0)):
            lines.append(f"| {p.get('records', 0):,} | " + " | ".join(
                f"{p['pages'][n]['total_p95_ms']:.0f} ({p['pages'][n]['query_p95_ms']:.0f})" for n in names) + " |")
    return "\n".join(lines)


def _growth(results: dict) -> dict[str, tuple[float, str]]:
    out = {}
    etl = sorted((v for k, v in results.get("etl", {}).items() if k != "error"), key=lambda e: e["rows"])
    if len(etl) >= 2:
        rows = [e["rows"] for e in etl]
        out["ETL load time vs rows"] = (growth_exponent(rows, [e["etl_s"] for e in etl]),
                                        ", ".join(f"{e['etl_s']:.1f} s" for e in etl) + " at "
                                        + ", ".join(f"{r / 1e6:.0f}M" for r in rows))
    pages = sorted((v for k, v in results.get("pages", {}).items() if k != "error"), key=lambda p: p.get("records", 0))
    if len(pages) >= 2:
        rows = [p["records"] for p in pages]
        worst = [max(v["query_p50_ms"] for v in p["pages"].values()) for p in pages]
        out["slowest page's query time (p50) vs records"] = (
            growth_exponent(rows, worst), ", ".join(f"{w:.0f} ms" for w in worst))
    return out


def main(argv: list[str]) -> int:
    """Write the figures of RESULTS.json (default bench/out/results.json) between the markers of
    BENCHMARKS.md; returns 0."""
    results = json.loads(Path(argv[0] if argv else OUT / "results.json").read_text())
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    BENCHMARKS.write_text(f"{head}{BEGIN}\n{render(results)}\n{END}{tail}")
    print(f"updated {BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
