"""coursebuild.typeset: MathJax in Node turns a page's TeX into SVG with MathML, once per page."""

import re

import pytest

from coursebuild import typeset
from dlcourse.cache import cache_dir

PAGE = (
    '<h1 id="t">T</h1><p>Inline <span class="arithmatex">\\(w_i &lt; \\theta\\)</span> and</p>\n'
    '<div class="equation" id="eq-a" data-eq-number="1.1">\n'
    '<div class="arithmatex">\\[\na = \\sum_{i=1}^{n} w_i x_i\n\\]</div>\n<span class="eq-number">(1.1)</span>\n</div>'
)


@pytest.fixture
def typesetter(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "dlcourse"))
    setter = typeset.Typesetter()
    yield setter
    setter.close()


def test_finds_inline_and_display_formulas_with_their_tex_unescaped():
    assert typeset.formulas_in(PAGE) == [
        typeset.Formula("w_i < \\theta", False),
        typeset.Formula("a = \\sum_{i=1}^{n} w_i x_i", True),
    ]


def test_a_page_becomes_svg_with_mathml_and_its_number(typesetter):
    html = typesetter.typeset_page(PAGE, "docs/x.md")
    assert "\\(" not in html and "\\[" not in html
    assert html.count("<mjx-container") == 2 and html.count("<mjx-assistive-mml") == 2
    assert '</div>\n<span class="eq-number">(1.1)</span>' in html  # the plugin's number, beside the formula
    assert html.index('<h1 id="t">') < html.index('class="math-glyphs"') < html.index("<mjx-container")
    assert html.count('class="math-glyphs"') == 1 and 'id="MJX-TEX-I-1D464"' in html  # w, drawn once
    assert '<div class="equation" id="eq-a" data-eq-number="1.1">' in html


def test_a_second_build_reads_the_cache_without_node(typesetter):
    first = typesetter.typeset_page(PAGE, "docs/x.md")
    again = typeset.Typesetter()
    assert again.typeset_page(PAGE, "docs/x.md") == first
    assert again.typeset == 0 and again._process is None


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "another page's answer"])
def test_a_damaged_cache_entry_is_typeset_again_not_published(typesetter, caplog, damage):
    first = typesetter.typeset_page(PAGE, "docs/x.md")
    entry, = (cache_dir().parent / "math").glob("*.json")
    data = entry.read_bytes()
    if damage == "flip a byte":  # inside a glyph's path: still JSON, wrong picture
        at = data.index(b" d=") + 6
        entry.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
    elif damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    else:
        other = typeset.Typesetter()
        other.typeset_page('<p><span class="arithmatex">\\(y\\)</span></p>', "docs/y.md")
        other.close()
        entry.write_bytes(next(p for p in entry.parent.glob("*.json") if p != entry).read_bytes())
    again = typeset.Typesetter()
    try:
        assert again.typeset_page(PAGE, "docs/x.md") == first
    finally:
        again.close()
    assert again.typeset == 1
    assert f"discarded the math cache entry {entry}" in caplog.text


def test_bad_tex_names_the_page_and_the_formula(typesetter):
    bad = '<p><span class="arithmatex">\\(\\frac{1\\)</span></p>'
    with pytest.raises(typeset.TypesetError, match=r"(?s)docs/bad\.md: .*Missing close brace: \\frac\{1"):
        typesetter.typeset_page(bad, "docs/bad.md")


def test_each_formula_carries_its_readable_text_for_search(typesetter):
    page = typesetter.typeset_page('<p><span class="arithmatex">\\(\\frac{1}{m} w_i\\)</span></p>', "docs/x.md")
    assert '<mjx-container data-text="1/m w_i"' in page


def test_a_display_carries_its_width_for_css_and_inline_math_does_not(typesetter):
    page = typesetter.typeset_page(PAGE, "docs/x.md")
    inline, display = re.findall(r"<svg [^>]*>", page)[1:]  # after the glyph block
    width = re.search(r' width="([0-9.]+ex)"', display).group(1)
    assert f'style="--math-width: {width}; vertical-align:' in display
    assert "--math-width" not in inline


def test_pages_without_math_are_left_alone(typesetter):
    assert typesetter.typeset_page("<p>no math</p>", "docs/x.md") == "<p>no math</p>"
    assert typesetter._process is None

