"""The PDF handout (coursebuild.pdf, `make pdf`) printed from the built site in Chromium."""

from __future__ import annotations

import math
import re
import shutil
import unicodedata

import pytest
from bs4 import BeautifulSoup
from conftest import IN_CI
from pypdf import PdfReader
from sitebuild import mini_project, mkdocs_build

from coursebuild import pdf

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# A page is near-empty when more than this share of its body (the page less its margins, where
# the running head and the number are) is one blank band: no ink in any row across it.
NEAR_EMPTY = 0.35

RAW_TEX = re.compile(r"\\(?:frac|sum|label|eqref|tag|begin|end|mathbf|boldsymbol|left|right|partial)\b|\$\$|\\\[|\\\(")


def text(path_or_page) -> str:
    """The text, its ligatures ("ﬁ") as letters."""
    pages = PdfReader(path_or_page).pages if not hasattr(path_or_page, "extract_text") else [path_or_page]
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in pages))


def blank_bands(path) -> list[float]:
    """For each page of the PDF at ``path``, its tallest band without ink as a share of the page's
    body: ``pdfpages.measure``, the measure the build itself fits figures by."""
    if shutil.which("pdftoppm") is None:
        message = "no pdftoppm to render the PDF (apt-get install poppler-utils)"
        pytest.fail(message + ": .ci/run must provide it") if IN_CI else pytest.skip(message)
    margin = {side: float(pdf.MARGIN[side].rstrip("mm")) for side in ("top", "bottom")}
    return [page.tallest for page in pdf.pdfpages.measure(path.read_bytes(), margin["top"], margin["bottom"])]


def smallest_text(page) -> float:
    """The size, in points on paper, of the smallest text drawn on a PDF page."""
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():  # the text matrix's vertical scale, then the page's
            sizes.append(size * math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]))

    page.extract_text(visitor_text=visit)
    return min(sizes)


def footer_numbers(path) -> list[str]:
    """The text printed in each page's bottom margin (its page number), as pypdf reads it."""
    numbers = []
    for page in PdfReader(path).pages:
        limit = float(page.mediabox.bottom) + float(pdf.MARGIN["bottom"].rstrip("mm")) / 25.4 * 72
        parts = []
        page.extract_text(visitor_text=lambda text, cm, tm, *_: parts.append(text) if tm[5] * cm[3] + cm[5] < limit else None)
        numbers.append("".join(parts).strip())
    return numbers


def test_the_course_and_each_chapter_print_with_the_sites_equation_numbers(built_site, chromium, tmp_path):
    published = "https://example.org/course/"
    notes = []
    course, *chapter_files = pdf.build(built_site, published, tmp_path, notes)
    chapters = pdf.chapters(built_site)
    assert [f.stem for f in chapter_files] == [c.name for c in chapters]

    pages = [len(PdfReader(f).pages) for f in chapter_files]
    assert all(n >= 2 for n in pages), dict(zip([c.name for c in chapters], pages))
    reader = PdfReader(course)
    assert len(reader.pages) == 1 + sum(pages), "the course is the cover and every chapter, nothing else"
    assert [item.title for item in reader.outline] == [c.title for c in chapters]
    cover = text(reader.pages[0])
    assert all(c.title in cover for c in chapters), cover

    # One page numbering through the course: the cover is page 1, every later page shows its own
    # number, the contents and the bookmarks name each chapter's first page, and a chapter's own
    # handout carries the numbers of the same pages in the course.
    numbers = footer_numbers(course)
    assert numbers[1:] == [str(n) for n in range(2, len(numbers) + 1)], numbers
    firsts = [reader.get_destination_page_number(item) + 1 for item in reader.outline]
    for chapter, first, path in zip(chapters, firsts, chapter_files):
        assert re.search(rf"{re.escape(chapter.title)}\s*{first}\b", cover), (chapter.title, first, cover)
        assert footer_numbers(path) == numbers[first - 1:first - 1 + len(PdfReader(path).pages)], path.name

    # Near-empty pages. A chapter's last page may be short: the next page starts a new chapter.
    # Inside a chapter none is: pdffit.js fits the figures its column layout predicts would leave
    # a gap, and coursebuild.pdf measures the printed pages for the breaks it mispredicted (3 pages
    # of 113 were left near-empty without that, 18 before pdffit.js and print.css's breakable
    # solutions and listings).
    last_pages = {first - 1 for first in firsts[1:]} | {len(reader.pages)}
    bands = blank_bands(course)
    short = {n: round(band, 2) for n, band in enumerate(bands[1:], start=2) if band > NEAR_EMPTY}
    inside = {n: band for n, band in short.items() if n not in last_pages}
    assert not inside, f"pages inside chapters more than {NEAR_EMPTY:.0%} blank: {inside}; figures: {notes}"
    # A figure shrunk below 75 % of its drawn size keeps every label legible on paper, as the PDF
    # draws it (on the page before the one it was pushed to, where it now is, or on that one).
    for number, figure, change in notes:
        if "labels" in change:
            sizes = [smallest_text(reader.pages[n - 1]) for n in (number, number + 1)]
            assert min(sizes) >= pdf.MIN_POINTS - 0.01, (number, figure, change, sizes)

    for chapter, path in zip(chapters, chapter_files):
        printed = text(path)
        assert not RAW_TEX.search(printed), f"{path.name}: raw TeX {RAW_TEX.search(printed).group(0)!r}"
        assert chapter.title in printed  # the running head
        site = BeautifulSoup((built_site / chapter.url / "index.html").read_text(), "html.parser")
        cited = {a.get_text(strip=True) for a in site.select("article a.eqref")}
        missing = sorted(n for n in cited if n not in printed)
        assert not missing, f"{path.name}: equation references {missing} are on the page but not in its PDF"
        links = [annot.get_object().get("/A", {}).get("/URI", "") for page in PdfReader(path).pages
                 for annot in page.get("/Annots") or []]
        assert not [u for u in links if "127.0.0.1" in u], f"{path.name} links to the printing server"
        assert any(u.startswith(published) for u in links) or chapter.number == "1", path.name


