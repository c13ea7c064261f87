"""The PDF handout (coursebuild.pdf, `make pdf`) printed from the built site in Chromium."""

from __future__ import annotations

import re
import unicodedata

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sitebuild import mini_project, mkdocs_build

from coursebuild import pdf

pytestmark = [pytest.mark.slow, pytest.mark.browser]

RAW_TEX = re.compile(r"\\(?:frac|sum|label|eqref|tag|begin|end|mathbf|boldsymbol|left|right|partial)\b|\$\$|\\\[|\\\(")


def text(path_or_page) -> str:
    """The text, its ligatures ("ﬁ") as letters."""
    pages = PdfReader(path_or_page).pages if not hasattr(path_or_page, "extract_text") else [path_or_page]
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in pages))


def test_the_course_and_each_chapter_print_with_the_sites_equation_numbers(built_site, chromium, tmp_path):
    published = "https://example.org/course/"
    course, *chapter_files = pdf.build(built_site, published, tmp_path)
    chapters = pdf.chapters(built_site)
    assert [f.stem for f in chapter_files] == [c.name for c in chapters]

    pages = [len(PdfReader(f).pages) for f in chapter_files]
    assert all(n >= 2 for n in pages), dict(zip([c.name for c in chapters], pages))
    reader = PdfReader(course)
    assert len(reader.pages) == 1 + sum(pages), "the course is the cover and every chapter, nothing else"
    assert [item.title for item in reader.outline] == [c.title for c in chapters]
    cover = text(reader.pages[0])
    assert all(c.title in cover for c in chapters), cover

    for chapter, path in zip(chapters, chapter_files):
        printed = text(path)
        assert not RAW_TEX.search(printed), f"{path.name}: raw TeX {RAW_TEX.search(printed).group(0)!r}"
        assert chapter.title in printed and f"{chapter.number}–1" in printed  # running head, page number
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
