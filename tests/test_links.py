"""The built site as a reader's browser would follow it, checked from its HTML alone.

No link to a missing page or anchor (equation anchors and the ``<a>`` that a typeset formula has
for an ``\\eqref`` in its TeX included), on every page and on print-site's one-page course;
headings in order; figures described; abbreviations expanded on hover.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from sitebuild import REPO

pytestmark = pytest.mark.slow

ABBREVIATIONS = REPO / "docs" / "includes" / "abbreviations.md"
PRINT_PAGE = "print_page/index.html"
# Words in capitals that are not abbreviations: the logic gates of chapter 1 and their truth tables.
NOT_ABBREVIATIONS = {"AND", "OR", "NOT", "XOR", "NAND", "NOR"}


@cache
def parsed(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def site_url() -> str:
    """The site's own address: the ``site_url`` conftest.py builds the test site for."""
    return os.environ["SITE_URL"]


def page_url(site: Path, path: Path) -> str:
    relative = path.relative_to(site).as_posix()
    return site_url() + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def target_file(site: Path, url: str) -> Path | None:
    """The built file a site URL is served from, or None if there is none."""
    path = site / unquote(urlsplit(url).path[len(urlsplit(site_url()).path) :])
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


@cache
def anchors(path: Path) -> set[str]:
    soup = parsed(path)
    return {tag["id"] for tag in soup.find_all(id=True)} | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}


def links(soup: BeautifulSoup):
    """``(what, url)`` for every link a reader or the browser follows (in formulas' SVG too)."""
    for tag in soup.find_all("a", href=True):
        yield f"<a> '{tag.get_text(strip=True)[:40]}'", tag["href"]
    for tag in soup.find_all(["link", "script", "img", "source"]):
        if tag.name == "link" and set(tag.get("rel", [])) & {"canonical", "alternate"}:
            continue  # the published address, not a file of this build
        url = tag.get("href") or tag.get("src")
        if url:
            yield f"<{tag.name}>", url


def broken_links(site: Path, path: Path) -> list[str]:
    base = page_url(site, path)
    broken = []
    for what, url in links(parsed(path)):
        absolute = urljoin(base, url)
        if not absolute.startswith(site_url()):
            continue  # another site: not ours to check (and the browser tests forbid requests to it)
        target = target_file(site, absolute)
        fragment = unquote(urlsplit(absolute).fragment)
        if target is None:
            broken.append(f"{what} -> {url}: no such page")
        elif fragment and target.suffix == ".html" and fragment not in anchors(target):
            broken.append(f"{what} -> {url}: no id '{fragment}' on {target.relative_to(site)}")
    return broken


def test_no_broken_internal_links_or_anchors(built_site):
    broken = {
        path.relative_to(built_site).as_posix(): problems
        for path in html_files(built_site)
        if (problems := broken_links(built_site, path))
    }
    assert not broken, "broken links:\n" + "\n".join(
        f"  {page}:\n    " + "\n    ".join(problems) for page, problems in broken.items()
    )


def test_every_equation_reference_leads_to_its_equation(built_site):
    """An ``\\eqref`` link shows "(N.k)" and lands on the equation numbered N.k, on any page."""
    numbers = {}
    for path in html_files(built_site):
        for eq in parsed(path).select(".equation[data-eq-number]"):
            numbers.setdefault(eq["id"], eq["data-eq-number"])
    assert numbers, "no numbered equation anywhere on the site"
    checked = 0
    for path in html_files(built_site):
        for ref in parsed(path).select("a.eqref"):
            anchor = unquote(urlsplit(ref["href"]).fragment)
            assert ref.get_text(strip=True) == f"({numbers[anchor]})", f"{path}: {ref} shows the wrong number"
            checked += 1
    assert checked, "no \\eqref link anywhere on the site"


def test_print_page_holds_every_chapter_equation_and_figure(built_site):
    chapters = sorted((built_site / "chapters").glob("*/index.html"))
    whole = parsed(built_site / PRINT_PAGE)
    for selector in (".equation[data-eq-number]", "figure.course-figure"):
        expected = sorted(tag["id"] for page in chapters for tag in parsed(page).select(selector))
        found = sorted(tag["id"] for tag in whole.select(selector))
        assert found == expected, f"print page {selector}: {len(found)} of {len(expected)}"


