"""The PDF handout, printed from the built site by headless Chromium (``make pdf``).

``python -m coursebuild.pdf SITE_DIR [--site-url URL]`` writes ``SITE_DIR/pdf/NN-name.pdf`` for
every chapter and ``SITE_DIR/pdf/course.pdf``: a cover with the contents, then every chapter.
Each chapter is printed from its own page with the site's print stylesheet (no navigation, every
solution open), so its equations carry the numbers the site shows and its figures stay vectors
(inline SVG). Every chapter starts on a new page, under its title as a running head.

Pages are numbered once, through the whole course: chapter 7's handout shows the same page numbers
as chapter 7 in the course, and the contents give each chapter's first page. Chromium numbers the
pages of one print job only (its footer's ``pageNumber``), so each chapter is printed with a CSS
page counter that starts where the chapter before ended. Links between pages point at the
published site (``--site-url``, default the build's ``site_url``), never at the local server used
for printing.

No page inside a chapter is left near-empty by a figure too tall for what remains of it. Before
printing, ``pdffit.js`` predicts the page breaks and makes each such figure fit: shrunk a little,
floated below the next paragraph, or (a notebook's output, which stays with its cell) shrunk while
its labels stay legible, its caption beside it. The prediction misses a few breaks, so the printed
chapter is then measured (``pdfpages``: every page rendered, and each figure's page from the PDF):
the first page more than FIT_LIMIT blank at its bottom gets the figure opening the next page
fitted the same way, and the chapter is printed again; at most REFITS times.

Chromium is ``$CHROMIUM`` or Debian's ``chromium``, as for the browser tests, and the pages are
measured with poppler's ``pdftoppm``; ``make site`` needs neither.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import http.server
import io
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from coursebuild import pdfpages

COURSE = "Introduction to Deep Learning"
MARGIN = {"top": "18mm", "bottom": "16mm", "left": "16mm", "right": "16mm"}
# The page body in CSS pixels (96 per inch): A4 less the margins above, as pdffit.js lays it out.
BODY_WIDTH, BODY_HEIGHT = round((210 - 16 - 16) / 25.4 * 96), round((297 - 18 - 16) / 25.4 * 96)
# pdffit.js shrinks a figure pushed to the next page when the space it leaves is more than
# FIT_LIMIT of a page, as long as it keeps FIT_SCALE of the size it was drawn at (its labels'
# points): 10 pt text no smaller than 7.5 pt; or floats it. One that can do neither (a notebook's
# output stays with its cell) may shrink further while its smallest label keeps MIN_POINTS on paper.
FIT_LIMIT, FIT_SCALE, MIN_POINTS = 0.3, 0.75, 6
# After printing, the pages are measured; a figure the prediction missed is fitted and the chapter
# printed again, at most REFITS times (each fit moves every page break after it: one at a time).
REFITS = 2
OPENS = 36  # points: a figure whose top is this close to the body's top opens its page
FIT_FIGURES = (Path(__file__).with_name("pdffit.js")).read_text(encoding="utf-8")
TITLE = re.compile(r"<title>(.*?) - [^<]*</title>")


@dataclass(frozen=True)
class Chapter:
    url: str  # "chapters/07-training-with-keras/", relative to the site's root
    title: str  # "7. Training with Keras"
    number: str  # "7"

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]  # "07-training-with-keras"


def chapters(site: Path) -> list[Chapter]:
    """The built chapters, in reading order (their folder names start with the chapter number)."""
    found = []
    for page in sorted((site / "chapters").glob("*/index.html")):
        title = html.unescape(TITLE.search(page.read_text(encoding="utf-8")).group(1))
        found.append(Chapter(page.parent.relative_to(site).as_posix() + "/", title, title.split(".", 1)[0]))
    if not found:
        raise FileNotFoundError(f"{site} has no chapters/*/index.html: build the site first (make site)")
    return found


@contextlib.contextmanager
def _serve(site: Path):
    """The built site on a free port of 127.0.0.1, for the browser to print from."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def chromium() -> str:
    """The browser: ``$CHROMIUM`` if set, else ``chromium`` on the PATH."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        raise FileNotFoundError("no chromium on PATH and no $CHROMIUM: `apt-get install chromium` to build the PDF")
    return path


# Every link that leads to another page of the site points at the published address instead.
PUBLISH_LINKS = """([local, published]) => {
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.href.startsWith(local) && url.pathname !== location.pathname) a.href = published + url.href.slice(local.length);
  }
}"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_css(head: str, first: int) -> str:
    """The running head and the page number, in the page's margin boxes, counting from ``first``.

    print-site's stylesheet also numbers pages there ("Page 6") and adds to the counter: both go.
    Its page margins (4em by 1.5em) went over the ones given to Chromium: a 745 px column where
    pdffit.js laid out 673 px. The page is the A4 page with MARGIN, whoever prints it."""
    small = "font-family: sans-serif; font-size: 8px; color: #444;"
    margin = " ".join(MARGIN[side] for side in ("top", "right", "bottom", "left"))
    return f"""
    html {{ counter-reset: page {first - 1}; }}
    @page {{
      size: A4;
      margin: {margin};
      counter-increment: none;
      @top-right {{ content: {_css_string(head)}; {small} }}
      @bottom-center {{ content: counter(page); {small} }}
      @bottom-right {{ content: none; }}
    }}"""


