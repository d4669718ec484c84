"""The pack as a landscape A4 PDF, laid out by reportlab Platypus: `to_pdf`, `build_pdf`.

A cover page (title, period, sources, the synthetic-data warning, a table of contents with
real page numbers), one chart per page and a closing page with sources and caveats. Each chart
page holds the finding as its title, the subtitle, then the chart picture with its caveats and
source line (`_ChartBlock`, a `KeepInFrame`: the picture takes the height the page has left).
Without Chromium a page shows the chart's numbers instead (`_NumbersTable`: `Table`s side by
side, continued on the next page with the header repeated when they do not fit; no row is
dropped).

The page templates draw, after each page's flowables, the footer (pack title, page number
"n / N", and the provenance stamp: database build and the link that reopens the view) and the
red synthetic-data mark; the PDF outline has the pack title, one entry per chart and the
closing page. Text is measured with the embedded font's metrics (`pdfmetrics.stringWidth`),
never guessed, and characters the font lacks are swapped for close equivalents.
"""

from __future__ import annotations

import io
import math
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepInFrame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from cybertrends import i18n
from cybertrends.briefing.images import Images
from cybertrends.briefing.pack import (
    GRID,
    MARK,
    MUTED,
    SYNTHETIC_FILL,
    SYNTHETIC_RED,
    TEXT,
    Pack,
    closing_sections,
    shared_subtitle,
    table_rows,
    unique,
)

if TYPE_CHECKING:  # pragma: no cover
    from cybertrends.chartspec import ChartSpec

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 36.0
FOOTER_TOP = 46.0  # the frames end here; the footer's two lines sit below
COVER_DROP = 84.0  # the cover's title starts this far below the top margin
FONT, BOLD = "BriefSans", "BriefSans-Bold"
_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
_SWAPS = {"ⓘ": "(i)", "−": "-", "–": "-", "—": "-", "…": "...", "«": '"', "»": '"', "\u00a0": " ", "\u202f": " "}


