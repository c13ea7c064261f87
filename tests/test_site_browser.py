"""Every built page in a real browser: math typeset, numbers shown, images load, nothing external."""

import pytest

from browser import browser_page, next_page, open_page, serve_site

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHECK_PAGE = """() => {
  const visible = (el) => !el.closest('pre, code, script, style, .highlight');
  const raw = [...document.querySelectorAll('.arithmatex')].filter(el => !el.querySelector('mjx-container'));
  const errors = document.querySelectorAll('mjx-merror, [data-mjx-error]');
  const text = [...document.querySelectorAll('.md-content p, .md-content li, .md-content td')]
      .filter(visible).map(el => el.innerText).join('\\n');
  const leftovers = ['\\\\eqref', '\\\\label', '$$', '\\\\(', '\\\\['].filter(t => text.includes(t));
  const equations = [...document.querySelectorAll('.equation[data-eq-number]')].map(el => ({
      number: el.dataset.eqNumber,
      shown: [...el.querySelectorAll(':scope > .eq-number')].filter(n => n.getBoundingClientRect().width > 0)
          .map(n => n.textContent).join(''),
      permalink: !!el.querySelector('a.eq-permalink[href$="#' + el.id + '"]'),
  }));
  const images = [...document.images].map(img => ({src: img.src, ok: img.complete && img.naturalWidth > 0}));
  const mathWidths = [...document.querySelectorAll('div.arithmatex mjx-container > svg')]
      .map(svg => svg.getBoundingClientRect().width);
  const svgs = [...document.querySelectorAll('figure.course-figure svg')].map(svg => ({
      label: svg.getAttribute('aria-label') || '', width: svg.getBoundingClientRect().width}));
  return {raw: raw.length, errors: errors.length, leftovers, equations, images, svgs, mathWidths,
          pageWidth: document.documentElement.scrollWidth, viewWidth: window.innerWidth};
}"""


def site_pages(site):
    return sorted(
        p.relative_to(site).parent.as_posix() + "/" if p.name == "index.html" else p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.name != "404.html"
    )


def assert_page_clean(page, url):
    result = page.evaluate(CHECK_PAGE)
    observed = page.observed
    assert not observed.foreign_requests, f"{url} asked other hosts: {observed.foreign_requests}"
    assert not observed.console_errors, f"{url} console errors: {observed.console_errors}"
    assert not observed.failed_requests, f"{url} failed requests: {observed.failed_requests}"
    assert result["raw"] == 0, f"{url}: {result['raw']} math elements left untypeset"
    assert result["errors"] == 0, f"{url}: MathJax errors"
    assert not result["leftovers"], f"{url}: raw TeX in the text: {result['leftovers']}"
    for eq in result["equations"]:
        assert f"({eq['number']})" in eq["shown"], f"{url}: equation ({eq['number']}) not shown: {eq}"
        assert eq["permalink"], f"{url}: equation ({eq['number']}) has no permalink"
    for image in result["images"]:
        assert image["ok"], f"{url}: image did not load: {image['src']}"
    for svg in result["svgs"]:
        assert len(svg["label"]) >= 10 and svg["width"] > 100, f"{url}: figure without alt text or size: {svg}"
    return result


def test_every_page_renders_cleanly(built_site, chromium):
    with serve_site(built_site) as base, browser_page() as page:
        for url in site_pages(built_site):
            page.observed.clear()
            open_page(page, base + url)
            assert_page_clean(page, url)


def test_instant_navigation_retypesets_each_page(built_site, chromium):
    """Follow the footer's "Next" links from the home page: each page typesets from a clean slate."""
    with serve_site(built_site) as base, browser_page() as page:
        open_page(page, base)
        page.evaluate("window.__sameDocument = true")  # survives only instant (in-page) navigation
        visited = 0
        while page.locator("a.md-footer__link--next").count():
            page.observed.clear()
            next_page(page)
            url = page.url[len(base):]
            assert page.evaluate("window.__sameDocument === true"), f"{url} was a full page load"
            result = assert_page_clean(page, url)
            chapter = url.split("/")[1].split("-")[0] if url.startswith("chapters/") else None
            for eq in result["equations"]:
                if chapter:
                    assert eq["number"].startswith(f"{int(chapter)}."), f"{url}: numbering leaked: {eq}"
            visited += 1
        assert visited >= 3


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_width_never_scrolls_sideways(built_site, chromium, scheme):
    with serve_site(built_site) as base, browser_page(width=390, height=844, scheme=scheme) as page:
        for url in site_pages(built_site):
            open_page(page, base + url)
            result = assert_page_clean(page, url)
            assert result["pageWidth"] <= result["viewWidth"], f"{url} is {result['pageWidth']} px wide at 390 px"
            thin = [w for w in result["mathWidths"] if w < 8]
            assert not thin, f"{url}: {len(thin)} display equations collapsed to a sliver at 390 px"


