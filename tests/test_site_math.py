"""Math at first paint: every formula arrives typeset in the page's HTML (coursebuild/typeset.py).

No page loads a math script; with JavaScript switched off every numbered equation is still drawn
and carries its number for screen readers; no page weighs more than 600 KB over the wire, cold.
How fast pages paint, as ratios to the home page, is measured by bench/bench_pages.py.
"""

import pytest

from browser import browser_page, serve_site
from test_site_browser import assert_page_clean, site_pages

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Every page, the print page too (it was 787 KB before its figures and notebook styles got
# lighter and it stopped downloading the search index it hides; 1,337 KB with MathJax in the browser).
MAX_TRANSFER = 600 * 1024

NO_SCRIPT_CHECK = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });  // collapsed solutions too
  const drawn = el => { const r = el.getBoundingClientRect(); return r.width > 2 && r.height > 4; };
  const equations = [...document.querySelectorAll('.equation[data-eq-number]')];
  return {
    formulas: document.querySelectorAll('.arithmatex').length,
    undrawn: [...document.querySelectorAll('.arithmatex')].filter(el => el.checkVisibility()).filter(el => !el.querySelector('mjx-container > svg')
        || !drawn(el.querySelector('mjx-container > svg'))).map(el => el.textContent.slice(0, 60)),
    unnumbered: equations.filter(el => { const n = el.querySelector(':scope > .eq-number');
        return !n || n.textContent !== '(' + el.dataset.eqNumber + ')' || !drawn(n); }).map(el => el.id),
    scripts: [...document.scripts].map(s => s.src).filter(src => /mathjax|katex/i.test(src)),
  };
}"""

TRANSFERRED = """() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
    .reduce((sum, entry) => sum + entry.transferSize, 0)"""


def test_every_equation_is_drawn_without_javascript(built_site, chromium):
    with serve_site(built_site) as base, browser_page(javascript=False) as page:
        total = 0
        for url in site_pages(built_site):
            page.goto(base + url)
            result = page.evaluate(NO_SCRIPT_CHECK)
            assert not result["undrawn"], f"{url}: formulas not drawn without JavaScript: {result['undrawn'][:3]}"
            assert not result["unnumbered"], f"{url}: equations without their number: {result['unnumbered']}"
            assert not result["scripts"], f"{url} loads a math script: {result['scripts']}"
            total += result["formulas"]
        assert total > 500  # the course's formulas were all looked at, not none


def test_no_page_transfers_more_than_600_kb_cold(built_site, chromium):
    sizes = {}
    with serve_site(built_site) as base:
        for url in site_pages(built_site):
            with browser_page() as page:  # a fresh browser: an empty cache
                page.goto(base + url, wait_until="networkidle")
                assert_page_clean(page, url)
                sizes[url] = page.evaluate(TRANSFERRED)
    heavy = {url: f"{size / 1024:.0f} KB" for url, size in sizes.items() if size > MAX_TRANSFER}
    assert not heavy, f"pages over {MAX_TRANSFER // 1024} KB cold: {heavy}"
    assert min(sizes.values()) > 10_000  # the sizes were measured (compressed, as Pages sends them)
    assert "print_page/" in sizes
