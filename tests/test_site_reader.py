"""The site as its readers use it, in headless Chromium: a lecturer at a projector, a student
printing before an exam, a reader in dark mode or on a phone, someone searching."""

from __future__ import annotations

import re

import pytest

from browser import browser_page, next_page, open_page, serve_site

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHAPTER = "chapters/01-neuron/"


def chapters(site) -> list[str]:
    return [p.parent.relative_to(site).as_posix() + "/" for p in sorted((site / "chapters").glob("*/index.html"))]


def assert_quiet(page) -> None:
    seen = page.observed
    assert not (seen.console_errors or seen.failed_requests or seen.foreign_requests), seen


SIDEBARS = """() => ['.md-sidebar--primary', '.md-sidebar--secondary'].map(
    s => getComputedStyle(document.querySelector(s)).display)"""
TEXT_SIZE = "() => parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)"


def test_lecture_mode_from_the_url_survives_navigation_and_both_toggles_work_by_keyboard(built_site, chromium):
    with serve_site(built_site) as base, browser_page() as page:
        open_page(page, base + CHAPTER)
        reading_size = page.evaluate(TEXT_SIZE)
        assert page.evaluate(SIDEBARS) != ["none", "none"]

        open_page(page, base + CHAPTER + "?lecture=1")
        assert page.evaluate("document.documentElement.classList.contains('lecture-mode')")
        assert page.get_attribute(".lecture-toggle", "aria-pressed") == "true"
        assert page.evaluate(SIDEBARS) == ["none", "none"]
        assert page.evaluate(TEXT_SIZE) >= 1.4 * reading_size, "lecture mode should enlarge the text"

        next_page(page)  # instant navigation replaces the content but not <html> or the header
        assert "?lecture=1" in page.url, f"a link copied now would not open in lecture mode: {page.url}"
        assert page.evaluate(SIDEBARS) == ["none", "none"]
        assert page.locator(".lecture-toggle").count() == 1

        page.focus(".md-header__button.md-logo")  # start where a keyboard user starts: the header
        for _ in range(40):  # the toggle sits in the header: a few Tabs from the logo
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('lecture-toggle')"):
                break
        else:
            pytest.fail("Tab never reaches the lecture-mode toggle")
        page.keyboard.press("Enter")
        assert page.get_attribute(".lecture-toggle", "aria-pressed") == "false"
        assert page.evaluate(SIDEBARS) != ["none", "none"]
        assert "lecture=" not in page.url

        page.keyboard.press("Tab")  # the next toggle in the header: Material's colour scheme
        assert page.evaluate("document.activeElement.matches('input.md-option')")
        page.keyboard.press("Enter")
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"

        open_page(page, base + CHAPTER)  # the tab remembers the choice: still off
        assert not page.evaluate("document.documentElement.classList.contains('lecture-mode')")
        assert_quiet(page)


def test_equation_permalink_copies_a_citation_and_keeps_the_anchor(built_site, chromium):
    with serve_site(built_site) as base, browser_page() as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        open_page(page, base + CHAPTER + "?lecture=1")
        equation = page.locator(".equation").nth(1)
        number, anchor = equation.get_attribute("data-eq-number"), equation.get_attribute("id")
        equation.hover()
        equation.locator("a.eq-permalink").click()
        page.wait_for_selector(".lecture-toast--shown")

        expected = f"Eq. ({number}) \u2014 {base}{CHAPTER}#{anchor}"
        assert page.evaluate("navigator.clipboard.readText()") == expected
        assert page.url.endswith("#" + anchor), "the click should still go to the equation"
        toast = page.locator(".lecture-toast")
        assert toast.get_attribute("role") == "status" and expected in toast.inner_text()

        # Without the Clipboard API (an http:// address that is not localhost), the fallback copies.
        page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('insecure')); }")
        first = page.locator(".equation").first
        first.hover()
        first.locator("a.eq-permalink").click()
        citation = f"Eq. ({first.get_attribute('data-eq-number')}) \u2014 {base}{CHAPTER}#{first.get_attribute('id')}"
        page.wait_for_function("t => (document.querySelector('.lecture-toast')?.textContent || '').includes(t)", arg=citation)
        assert page.evaluate("navigator.clipboard.readText()") == citation

        # On the print page, a citation names the chapter's own page, not the print page.
        open_page(page, base + "print_page/")
        equation = page.locator(f"#{anchor}")
        equation.scroll_into_view_if_needed()
        equation.hover()
        equation.locator("a.eq-permalink").click()
        page.wait_for_function("t => (document.querySelector('.lecture-toast')?.textContent || '').includes(t)", arg=expected)
        assert page.evaluate("navigator.clipboard.readText()") == expected
        assert_quiet(page)


