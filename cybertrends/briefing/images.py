"""Chart pictures for the packs, through `cybertrends.export` (one locked Kaleido server per
process): `Images` renders them in the background while later charts are still being built."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from cybertrends.chartspec import ChartSpec

# Map pictures: the map's zoom fits a ~480 px high plot, so render near that size, scale 2.
MAP_IMAGE = dict(width=820, height=600, scale=2)
# PDF chart pictures: about the aspect of the page's chart area, fonts readable when printed.
PDF_IMAGE = dict(width=1000, height=560, scale=2)


def _png(spec: ChartSpec, width: int, height: int, scale: float, mark: bool = True) -> bytes:
    """The chart alone (no title block: the slide/page carries it as text), through the shared,
    locked Kaleido server. `mark` keeps the red synthetic-data mark inside the picture."""
    from cybertrends import export

    bare = replace(spec, title="", subtitle="", notes=[], source_line="", synthetic=spec.synthetic and mark)
    fig = export.export_figure(bare, width=width, height=height)
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name != "source_line"]
    if spec.kind == "hbar" and spec.data[spec.x].nunique() > 12:
        fig.update_yaxes(tickmode="linear", dtick=1, tickfont_size=12)  # every category labelled
    return export.figure_to_image(fig, format="png", width=width, height=height, scale=scale, lang=spec.lang)


class Images:
    """Chart pictures, rendered in the background while later charts are still being built.

    `want` picks which specs need a picture ("map": maps only, for PowerPoint; "all": every
    chart, for the PDF). `get(spec)` returns PNG bytes or raises `export.ExportError`
    (`ExportUnavailable` without Chromium).
    """

    def __init__(self, want: str = "all") -> None:
        self.want = want
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: dict[int, Future] = {}

    def _size(self, spec: ChartSpec) -> dict:
        # PowerPoint pictures keep the synthetic mark (pictures get copied out of decks);
        # PDF pages carry it above the picture.
        return {**(MAP_IMAGE if spec.kind == "map" else PDF_IMAGE), "mark": self.want == "map"}

    def wanted(self, spec: ChartSpec) -> bool:
        """Whether `spec` needs a picture in this output (every chart for 'all', maps only for 'map')."""
        return self.want == "all" or spec.kind == "map"

    def prefetch(self, spec: ChartSpec) -> None:
        """Start rendering `spec`'s picture in the background, if this output wants it and it is not
        started yet."""
        if not self.wanted(spec) or id(spec) in self._jobs:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="briefing-image")
        self._jobs[id(spec)] = self._pool.submit(_png, spec, **self._size(spec))

    def get(self, spec: ChartSpec) -> bytes:
        """PNG bytes of `spec`'s picture: the background render if one was started, else rendered now."""
        job = self._jobs.get(id(spec))
        if job is None:
            return _png(spec, **self._size(spec))
        return job.result()

    def close(self) -> None:
        """Wait for the pending renders and stop the background thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

