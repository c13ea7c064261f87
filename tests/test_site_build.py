"""The strict site build, and what must (and must not) be in the HTML it produces."""

import re

import pytest

pytestmark = pytest.mark.slow


def pages(site):
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_strict_build_produces_every_page(built_site):
    names = {p.relative_to(built_site).as_posix() for p in pages(built_site)}
    assert {"index.html", "chapters/01-neuron/index.html", "errata/index.html", "notation/index.html"} <= names


def test_no_traceback_or_unexecuted_block_reaches_a_page(built_site):
    for page in pages(built_site):
        html = page.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in html, page
        assert 'exec="on"' not in html, page


def test_no_page_references_another_host(built_site):
    tag = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*>', re.I)
    remote = re.compile(r'\b(?:src|href)="(?:https?:)?//', re.I)
    for page in pages(built_site):
        html = page.read_text(encoding="utf-8")
        loads = [t for t in tag.findall(html) if remote.search(t)]  # a local build has no canonical link
        assert not loads, f"{page} loads from another host: {loads[:3]}"
        assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_math_is_typeset_at_build_time(built_site):
    """Every formula is SVG in the HTML (with MathML for screen readers): no TeX is left for a
    browser to typeset, and the site ships no MathJax."""
    assert not (built_site / "assets/mathjax").exists()
    formulas = 0
    for page in pages(built_site):
        html = page.read_text(encoding="utf-8")
        for math in re.findall(r'<(?:span|div) class="arithmatex">(.*?)</(?:span|div)>', html, re.S):
            assert math.startswith("<mjx-container") and "<mjx-assistive-mml" in math, f"{page}: {math[:80]}"
            formulas += 1
        if 'class="arithmatex"' in html:
            assert html.count('class="math-glyphs"') == 1, f"{page}: its formulas need one glyph block"
    assert formulas > 500


def test_equations_are_numbered_per_chapter_with_anchors(built_site):
    html = (built_site / "chapters/01-neuron/index.html").read_text(encoding="utf-8")
    numbers = re.findall(r'class="equation" id="eq-[^"]+" data-eq-number="([^"]+)"', html)
    assert numbers[:2] == ["1.1", "1.2"] and all(n.startswith("1.") for n in numbers)
    assert '<span class="eq-number">(1.1)</span>' in html and 'href="#eq-weighted-input"' in html


def test_cross_page_eqref_links_to_the_right_page_and_number(built_site):
    html = (built_site / "notation/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="eqref" href="\.\./chapters/01-neuron/#eq-weighted-input">\(1\.1\)</a>', html)


def test_figures_are_inline_svg_with_alt_text(built_site):
    html = (built_site / "chapters/01-neuron/index.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="course-figure".*?</figure>', html, re.S)
    assert figures
    for figure in figures:
        assert re.search(r'<svg (?:style="[^"]*" )?role="img" aria-label="[^"]{10,}"', figure)
        assert "<title>" in figure


def test_search_indexes_a_figures_alt_text_not_its_svg_and_pages_keep_their_figures(built_site):
    import html as html_module
    import json

    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    html = (built_site / "chapters/01-neuron/index.html").read_text(encoding="utf-8")
    alt = html_module.unescape(re.search(r'<svg (?:style="[^"]*" )?role="img" aria-label="([^"]{10,})"', html).group(1))
    assert alt in text
    assert "course-figure__svg" not in text and "<path" not in text
    for page in pages(built_site):  # the stand-ins used while indexing are all put back
        assert "data-course-figure" not in page.read_text(encoding="utf-8")
        assert "data-course-math" not in page.read_text(encoding="utf-8")


def test_search_indexes_a_formulas_readable_text_not_its_tex_or_svg(built_site):
    import json

    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "a = ∑_i=1^n w_i x_i - θ" in text  # (1.1), its TeX as readable text (readable.tex_to_text)
    assert not re.search(r"\\(?:frac|sum|sigma|mathbf|eqref|tag)\b|\\[(\[]", text)
    assert "mjx-" not in text and "MJX-TEX" not in text