def _glyphs() -> set[int]:
    """Register a Unicode TTF pair once (DejaVu Sans if present, else reportlab's bundled Vera);
    returns the code points the regular face covers."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        bundled = Path(reportlab.__file__).parent / "fonts"
        pairs = [*_FONT_CANDIDATES, (str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf"))]
        regular, bold = next((r, b) for r, b in pairs if Path(r).is_file() and Path(b).is_file())
        pdfmetrics.registerFont(TTFont(FONT, regular))
        pdfmetrics.registerFont(TTFont(BOLD, bold))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return set(pdfmetrics.getFont(FONT).face.charToGlyph)


def _plain(text: str, glyphs: set[int]) -> str:
    """`text` with the characters the font lacks swapped for close equivalents."""
    out = []
    for char in str(text or ""):
        if ord(char) not in glyphs and char not in "\n\t":
            char = _SWAPS.get(char, unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?")
        out.append(char)
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(text: str, glyphs: set[int]) -> str:
    """`text` ready for a Paragraph: font-safe and escaped."""
    return _escape(_plain(text, glyphs))


def _styles() -> dict[str, ParagraphStyle]:
    base = dict(fontName=FONT, textColor=f"#{TEXT}")
    muted = {**base, "textColor": f"#{MUTED}"}
    return {
        "cover": ParagraphStyle("cover", fontName=BOLD, fontSize=30, leading=36, textColor=f"#{TEXT}",
                                spaceAfter=14),
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=f"#{TEXT}", spaceAfter=4),
        "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=13, leading=17, textColor=f"#{TEXT}",
                                  spaceBefore=10, spaceAfter=3, keepWithNext=1),
        "subtitle": ParagraphStyle("subtitle", **muted, fontSize=11.5, leading=15, spaceAfter=4),
        "body": ParagraphStyle("body", **base, fontSize=11, leading=14.5, spaceAfter=3),
        "note": ParagraphStyle("note", **muted, fontSize=8.5, leading=11),
        "source": ParagraphStyle("source", **muted, fontSize=9.5, leading=12),
        "warning": ParagraphStyle("warning", **{**base, "textColor": f"#{SYNTHETIC_RED}"}, fontSize=10.5,
                                  leading=13.5, spaceBefore=6, spaceAfter=6),
        "toc": ParagraphStyle("toc", **base, fontSize=10, leading=13.5),
    }


class _PageStart(Flowable):
    """Zero-size marker that opens a page of the pack: its outline entry (and contents entry),
    and what the footer and the synthetic mark show from this page on."""

    def __init__(self, outline: str, level: int, stamp: str, synthetic: bool, link: str = "",
                 contents: bool = True) -> None:
        super().__init__()
        self.outline, self.level, self.stamp, self.synthetic = outline, level, stamp, synthetic
        self.link, self.contents = link, contents
        self.width = self.height = 0

    def draw(self) -> None:  # nothing to draw: the document acts on it in afterFlowable
        pass


class _PageTotal(Flowable):
    """Zero-size indexing flowable at the end of the story: the document's page count, so
    footers say "n / N"; `multiBuild` runs again until the count the footers used is the real
    one (isIndexing, beforeBuild, afterBuild, notify and isSatisfied are reportlab's hooks)."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.used = self.measured = expected
        self.width = self.height = 0

    def isIndexing(self) -> int:
        return 1

    def beforeBuild(self) -> None:
        self.used = self.measured

    def afterBuild(self) -> None:
        pass

    def notify(self, kind: str, stuff: object) -> None:
        """Indexing flowables hear every event; this one needs none."""

    def isSatisfied(self) -> bool:
        return self.used == self.measured

    def draw(self) -> None:
        self.measured = self.canv.getPageNumber()


class _ChartBlock(KeepInFrame):
    """The chart picture and its caption (caveats, source line) on one page: the picture takes
    the height the frame has left below the title, at its own aspect; the caption follows it."""

    def __init__(self, png: bytes, caption: list[Flowable]) -> None:
        self.image = Image(io.BytesIO(png), hAlign="CENTER")
        self.caption = caption
        super().__init__(0, 0, [self.image, Spacer(1, 6), *caption], mode="shrink", name="chart")

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        caption_h = 6 + sum(f.wrap(availWidth, availHeight)[1] for f in self.caption)
        w_px, h_px = self.image.imageWidth, self.image.imageHeight
        scale = max(min(availWidth / w_px, (availHeight - caption_h - 1) / h_px), 0.05)
        self.image.drawWidth, self.image.drawHeight = w_px * scale, h_px * scale
        return super().wrap(availWidth, availHeight)


class _NumbersTable(Flowable):
    """The numbers behind a chart as one table cut into blocks side by side, with the largest
    font size that fits the space left above the caption that follows; what does not fit even
    at the smallest size continues on the next page (header repeated), so no row is lost."""

    SIZES = (9.0, 8.0, 7.0, 6.5)
    MAX_BLOCKS = 6
    GAP = 14.0

    def __init__(self, header: list[str], rows: list[list[str]], caption: list[Flowable] = (),
                 sizes: tuple[float, ...] = SIZES) -> None:
        super().__init__()
        self.header, self.rows, self.caption, self.sizes = header, rows, list(caption), sizes
        self._tables: list[tuple[Table, float, float]] = []

    def _tables_for(self, rows: list[list[str]], blocks: int, size: float, aw: float, ah: float,
                    squeeze: bool = False):
        """`rows` in `blocks` tables at `size`; `squeeze`: one table whose cells wrap within `aw`."""
        per = max(1, math.ceil(len(rows) / blocks))
        out = []
        for start in range(0, max(len(rows), 1), per):
            data, widths = [self.header, *rows[start:start + per]], None
            if squeeze:  # columns narrowed in proportion to their text, the text wrapped inside
                natural = [max(pdfmetrics.stringWidth(row[i], BOLD, size) for row in data) + 6
                           for i in range(len(self.header))]
                short = sum(w for w in natural if w <= aw / len(natural))  # these keep their width
                scale = min(1.0, (aw - short) / max(sum(natural) - short, 1))
                widths = [w if w <= aw / len(natural) else w * scale for w in natural]
                cell = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size * 1.2)
                head = ParagraphStyle("cell_head", parent=cell, fontName=BOLD)
                data = [[Paragraph(_escape(text), head if i == 0 else cell) for text in row]
                        for i, row in enumerate(data)]
            table = Table(data, colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([
                ("FONT", (0, 0), (-1, -1), FONT, size),
                ("FONT", (0, 0), (-1, 0), BOLD, size),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor(f"#{TEXT}")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(f"#{MUTED}")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(f"#{GRID}")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 0.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]))
            out.append((table, *table.wrap(aw, ah)))
        return out

    def _fit(self, rows: list[list[str]], aw: float, ah: float, sizes: tuple[float, ...]):
        """The blocks for `rows` at the largest of `sizes` that fits `aw` x `ah`, or None."""
        for size in sizes:
            for blocks in range(1, self.MAX_BLOCKS + 1):
                tables = self._tables_for(rows, blocks, size, aw, ah)
                width = sum(w for _, w, _ in tables) + self.GAP * (len(tables) - 1)
                if width <= aw and max(h for *_, h in tables) <= ah:
                    return tables
        tables = self._tables_for(rows, 1, sizes[-1], aw, ah, squeeze=True)  # too wide even as one block
        return tables if tables[0][2] <= ah else None

    def _room(self, aw: float, ah: float) -> float:
        """The height left for the table once the caption (drawn after it) has its room."""
        return ah - sum(f.wrap(aw, ah)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in self.caption)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        tables = self._fit(self.rows, availWidth, self._room(availWidth, availHeight), self.sizes)
        if tables is None:  # too tall: the frame asks split() for what fits
            return availWidth, availHeight + 1
        self._tables = tables
        self.width, self.height = availWidth, max(h for *_, h in tables)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        low, high = 0, len(self.rows)  # the most rows that fit here, at the smallest size
        while low < high:
            middle = (low + high + 1) // 2
            if self._fit(self.rows[:middle], availWidth, availHeight, self.SIZES[-1:]) is not None:
                low = middle
            else:
                high = middle - 1
        low = min(low, len(self.rows) - 1)  # the caption never travels alone
        if low <= 0:
            return []  # nothing fits here: start on the next page
        small = self.SIZES[-1:]  # a table that runs over pages keeps one size throughout
        return [_NumbersTable(self.header, self.rows[:low], sizes=small),
                _NumbersTable(self.header, self.rows[low:], self.caption, small)]

    def draw(self) -> None:
        x = 0.0
        for table, w, h in self._tables:
            table.drawOn(self.canv, x, self.height - h)
            x += w + self.GAP