# Every display formula on a page, and the number of each numbered one, as laid out. A number is
# "seen" when its box lies inside the window and inside every box that clips it (the formula's
# own scroll box included: a number scrolled out of it is as gone as one off-screen). Pre-#14 the
# number was drawn inside MathJax's SVG (svg[data-labels]); now it is text beside the formula.
DISPLAYS = """() => {
  const view = document.documentElement.clientWidth;
  const clipped = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || box.left < -0.5 || box.right > view + 0.5) return true;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === 'visible') continue;
      const clip = up.getBoundingClientRect();
      if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5) return true;
    }
    return getComputedStyle(el).visibility === 'hidden';
  };
  const numbers = [...document.querySelectorAll('.equation[data-eq-number]')].map(eq => {
    const number = eq.querySelector('.eq-number, mjx-container svg[data-labels]');
    return {number: eq.dataset.eqNumber, text: number ? number.textContent.trim() : null,
            seen: !!number && !clipped(number)};
  });
  const displays = [...document.querySelectorAll('.md-content div.arithmatex')].filter(box => box.checkVisibility())
    .map(box => {
      const svg = box.querySelector('mjx-container > svg');
      const drawn = svg.getBoundingClientRect();
      const natural = svg.width.baseVal.unitType === SVGLength.SVG_LENGTHTYPE_PERCENTAGE
          ? drawn.width : svg.width.baseVal.value;
      const style = getComputedStyle(box);
      return {
        text: (box.querySelector('mjx-container').dataset.text || '').slice(0, 50),
        wider: box.scrollWidth > box.clientWidth + 0.5 || drawn.right > view + 0.5,
        scrolls: box.scrollWidth > box.clientWidth + 0.5 && ['auto', 'scroll'].includes(style.overflowX),
        cue: style.backgroundImage.includes('gradient'),
        scale: natural ? drawn.width / natural : 1,
      };
    });
  return {numbers, displays};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_equation_numbers_stay_in_view_and_wide_displays_say_they_scroll(built_site, chromium, width, scheme):
    """Issue 14: on a phone a long display keeps its number visible, and scrolls in its own box
    with a visible cue (or is shrunk to no less than 85 %); checked on every page."""
    hidden, wrong, no_cue, shrunk, numbered = [], [], [], [], 0
    with serve_site(built_site) as base, browser_page(width=width, scheme=scheme) as page:
        for url in site_pages(built_site):
            open_page(page, base + url)
            seen = page.evaluate(DISPLAYS)
            for eq in seen["numbers"]:
                numbered += 1
                if not eq["seen"]:
                    hidden.append(f"{url} ({eq['number']})")
                if eq["text"] is not None and eq["text"] not in ("", f"({eq['number']})"):
                    wrong.append(f"{url} ({eq['number']}) shows {eq['text']!r}")
            for display in seen["displays"]:
                if display["wider"] and not (display["scrolls"] and display["cue"]):
                    no_cue.append(f"{url} {display['text']!r}")
                if display["scale"] < 0.85 - 1e-3:  # a display may shrink to 85 %: within rounding
                    shrunk.append(f"{url} {display['text']!r} at {display['scale']:.0%}")
    assert numbered > 100, f"only {numbered} numbered equations found: did the build number them?"
    assert not wrong, f"equation numbers that are not the equation's: {wrong}"
    assert not hidden, f"{len(hidden)} equation numbers out of view at {width} px: {hidden}"
    assert not no_cue, f"{len(no_cue)} displays wider than the column without a scroll cue at {width} px: {no_cue}"
    assert not shrunk, f"displays shrunk below 85 % at {width} px: {shrunk}"


# Runs before the page's own scripts, when the document may not have its <html> element yet: every
# change of <html>'s class made once <body> exists.
RECORD_HTML_CLASS = """(() => {
  window.__htmlClassChanges = [];
  new MutationObserver((records) => {
    records = records.filter((record) => record.target === document.documentElement);
    records.forEach((record, i) => {
      // The value after this change: the next record's old value, or the value now.
      const after = i + 1 < records.length ? records[i + 1].oldValue : record.target.getAttribute('class');
      if (document.body && record.oldValue !== after) window.__htmlClassChanges.push([record.oldValue, after]);
    });
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true});
})()"""


def test_nothing_restyles_the_whole_page_while_it_loads(built_site, chromium):
    """A page is styled once as it arrives, not again before its first paint: <html>'s classes are
    final before the content is parsed (overrides/main.html sets what Material's script would;
    a class change on <html> restyles every element of the page), and no figure brings a stylesheet
    into the page (Matplotlib's SVG did: a `*` rule, and a full restyle each time the parser met
    one). Both cost a chapter many times what they cost the home page (issue 18)."""
    with serve_site(built_site) as base, browser_page() as page:
        page.context.add_init_script(RECORD_HTML_CLASS)
        for url in site_pages(built_site):
            page.goto(base + url, wait_until="load")
            assert page.evaluate("window.__htmlClassChanges") == [], f"{url}: <html>'s class changed after the content began"
            assert page.evaluate("document.querySelectorAll('svg style').length") == 0, f"{url}: a <style> inside an SVG"