def _print(page, url: str, local: str, published: str, head: str, first: int) -> tuple[bytes, list]:
    """One chapter as PDF, its pages numbered from ``first``; and what was done to which figure."""
    page.goto(url, timeout=120000)  # its math is in the HTML (typeset at build), fonts come next
    page.evaluate("document.fonts.ready.then(() => true)")
    page.evaluate(PUBLISH_LINKS, [local, published])
    page.emulate_media(media="print")
    page.add_style_tag(content=_page_css(head, first))
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    fitted = _fit(page, None)
    figures = page.evaluate(pdfpages.LINK_FIGURES)
    pdf = page.pdf(format="A4", margin=MARGIN, print_background=False)
    for refit in range(REFITS + 1):
        pushed = _first_pushed(pdf, figures)
        if pushed is None:
            break
        index, figure, gap = pushed
        if figure is None or refit == REFITS:
            why = "the next page opens with no figure" if figure is None else f"{REFITS} prints again were not enough"
            fitted.append([figure or "(no figure)", f"left: {why}", round(gap / BODY_HEIGHT, 2), index + 1])
            break
        fitted += (fits := _fit(page, [[figure, gap, index + 1]]))
        if fits[0][1].startswith("kept"):
            break
        pdf = page.pdf(format="A4", margin=MARGIN, print_background=False)
    return pdf, fitted


