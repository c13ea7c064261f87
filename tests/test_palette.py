"""coursebuild.palette: Material's [data-md-color-switching] rule leaves the built palette stylesheet."""

import glob
from pathlib import Path

import pytest

from coursebuild import palette


def theme_palette_css() -> str:
    """Material's own palette stylesheet, as the installed theme ships it."""
    import material

    found = glob.glob(str(Path(material.__file__).parent / "templates" / "assets" / "stylesheets" / "palette.*.min.css"))
    assert len(found) == 1, found
    return Path(found[0]).read_text(encoding="utf-8")


def test_the_rule_is_dropped_from_materials_own_stylesheet_and_nothing_else():
    css = theme_palette_css()
    dropped = palette.drop_switching_rule(css)
    assert "data-md-color-switching" in css
    assert "[data-md-color-switching] *" not in dropped
    assert dropped.replace(palette.DROPPED, palette.SWITCHING_RULE) == css


def test_a_stylesheet_already_rewritten_is_left_as_it_is():
    once = palette.drop_switching_rule(theme_palette_css())
    assert palette.drop_switching_rule(once) == once


def test_a_stylesheet_without_the_rule_is_an_error_that_names_it():
    with pytest.raises(ValueError, match="palette.x.min.css: expected Material's"):
        palette.drop_switching_rule("[data-md-color-scheme=slate]{color-scheme:dark}", "palette.x.min.css")


def test_the_build_hook_rewrites_the_sites_palette_stylesheet(tmp_path):
    sheets = tmp_path / "assets" / "stylesheets"
    sheets.mkdir(parents=True)
    (sheets / "palette.abc.min.css").write_text(theme_palette_css(), encoding="utf-8")
    palette.on_post_build({"site_dir": str(tmp_path)})
    assert "[data-md-color-switching] *" not in (sheets / "palette.abc.min.css").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.browser
def test_switching_to_dark_still_changes_colours_at_once(built_site, chromium):
    """Without Material's rule, javascripts/lecture.js marks <html> while the reader switches, so a
    link's colour transition (Material's 125 ms) is off for that moment, and on again after it."""
    from browser import browser_page, serve_site

    with serve_site(built_site) as base, browser_page() as page:
        page.goto(base + "chapters/01-neuron/")
        page.wait_for_function("document.querySelector('[data-md-component=palette] label:not([hidden])')")
        link = ".md-typeset a"
        before = page.evaluate(f"getComputedStyle(document.querySelector('{link}')).transitionDuration")
        page.evaluate(f"""() => {{
          window.__during = [];
          new MutationObserver(() => {{
            if (document.documentElement.classList.contains('course-palette-switching'))
              window.__during.push(getComputedStyle(document.querySelector('{link}')).transitionDuration);
          }}).observe(document.documentElement, {{attributes: true}});
        }}""")
        page.click("[data-md-component=palette] label:not([hidden])")
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        page.wait_for_function("!document.documentElement.classList.contains('course-palette-switching')")
        after = page.evaluate(f"getComputedStyle(document.querySelector('{link}')).transitionDuration")
        assert before != "0s" and after == before, (before, after)  # the link does fade normally
        assert page.evaluate("window.__during") == ["0s"]
        assert not page.observed.console_errors


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("scheme, expected", [("dark", "slate"), ("light", "default")])
def test_a_first_visit_is_drawn_in_the_readers_scheme_before_materials_script_runs(built_site, chromium, scheme, expected):
    """overrides/main.html picks the palette from the reader's preference while the page is parsed.
    Material's own script (blocked here) would switch later, and without its switching rule that
    switch faded the first page in from light (caught by the dark contrast test in CI)."""
    from browser import browser_page, serve_site

    with serve_site(built_site) as base, browser_page(scheme=scheme) as page:
        page.route("**/assets/javascripts/bundle.*.min.js", lambda route: route.abort())
        page.goto(base + "chapters/01-neuron/")
        assert page.evaluate("__md_get('__palette')") is None  # a first visit: nothing stored
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