PRINT_CHECK = """() => {
  const shown = el => el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden';
  const equations = [...document.querySelectorAll('.equation[data-eq-number]')];
  return {
    equations: equations.length,
    numbered: equations.filter(el => {
      const number = el.querySelector(':scope > .eq-number');
      return number && number.textContent === '(' + el.dataset.eqNumber + ')' && shown(number);
    }).length,
    figures: [...document.querySelectorAll('figure.course-figure svg')].filter(shown).length,
    squashed: [...document.querySelectorAll('div.arithmatex mjx-container > svg')].filter(svg => {
      const box = svg.getBoundingClientRect();
      return svg.checkVisibility() && (box.width < 8 || box.height < 8);
    }).map(svg => svg.parentElement.dataset.text.slice(0, 40)),
    outputs: [...document.querySelectorAll('.md-typeset pre > code')].filter(shown).length,
    hiddenSolutions: [...document.querySelectorAll('details .highlight, details p')].filter(el => !shown(el)).length,
    chrome: ['.md-header', '.md-sidebar--primary', '.md-footer', '.eq-permalink', '.lecture-toggle']
        .filter(s => [...document.querySelectorAll(s)].some(shown)),
    text: getComputedStyle(document.querySelector('.md-typeset p')).color,
    page: getComputedStyle(document.body).backgroundColor,
    figureText: (() => { const t = document.querySelector('figure.course-figure svg text');
                         return t ? getComputedStyle(t).fill : null; })(),
  };
}"""


def near_black(colour: str) -> bool:
    """``rgb(0, 0, 0)`` or ``rgba(0, 0, 0, 0.87)`` (Material's body text): ink, whatever the scheme."""
    r, g, b, *alpha = (float(v) for v in re.findall(r"[\d.]+", colour))
    return max(r, g, b) <= 40 and (not alpha or alpha[0] >= 0.85)


def test_print_page_has_the_whole_course_and_prints_black_on_white(built_site, chromium):
    with serve_site(built_site) as base, browser_page(scheme="dark") as page:
        open_page(page, base + "print_page/")
        on_screen = page.evaluate(PRINT_CHECK)
        assert on_screen["equations"] > 0 and on_screen["numbered"] == on_screen["equations"], on_screen
        titles = page.locator("section.print-page h1").all_inner_texts()
        for url in chapters(built_site):
            number = int(url.split("/")[1].split("-")[0])
            assert any(t.strip().startswith(f"{number}.") for t in titles), f"chapter {number} missing: {titles}"

        page.emulate_media(media="print")
        printed = page.evaluate(PRINT_CHECK)
        assert printed["figures"] == on_screen["figures"] > 0, "figures must print"
        assert not printed["squashed"], f"display formulas printed as dots: {printed['squashed'][:5]}"
        assert printed["outputs"] > 0, "executed outputs must print"
        assert printed["hiddenSolutions"] == 0, "collapsed solutions must print open"
        assert printed["chrome"] == [], f"navigation printed: {printed['chrome']}"
        assert near_black(printed["text"]) and printed["page"] == "rgb(255, 255, 255)", printed
        assert near_black(printed["figureText"]), printed
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) > len(titles)
        assert_quiet(page)


def test_a_chapter_prints_well_from_dark_mode(built_site, chromium):
    with serve_site(built_site) as base, browser_page(scheme="dark") as page:
        open_page(page, base + CHAPTER)
        assert page.locator("details:not([open])").count() > 0, "chapter 1 should have collapsed solutions"
        page.emulate_media(media="print")
        printed = page.evaluate(PRINT_CHECK)
        assert printed["hiddenSolutions"] == 0 and printed["chrome"] == [], printed
        assert near_black(printed["text"]) and near_black(printed["figureText"]), printed
        assert printed["numbered"] == printed["equations"] > 0
        assert not printed["squashed"], f"display formulas printed as dots: {printed['squashed'][:5]}"
        assert page.pdf(format="A4").startswith(b"%PDF")


CONTRAST = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3);
    }
    return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
  };
  const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const worst = {};
  const check = (kind, el, colour) => {
    const r = ratio(rgb(colour).slice(0, 3), background(el));
    if (!(kind in worst) || r < worst[kind].ratio) worst[kind] = {ratio: r, text: (el.textContent || '').slice(0, 40)};
  };
  document.querySelectorAll('figure.course-figure svg text').forEach(t => check('figure text', t, getComputedStyle(t).fill));
  document.querySelectorAll('.md-typeset td, .md-typeset th').forEach(t => check('table', t, getComputedStyle(t).color));
  document.querySelectorAll('.md-typeset pre > code').forEach(t => check('code', t, getComputedStyle(t).color));
  document.querySelectorAll('.md-typeset p, .md-typeset li').forEach(t => check('text', t, getComputedStyle(t).color));
  document.querySelectorAll('figcaption').forEach(t => check('caption', t, getComputedStyle(t).color));
  return worst;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_tables_and_outputs_are_legible_in_both_schemes(built_site, chromium, scheme):
    """Contrast of every figure label, table cell, code output and paragraph with what is behind it
    (WCAG AA: 4.5, captions 3), on every chapter."""
    with serve_site(built_site) as base, browser_page(scheme=scheme) as page:
        kinds = set()
        for url in chapters(built_site):
            open_page(page, base + url)
            for kind, worst in page.evaluate(CONTRAST).items():
                kinds.add(kind)
                needed = 3.0 if kind == "caption" else 4.5
                assert worst["ratio"] >= needed, f"{url} ({scheme}): {kind} {worst['text']!r} has contrast {worst['ratio']:.2f}"
        assert {"figure text", "table", "code", "text"} <= kinds