class _PackDoc(BaseDocTemplate):
    """Landscape A4 with two page templates: the cover (title set lower) and the content pages
    (charts, closing). Both draw the footer and the synthetic mark after their flowables, from
    the last `_PageStart` laid out."""

    def __init__(self, buffer: io.BytesIO, pack: Pack, glyphs: set[int]) -> None:
        super().__init__(buffer, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN, bottomMargin=FOOTER_TOP, title=pack.title, author="cybertrends",
                         subject=i18n.t("br_subject", pack.lang), keywords=MARK if pack.synthetic else "",
                         pageCompression=1)
        self.pack, self.glyphs = pack, glyphs
        self.total = _PageTotal(pack.count)
        self.page_start: _PageStart | None = None
        width, height = PAGE_W - 2 * MARGIN, PAGE_H - MARGIN - FOOTER_TOP
        frame = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("cover", [Frame(MARGIN, FOOTER_TOP, width, height - COVER_DROP, id="cover", **frame)],
                         onPageEnd=self._decorate),
            PageTemplate("content", [Frame(MARGIN, FOOTER_TOP, width, height, id="content", **frame)],
                         onPageEnd=self._decorate),
        ])

    def beforeDocument(self) -> None:  # reportlab hook: runs once per build pass
        """Each build pass starts without a page opened."""
        self.page_start = None

    def afterFlowable(self, flowable: Flowable) -> None:
        """Outline and contents entries, and the footer's stamp, at each `_PageStart`."""
        if isinstance(flowable, _PageStart):
            self.page_start = flowable
            key = f"p{self.page}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline, key, level=flowable.level)
            if flowable.contents:
                self.notify("TOCEntry", (0, _markup(flowable.outline, self.glyphs), self.page, key))

    def _decorate(self, canvas, doc) -> None:
        start = self.page_start
        if start is not None and start.synthetic:
            _draw_mark(canvas)
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(f"#{MUTED}"))
        number = f"{canvas.getPageNumber()} / {self.total.used}"
        canvas.setFont(FONT, 8.5)
        canvas.drawRightString(PAGE_W - MARGIN, 30, number)
        room = PAGE_W - 2 * MARGIN - pdfmetrics.stringWidth(number, FONT, 8.5) - 12
        canvas.drawString(MARGIN, 30, _fit_line(_plain(self.pack.title, self.glyphs), FONT, 8.5, room))
        stamp = _plain(start.stamp if start is not None else "", self.glyphs)
        size = next((s for s in (7.5, 7.0, 6.5, 6.0) if pdfmetrics.stringWidth(stamp, FONT, s) <= room), 6.0)
        shown = _fit_line(stamp, FONT, size, room)
        canvas.setFont(FONT, size)
        canvas.drawString(MARGIN, 19, shown)
        if start is not None and start.link:  # the full link stays clickable even where the text is cut
            width = pdfmetrics.stringWidth(shown, FONT, size)
            canvas.linkURL(start.link, (MARGIN, 17, MARGIN + width, 19 + size), relative=0, thickness=0)
        canvas.restoreState()