def test_make_pdf_builds_pages_that_link_their_handout(tmp_path):
    """Under PDF_HANDOUT=1 (`make pdf`) a chapter links its own PDF and other pages the course's;
    a plain build (`make site`, the tests) has no such link, since no PDF is printed there."""
    import os

    root = mini_project(tmp_path / "project")
    (root / "docs/chapters/01-a.md").write_text("# 1. A\n\nText.\n")
    for handout, site in (("1", tmp_path / "with"), ("", tmp_path / "without")):
        result = mkdocs_build(root, site, env={**os.environ, "PDF_HANDOUT": handout})
        assert result.returncode == 0, result.stderr
    chapter = BeautifulSoup((tmp_path / "with/chapters/01-a/index.html").read_text(), "html.parser")
    home = BeautifulSoup((tmp_path / "with/index.html").read_text(), "html.parser")
    assert [a["href"] for a in chapter.select('a[href$=".pdf"]')] == ["../../pdf/01-a.pdf"]
    assert [a["href"] for a in home.select('a[href$=".pdf"]')] == ["./pdf/course.pdf"]
    plain = (tmp_path / "without/chapters/01-a/index.html").read_text()
    assert ".pdf" not in plain


# A page of the handout's shape: 30 lines of text (600 px) then a figure 360 px tall that does not
# fit below them, so it opens page 2 and leaves about 40 % of page 1 blank.
PUSHED_FIGURE = """<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; font: 16px/20px sans-serif; }
  figure { break-inside: avoid; margin: 16px 0; }
  svg { display: block; width: 100%; max-width: 480px; height: auto; }
</style></head><body><article class="md-content__inner">
  <p>""" + "<br>".join(f"Line {n} of the text above the figure." for n in range(1, 31)) + """</p>
  <figure id="fig-pushed"><svg viewBox="0 0 360 270" xmlns="http://www.w3.org/2000/svg">
    <rect x="10" y="10" width="340" height="230" fill="none" stroke="black"/>
    <text x="20" y="260" style="font: 11px sans-serif">an axis label</text></svg>
    <figcaption>A figure pushed to the next page.</figcaption></figure>
  <p>Text after the figure.</p>
</article></body></html>"""


def test_a_figure_the_prediction_missed_is_fitted_from_the_printed_page(chromium):
    """The second pass on its own: the printed page is measured (its blank bottom, the figure
    opening the next page), pdffit.js fits that figure to the measured gap, and it prints fitted."""
    pytest.importorskip("playwright")
    if shutil.which("pdftoppm") is None:
        message = "no pdftoppm to measure the printed pages (apt-get install poppler-utils)"
        pytest.fail(message + ": .ci/run must provide it") if IN_CI else pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.set_content(PUSHED_FIGURE)
        page.emulate_media(media="print")
        page.add_style_tag(content=pdf._page_css("head", 1))
        figures = page.evaluate(pdf.pdfpages.LINK_FIGURES)
        assert figures == ["fig-pushed"]
        printed = page.pdf(format="A4", margin=pdf.MARGIN)
        assert pdf.pdfpages.figure_tops(printed, figures)["fig-pushed"][0] == 1
        index, figure, gap = pdf._first_pushed(printed, figures)
        assert (index, figure) == (0, "fig-pushed")
        assert 0.3 * pdf.BODY_HEIGHT < gap < 0.45 * pdf.BODY_HEIGHT, gap  # 994 px less 600 and margins

        [[_, change, blank, at]] = pdf._fit(page, [[figure, gap, 1]])
        assert change.startswith("shrunk to") and change.endswith("(printed page measured)"), change
        assert (blank, at) == (round(gap / pdf.BODY_HEIGHT, 2), 1)
        printed = page.pdf(format="A4", margin=pdf.MARGIN)
        browser.close()
    assert pdf.pdfpages.figure_tops(printed, figures)["fig-pushed"][0] == 0
    assert pdf._first_pushed(printed, figures) is None
    assert pdf.pdfpages.measure(printed, 18, 16)[0].bottom < pdf.FIT_LIMIT