def test_lecture_mode_on_a_phone_never_scrolls_sideways(built_site, chromium):
    with serve_site(built_site) as base, browser_page(width=390, height=844) as page:
        for url in chapters(built_site):
            open_page(page, base + url + "?lecture=1")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{url} in lecture mode is {width} px wide at 390 px"


def test_search_works_offline(built_site, chromium):
    with serve_site(built_site) as base, browser_page() as page:
        open_page(page, base)
        page.focus("input.md-search__input")
        # Typed before the index is loaded, a query is ignored: wait for the search to be ready.
        page.wait_for_function("!document.querySelector('.md-search-result__meta').textContent.includes('Initializing')")
        page.keyboard.type("threshold")
        page.wait_for_selector(".md-search-result__item", timeout=30000)
        marked = page.locator(".md-search-result__item mark").all_inner_texts()
        assert any(m.lower().startswith("threshold") for m in marked), marked
        assert_quiet(page)  # the index and its worker came from this site, nothing from elsewhere


PREVIEW = "#eq-preview"
PREVIEW_STATE = """() => {
  const popup = document.getElementById('eq-preview');
  if (!popup || popup.hidden) return null;
  const box = popup.getBoundingClientRect();
  return {title: popup.querySelector('.eq-preview__title').textContent, text: popup.textContent,
          typeset: popup.querySelectorAll('mjx-container, svg, math').length,
          unresolved: [...popup.querySelectorAll('use')].map(u => u.getAttribute('href') || u.getAttribute('xlink:href'))
              .filter(ref => !document.getElementById(ref.slice(1))),
          fontSize: parseFloat(getComputedStyle(popup).fontSize),
          left: box.left, right: box.right, width: document.documentElement.clientWidth};
}"""


def test_an_equation_reference_previews_its_equation_across_pages(built_site, chromium):
    """Hovering or focusing "(7.3)" on chapter 9 shows chapter 7's equation, typeset, in a popup:
    keyboard reachable, dismissed by Escape, as large as the text in lecture mode; on the print page the ¶ of an
    equation deep in the course leaves it in view."""
    with serve_site(built_site) as base, browser_page() as page:
        open_page(page, base + "chapters/09-scratch-vs-keras/")
        link = page.locator("a.eqref[href*='07-training-with-keras/#eq-']").first
        target = link.get_attribute("href").split("#")[1]
        number = link.inner_text().strip()  # "(7.3)"

        link.hover()
        # mjx-container: the copied formula (an svg inside may be the glyphs it brought along, unseen)
        page.wait_for_selector(PREVIEW + ":not([hidden]) .arithmatex mjx-container")
        shown = page.evaluate(PREVIEW_STATE)
        assert shown["title"] == f"Eq. {number}" and shown["typeset"] > 0, shown
        assert "\\" not in shown["text"], f"raw TeX in the preview: {shown['text']!r}"
        assert not shown["unresolved"], f"glyphs the preview's formula draws but the page lacks: {shown}"
        assert link.get_attribute("aria-describedby") == "eq-preview"
        assert page.get_attribute(PREVIEW, "role") == "tooltip"
        assert 0 <= shown["left"] and shown["right"] <= shown["width"], shown
        # The popup shows the equation the link leads to: the target page numbers it the same.
        open_target = page.context.new_page()
        open_page(open_target, base + "chapters/07-training-with-keras/")
        assert f"({open_target.get_attribute('#' + target, 'data-eq-number')})" == number
        open_target.close()

        page.mouse.move(1, 1)
        page.wait_for_selector(PREVIEW, state="hidden")
        link.focus()  # a keyboard user tabbing through the text
        page.wait_for_selector(PREVIEW + ":not([hidden])")
        page.keyboard.press("Escape")
        page.wait_for_selector(PREVIEW, state="hidden")
        assert link.get_attribute("aria-describedby") is None

        reading = shown["fontSize"]
        open_page(page, base + "chapters/09-scratch-vs-keras/?lecture=1")
        page.locator("a.eqref[href*='07-training-with-keras/#eq-']").first.hover()
        # mjx-container: the copied formula (an svg inside may be the glyphs it brought along, unseen)
        page.wait_for_selector(PREVIEW + ":not([hidden]) .arithmatex mjx-container")
        lecture = page.evaluate(PREVIEW_STATE)
        text = page.evaluate(TEXT_SIZE)  # the lecture's enlarged text: the popup reads as large
        assert lecture["fontSize"] >= text > reading and lecture["right"] <= lecture["width"], (reading, text, lecture)
        assert_quiet(page)

        open_page(page, base + "print_page/")
        permalink = page.locator(f"#{target} a.eq-permalink")
        permalink.scroll_into_view_if_needed()
        page.locator(f"#{target}").hover()
        permalink.click()
        page.wait_for_timeout(1000)  # anything that moves the page after the jump has happened
        top = page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top")
        assert 0 <= top <= page.viewport_size["height"] - 40, f"the ¶ left the equation at {top:.0f} px"
        assert_quiet(page)