def test_ids_are_unique_on_every_page(built_site):
    """A repeated id makes an anchor ambiguous (the browser jumps to the first)."""
    for path in html_files(built_site):
        seen: dict[str, int] = {}
        for tag in parsed(path).find_all(id=True):
            seen[tag["id"]] = seen.get(tag["id"], 0) + 1
        repeated = sorted(name for name, count in seen.items() if count > 1)
        assert not repeated, f"{path.relative_to(built_site)}: ids used more than once: {repeated[:10]}"


def test_headings_in_order(built_site):
    """One h1 per page (the print page joins many), and no level skipped on the way down."""
    for path in html_files(built_site):
        name = path.relative_to(built_site).as_posix()
        article = parsed(path).select_one("article.md-content__inner")
        if article is None:
            continue  # 404.html
        levels = [int(tag.name[1]) for tag in article.find_all(re.compile(r"^h[1-6]$"))]
        assert levels and levels[0] == 1, f"{name}: the first heading is not an h1: {levels[:5]}"
        if name != PRINT_PAGE:
            assert levels.count(1) == 1, f"{name}: {levels.count(1)} h1 headings"
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{name}: heading level jumps from h{before} to h{after}"


def test_every_figure_and_image_is_described(built_site):
    for path in html_files(built_site):
        name = path.relative_to(built_site).as_posix()
        for svg in parsed(path).select("figure svg"):
            label = svg.get("aria-label", "")
            assert svg.get("role") == "img" and len(label) >= 10, f"{name}: figure without a description"
            assert svg.find("title") is not None, f"{name}: figure '{label[:30]}' has no <title>"
        for img in parsed(path).select("article img"):
            alt = img.get("alt", "").strip()
            assert alt, f"{name}: <img src={(img.get('src') or '')[:40]}> has no alt text"
            # nbconvert's stand-in for a notebook image nobody described
            assert alt != "No description has been provided for this image", \
                f"{name}: an image with nbconvert's placeholder alt text; use figures.to_html"


def abbreviations() -> dict[str, str]:
    found = re.findall(r"^\*\[([^\]]+)\]:\s*(.+)$", ABBREVIATIONS.read_text(encoding="utf-8"), re.M)
    return dict(found)


def prose_words(article) -> set[str]:
    """Words of the text a reader sees, outside code, math and existing <abbr>."""
    article = BeautifulSoup(str(article), "html.parser")
    for tag in article.select("pre, code, .arithmatex, abbr, script, style, .highlight, svg"):
        tag.decompose()
    return set(re.findall(r"\b[A-Za-z][A-Za-z0-9-]*\b", article.get_text(" ")))


def test_abbreviations_explained_on_hover(built_site):
    defined = abbreviations()
    assert {"MLP", "SGD", "ReLU", "MSE"} <= defined.keys()
    used = set()
    for path in html_files(built_site):
        article = parsed(path).select_one("article.md-content__inner")
        if article is None:
            continue
        name = path.relative_to(built_site).as_posix()
        for abbr in article.find_all("abbr"):
            assert abbr.get("title") == defined.get(abbr.get_text()), f"{name}: {abbr} does not match {ABBREVIATIONS.name}"
            used.add(abbr.get_text())
        if article.select_one(".jupyter-wrapper"):
            continue  # a notebook page: its Markdown cells are rendered by nbconvert, not by abbr
        words = prose_words(article)
        assert not words & defined.keys(), f"{name}: {sorted(words & defined.keys())} shown without <abbr>"
        unexplained = {w for w in words if re.fullmatch(r"[A-Z]{2,}s?", w)} - NOT_ABBREVIATIONS
        unexplained = {w for w in unexplained if w.rstrip("s") not in defined}
        assert not unexplained, f"{name}: add {sorted(unexplained)} to docs/includes/abbreviations.md"
    assert used, f"no page shows an <abbr>: is {ABBREVIATIONS.name} still appended to every page?"
