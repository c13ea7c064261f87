"""The print page's link repair, on pieces of HTML shaped like print-site's output."""

from coursebuild.printsite import fix_print_page

PAGE = (
    '<section class="print-page" id="chapters-01-neuron" heading-number="1">'
    '<h1 id="chapters-01-neuron-inputs">Inputs</h1>'
    '<div class="equation" id="eq-step" data-eq-number="1.3">'
    '<div class="arithmatex">\\[ y = f(a) \\tag{1.3} \\]</div>'
    '<a class="eq-permalink" href="#chapters-01-neuron-eq-step">¶</a></div>'
    "</section>"
    "<section class='print-page md-section' id='section-2'>"
    '<section class="print-page" id="chapters-02-deep-learning" heading-number="2">'
    '<p><a class="eqref" href="#chapters-01-neuron-eq-step">(1.3)</a> and '
    '<span class="arithmatex"><mjx-container class="MathJax" jax="SVG"><svg><g data-mml-node="math">'
    '<a href="../01-neuron/#eq-step"><g data-mml-node="mrow"></g></a></g></svg></mjx-container></span> and '
    '<a href="#chapters-01-neuron-inputs">a heading</a> and <a href="#section-2">a part</a> and '
    '<a href="#chapters-01-neuron-nowhere">a dead link</a> and <a href="https://example.org/#x">out</a></p>'
    "</section></section>"
)


def test_equation_links_point_at_the_equation():
    fixed = fix_print_page(PAGE)
    assert 'class="eq-permalink" href="#eq-step"' in fixed
    assert 'class="eqref" href="#eq-step"' in fixed


def test_math_links_lose_their_page_path():
    assert '<a href="#eq-step"><g data-mml-node="mrow">' in fix_print_page(PAGE)


def test_glyphs_are_kept_once():
    glyphs = '<svg class="math-glyphs" aria-hidden="true"><defs>{}</defs></svg>'
    a, b = '<path id="MJX-TEX-I-61" d="M1"></path>', '<path id="MJX-TEX-N-31" d="M2"></path>'
    fixed = fix_print_page(PAGE + glyphs.format(a) + "<p>x</p>" + glyphs.format(a + b))
    assert fixed.count('class="math-glyphs"') == 1
    assert fixed.count(a) == fixed.count(b) == 1
    assert "<p>x</p>" in fixed


def test_links_that_already_resolve_or_cannot_are_left_alone():
    fixed = fix_print_page(PAGE)
    assert 'href="#chapters-01-neuron-inputs"' in fixed  # print-site renamed the heading too
    assert 'href="#section-2"' in fixed  # an id in single quotes counts
    assert 'href="#chapters-01-neuron-nowhere"' in fixed  # no such id: left for the link test to report
    assert 'href="https://example.org/#x"' in fixed


def test_sections_are_marked_with_their_page_url():
    fixed = fix_print_page(PAGE, {"chapters-01-neuron": "chapters/01-neuron/"})
    assert '<section class="print-page" id="chapters-01-neuron" data-page-url="chapters/01-neuron/"' in fixed
    assert '<section class="print-page" id="chapters-02-deep-learning" heading-number' in fixed


def test_is_idempotent():
    urls = {"chapters-01-neuron": "chapters/01-neuron/"}
    once = fix_print_page(PAGE, urls)
    assert fix_print_page(once, urls) == once


PRINT_PAGE = (
    '<head><script type="text/javascript">\n        document.addEventListener(\'DOMContentLoaded\', function () {\n'
    "            remove_material_navigation();remove_mkdocs_theme_navigation();generate_toc();\n"
    "        })\n        </script></head><body>"
    '<div class="md-search" data-md-component="search" role="dialog"><div><form name="search"></form></div></div>'
    '<div class="md-sidebar md-sidebar--primary" data-md-component="sidebar"><ul><li>site nav</li></ul></div>'
    '<div class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" data-md-type="toc"><nav>'
    '<ul class="md-nav__list" data-md-component="toc" data-md-scrollfix><li><a href="#index">Intro</a>'
    '<ul class="md-nav__list"><li><a href="#chapters-01-neuron">1. Neuron</a></li></ul></li></ul></nav></div>'
    '<div id="print-page-toc" data-toc-depth="2">\n<nav role=\'navigation\' class=\'print-page-toc-nav\'>\n'
    "<h1 class='print-page-toc-title'>Contents</h1>\n</nav>\n</div><section>...</section></body>"
)


def test_the_first_screen_is_built_in_the_html_not_after_the_whole_page_parsed():
    from coursebuild.printsite import first_screen_in_html

    html = first_screen_in_html(PRINT_PAGE)
    assert "generate_toc" not in html and "DOMContentLoaded" not in html
    contents = html[html.index('id="print-page-toc"'):]
    assert '<a href="#index">Intro</a>' in contents and '<a href="#chapters-01-neuron">1. Neuron</a>' in contents
    assert contents.index("1. Neuron") < contents.index("</nav>")  # nested list copied whole, inside its nav
    assert 'data-md-component="toc"' not in contents  # the copy is not Material's live contents
    assert '<div class="md-sidebar md-sidebar--primary" style="display: none"' in html
    assert "md-search" not in html and 'name="search"' not in html  # no search index is downloaded
    assert first_screen_in_html(html) == html


def test_a_page_without_print_sites_script_is_unchanged():
    from coursebuild.printsite import first_screen_in_html

    assert first_screen_in_html(PAGE) == PAGE


def test_print_sites_copy_gets_one_svg_element_per_line_and_its_anchor_pass_the_same_result():
    import re
    from types import SimpleNamespace

    from mkdocs_print_site_plugin.urls import update_anchor_ids

    from coursebuild.printsite import SVG_ELEMENT, on_page_content

    formula = ('<span class="arithmatex"><mjx-container class="MathJax" jax="SVG"><svg><defs><path id="g1" d="M0 0"/>'
               '</defs><g data-mml-node="math"><use xlink:href="#g1"/><rect x="1"/></g></svg><mjx-assistive-mml>'
               '<math><mrow><mi>x</mi><mo>=</mo><mn>1</mn></mrow></math></mjx-assistive-mml></mjx-container></span>')
    html = ('<h2 id="inputs">Inputs</h2><p><code>x</code><a href="#inputs">back</a> '
            + formula * 50 + '</p><ol><li id="fn:1">note<sup id="fnref:1">1</sup></li></ol>')
    page = SimpleNamespace(html=html)
    assert on_page_content(html, page, None, None) == html  # the page itself is untouched
    lines = page.html.split("\n")
    # Lines no longer grow with the formulas on them (print-site scans each from every "<").
    assert max(len(line) for line in lines) < len(formula) < len(html) / 40
    assert "<code>x</code><a href" in page.html  # HTML's inline elements keep their spacing
    joined = re.compile(">\n" + SVG_ELEMENT.pattern[1:])
    assert joined.sub("><", page.html) == html
    assert joined.sub("><", update_anchor_ids(page.html, "ch")) == update_anchor_ids(html, "ch")