def _fit(page, measured: list | None) -> list:
    """pdffit.js on the page laid out as on paper: predicting breaks (``measured`` None) or fitting
    the figures the printed pages showed pushed ([figure id, gap in px, its page])."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": BODY_WIDTH, "height": BODY_HEIGHT})  # media queries as on paper
    try:
        return page.evaluate(FIT_FIGURES, [BODY_HEIGHT, FIT_LIMIT, FIT_SCALE, MIN_POINTS, measured])
    finally:
        page.set_viewport_size(viewport)


def _first_pushed(pdf: bytes, figures: list[str]) -> tuple[int, str | None, float] | None:
    """The first page of the printed chapter, its last aside, whose bottom is more than FIT_LIMIT
    blank: its index, the figure opening the next page (None if none does) and that blank in CSS px.
    None when there is no such page."""
    top, bottom = (float(MARGIN[side].rstrip("mm")) for side in ("top", "bottom"))
    pages = pdfpages.measure(pdf, top, bottom)
    tops = pdfpages.figure_tops(pdf, figures)
    body_top = (297 - top) / 25.4 * 72  # points above the page's bottom edge
    for index, measured in enumerate(pages[:-1]):
        if measured.bottom <= FIT_LIMIT:
            continue
        # Chromium places a destination at the top of its element, or at the page's top edge
        # when the element opens the page: within OPENS of the body's top either way.
        opening = [(height, figure) for figure, (at, height) in tops.items() if at == index + 1 and height >= body_top - OPENS]
        return index, max(opening)[1] if opening else None, measured.bottom * BODY_HEIGHT
    return None


def _cover(parts: list[tuple[Chapter, int, int]]) -> str:
    """The cover: the course's title and its contents, each chapter with its first page."""
    rows = "".join(
        f'<tr><td>{html.escape(chapter.title)}</td><td class="n">{first}</td></tr>'
        for chapter, first, _ in parts
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
      body {{ font-family: sans-serif; margin: 0; color: #000; }}
      h1 {{ font-size: 28pt; margin: 40mm 0 4mm; font-weight: 400; }}
      p {{ font-size: 11pt; color: #333; }}
      h2 {{ font-size: 14pt; margin-top: 20mm; font-weight: 400; }}
      table {{ border-collapse: collapse; width: 100%; font-size: 11pt; }}
      td {{ padding: 1.6mm 0; border-bottom: 0.2mm solid #ccc; }} .n {{ text-align: right; width: 18mm; }}
    </style></head><body>
      <h1>{COURSE}</h1>
      <p>The first lecture of <em>Machine Learning for Finance</em> (Giovanni Della Lunga, University of
      Bologna, 2022) as an executable course: every number and figure was computed while the site was built.</p>
      <h2>Contents</h2><table>{rows}</table>
    </body></html>"""


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def build(site: Path, published: str, out: Path | None = None, notes: list | None = None) -> list[Path]:
    """Print every chapter and the whole course into ``out`` (default ``site/pdf/``), with links
    to other pages pointing at ``published``; returns the files written, the course first.

    ``notes``, when given, gets one ``(page, figure id, what was done)`` for every figure that
    left the page before it more than FIT_LIMIT blank, predicted or measured on the printed page:
    shrunk, floated, or kept (the page stays short, the figure being too tall to shrink or float);
    and one with the figure "(no figure)" for a printed page left short by something else."""
    from playwright.sync_api import sync_playwright

    out = site / "pdf" if out is None else out
    out.mkdir(parents=True, exist_ok=True)
    written, parts = [], []
    with _serve(site) as local, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        found = chapters(site)
        # The cover's length does not depend on the page numbers it shows: print it once to count.
        page.set_content(_cover([(chapter, 0, 0) for chapter in found]))
        first = _pages(page.pdf(format="A4", margin=MARGIN, print_background=False)) + 1
        for chapter in found:
            pdf, fitted = _print(page, local + chapter.url, local, published, f"{COURSE} · {chapter.title}", first)
            for figure, change, blank, index in fitted:
                # The page before the figure's: page `index - 1` of the chapter, numbered first + that.
                print(f"page {first + index - 1} ({chapter.name}) was {blank:.0%} blank above figure {figure}: {change}")
                if notes is not None:
                    notes.append((first + index - 1, figure, change))
            path = out / f"{chapter.name}.pdf"
            path.write_bytes(pdf)
            written.append(path)
            parts.append((chapter, first, _pages(pdf)))
            first += parts[-1][2]
        page.set_content(_cover(parts))
        cover = page.pdf(format="A4", margin=MARGIN, print_background=False)
        browser.close()
    course = PdfWriter()
    course.append(io.BytesIO(cover))
    for (chapter, first, _), path in zip(parts, written):
        if len(course.pages) + 1 != first:
            raise RuntimeError(f"{chapter.name} is numbered from {first} but starts on page {len(course.pages) + 1}")
        course.append(str(path))
        course.add_outline_item(title=chapter.title, page_number=first - 1)
    course.add_metadata({"/Title": COURSE})
    with open(out / "course.pdf", "wb") as handle:
        course.write(handle)
    return [out / "course.pdf", *written]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build's --site-dir)")
    parser.add_argument("--site-url", default=os.environ.get("SITE_URL", "http://127.0.0.1:8000/"),
                        help="the published address that links in the PDF point at")
    args = parser.parse_args(argv)
    for path in build(args.site, args.site_url.rstrip("/") + "/"):
        print(f"{path}: {len(PdfReader(path).pages)} pages")


if __name__ == "__main__":
    main()