def _fit_line(text: str, font: str, size: float, width: float) -> str:
    """`text` cut in the middle (with "...") until it is at most `width` points wide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    keep = len(text)
    while keep > 4:
        keep -= 2
        cut = text[: keep // 2] + "..." + text[len(text) - keep // 2:]
        if pdfmetrics.stringWidth(cut, font, size) <= width:
            return cut
    return "..."


def _draw_mark(canvas) -> None:
    """The red "datos sintéticos / synthetic data" box at the top right."""
    w, h = _mark_width(), 22.0
    x, y = PAGE_W - MARGIN - w, PAGE_H - MARGIN - h + 4
    canvas.saveState()
    canvas.setFillColor(colors.HexColor(f"#{SYNTHETIC_FILL}"))
    canvas.setStrokeColor(colors.HexColor(f"#{SYNTHETIC_RED}"))
    canvas.setLineWidth(1.2)
    canvas.rect(x, y, w, h, stroke=1, fill=1)
    canvas.setFillColor(colors.HexColor(f"#{SYNTHETIC_RED}"))
    canvas.setFont(BOLD, 10.5)
    canvas.drawCentredString(x + w / 2, y + 7, MARK)
    canvas.restoreState()


def _mark_width() -> float:
    return pdfmetrics.stringWidth(MARK, BOLD, 10.5) + 24


def _beside_mark(style: ParagraphStyle, synthetic: bool) -> ParagraphStyle:
    """`style`, kept clear of the synthetic mark at the top right when there is one."""
    return ParagraphStyle(f"{style.name}_marked", parent=style, rightIndent=_mark_width() + 16) if synthetic else style


def _pack_stamp(pack: Pack) -> str:
    """The cover's and closing page's provenance: the database build(s) behind the charts."""
    builds = unique(str((spec.provenance or {}).get("build_id", ""))[:12] for spec in pack.specs)
    return i18n.t("br_pdf_build", pack.lang, build=", ".join(builds)) if builds else ""


class _Story:
    """The flowables of one pack, page by page."""

    def __init__(self, pack: Pack, images: Images, glyphs: set[int]) -> None:
        self.pack, self.images, self.glyphs, self.lang = pack, images, glyphs, pack.lang
        self.styles = _styles()

    def para(self, text: str, style: str | ParagraphStyle) -> Paragraph:
        style = self.styles[style] if isinstance(style, str) else style
        return Paragraph(_markup(text, self.glyphs), style)

    def cover(self) -> list[Flowable]:
        pack, lang, s = self.pack, self.lang, self.styles
        out: list[Flowable] = [
            _PageStart(_plain(pack.title, self.glyphs), 0, _pack_stamp(pack), pack.synthetic, contents=False),
            self.para(pack.title, ParagraphStyle("cover_title", parent=s["cover"], rightIndent=0.15 * (PAGE_W - 2 * MARGIN))),
            self.para(i18n.t("br_generated", lang, date=i18n.fmt_date(pack.created, lang)) + " · "
                      + i18n.t("br_n_charts", lang, n=len(pack.specs)), "subtitle"),
        ]
        scope = shared_subtitle(pack)
        if scope:
            out.append(self.para(scope, "subtitle"))
        out.append(self.para(i18n.t("br_sources_heading", lang), "heading"))
        out += [self.para(source, "source") for source in unique(spec.source_line for spec in pack.specs)]
        if pack.synthetic:
            out.append(self.para(i18n.t("br_synthetic_note", lang), "warning"))
        small = len(pack.specs) + 1 > 12  # long packs: a smaller contents list keeps the cover one page
        toc = ParagraphStyle("toc_small", parent=s["toc"], fontSize=8.5, leading=11) if small else s["toc"]
        contents = TableOfContents(levelStyles=[toc], dotsMinLevel=0)
        out += [self.para(i18n.t("br_contents", lang), "heading"), contents]
        return out

    def chart(self, spec: ChartSpec) -> list[Flowable]:
        from cybertrends import export

        out: list[Flowable] = [
            _PageStart(_plain(spec.title, self.glyphs), 1, spec.stamp, spec.synthetic, (spec.provenance or {}).get("link", "")),
            self.para(spec.title, _beside_mark(self.styles["title"], spec.synthetic)),
            Paragraph(_markup(spec.subtitle, self.glyphs), _beside_mark(self.styles["subtitle"], spec.synthetic)),
            Spacer(1, 6),
        ]
        source = _markup(spec.source_line, self.glyphs)
        if spec.synthetic:
            source += f' · <font color="#{SYNTHETIC_RED}"><b>{_markup(spec.synthetic_mark, self.glyphs)}</b></font>'
        caption = [self.para(f"• {note}", "note") for note in spec.notes]
        caption.append(Paragraph(source, self.styles["source"]))
        try:
            png = self.images.get(spec)
        except export.ExportError as error:
            out.append(self.para(i18n.t("br_images_unavailable", spec.lang, reason=str(error)), "warning"))
            caption = [Spacer(1, 8), *caption]
            out += [_numbers(spec, self.glyphs, caption), *caption]
        else:
            out.append(_ChartBlock(png, caption))
        return out

    def closing(self) -> list[Flowable]:
        pack, lang = self.pack, self.lang
        title = i18n.t("br_closing_title", lang)
        out: list[Flowable] = []
        sections = closing_sections(pack)
        n_chars = sum(len(h) + sum(len(i) for i in items) for h, items in sections)
        item = ParagraphStyle("closing_item", parent=self.styles["body" if n_chars < 1800 else "note"], spaceAfter=3)
        for heading, items in sections:
            if heading:
                out.append(self.para(heading, "heading"))
            out += [self.para(f"• {text}", item) if heading else self.para(text, "note") for text in items]
            out.append(Spacer(1, 6))
        return [  # one page, as the deck's closing slide: a very long list of skipped charts shrinks
            _PageStart(_plain(title, self.glyphs), 1, _pack_stamp(pack), pack.synthetic),
            self.para(title, _beside_mark(self.styles["title"], pack.synthetic)),
            KeepInFrame(0, 0, out, mode="shrink", name="closing"),
        ]

    def flowables(self, total: _PageTotal) -> list[Flowable]:
        story = [*self.cover(), NextPageTemplate("content")]
        for spec in self.pack.specs:
            story += [PageBreak(), *self.chart(spec)]
        return [*story, PageBreak(), *self.closing(), total]


def _numbers(spec: ChartSpec, glyphs: set[int], caption: list[Flowable]) -> _NumbersTable:
    """The chart's numbers as the page shows them; long tables keep only the chart's own columns."""
    header, rows = table_rows(spec, exact=False)
    if len(rows) > 30:
        keep = [i for i, h in enumerate(header) if h in {str(spec.x), str(spec.series), str(spec.y)}]
        header = [header[i] for i in keep]
        rows = [[row[i] for i in keep] for row in rows]
    return _NumbersTable([_plain(h, glyphs) for h in header], [[_plain(c, glyphs) for c in row] for row in rows],
                         caption)


def build_pdf(pack: Pack, images: Images | None = None) -> tuple[bytes, int]:
    """The pack as a landscape A4 PDF and its page count (title page, one page per chart,
    closing page; more where a table of numbers continues on the next page)."""
    images = images or Images("all")
    glyphs = _glyphs()
    buffer = io.BytesIO()
    doc = _PackDoc(buffer, pack, glyphs)
    doc.multiBuild(_Story(pack, images, glyphs).flowables(doc.total))
    return buffer.getvalue(), doc.total.measured


def to_pdf(pack: Pack, images: Images | None = None) -> bytes:
    """The pack as a landscape A4 PDF: title page, one page per chart, closing page."""
    return build_pdf(pack, images)[0]
