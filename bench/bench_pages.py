"""Page loads in headless Chromium: how soon each page shows its typeset math, and what it weighs.

Goals (issue 18), as ratios to the home page measured in the same run (the machine is shared, so
absolute times drift):
  a chapter's math visible, cold and warm cache                   <= 1.2 x the home page
  the print page's math visible, cold and warm                    <= 3 x the home page
  bytes transferred by any page on a cold visit (gzip, as Pages)  <= 600 KB
"Visible" is the first rendering frame at which the first screen is complete (the page's content has
arrived past the screen's bottom edge: the element the parser is filling starts below it, or the
page has ended) and every formula on it is drawn as SVG, or the
first contentful paint if that comes later: what a reader sees first. It is taken at the start of
the frame that paints it (requestAnimationFrame), so the watcher's own layout queries are the
layout that frame does anyway; it does not wait for the page's scripts (a short page's content is
complete before Material's bundle runs, and the paint timing entry is read afterwards instead of
being required in the same frame, which on a busy main thread delayed the reading by a long task).
The table also gives the frame at which every formula on the whole page is drawn (for long pages,
mostly the time to receive and parse them), and in how many loads the first screen's formulas
were drawn by the first contentful paint ("at FCP"): math that arrives with the page, not after.

A cold visit is a page's first load in a fresh browser context: an empty cache, in a browser
that is already running, as a reader's first visit (launching a browser per visit, as this script
once did, put the browser's own start-up on the first load's clock). A warm one comes back to the
page after the site's small 404 page, everything cached (the test server sends GitHub Pages's
`Cache-Control: max-age=600`); not a reload, which would make a chapter also pay for taking down
its own 2,000-9,000 elements and the home page only for its 345. The pages are opened without
Playwright's request interception, which turns the HTTP cache off (every "warm" load of earlier
versions of this script downloaded the page again); requests that leave the site are recorded
instead and fail the run. Every page is visited once per round, in a new order each round, RUNS
rounds after one uncounted visit; a page's ratio is the median over the rounds of its time over
the home page's in the same round, as bench_network.py compares Network with Keras. Usage:
bench_pages.py [SITE_DIR] (default site/, from `make site`). Exits non-zero when a goal is missed.

The browser suite does not assert these ratios: speed goals are measured by benchmarks, never by
timed tests, and on this shared 2-core machine a page's own loads spread by up to 2x while the
goal leaves 20 %. Eleven rounds moved between runs (one site, unchanged, measured chapter ratios
of 0.97-1.30 in one run and 1.02-1.41 in the next); hence 21 rounds, and beside each ratio a
95 % confidence interval of its median (distribution-free, from the order statistics), which says
how far to trust a run.
Run this on a quiet machine (nothing else building) to judge the goals.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import SITE, chromium, leaves_site, serve_site  # noqa: E402

CHAPTER_GOAL, PRINT_GOAL, TRANSFER_GOAL = 1.2, 3.0, 600 * 1024
RUNS = 21

# Runs before the page's own scripts: records the frames at which the first screen's formulas,
# and all formulas, are drawn.
WATCH_MATH = """(() => {
  const drawn = el => el.querySelector('mjx-container svg');
  const check = () => {
    const now = performance.now();
    // The content has arrived past the first screen: the parser is beyond the article (the
    // footer follows it), or the element it is filling already starts below the screen. That is
    // the document's deepest last element, taken as its nearest HTML box (a shape inside an SVG
    // figure or a formula may be drawn anywhere in it); not the article's last child, which on
    // the print page (one wrapper <div>) or a notebook page (one <div>) holds the whole content
    // and starts on the first screen until the page's end has been parsed.
    let last = document.body;
    while (last?.lastElementChild) last = last.lastElementChild;
    while (last && last.namespaceURI !== 'http://www.w3.org/1999/xhtml') last = last.parentElement;
    const screenArrived = !!document.querySelector('footer.md-footer')
        || (!!last && last.getBoundingClientRect().top > innerHeight);
    const math = [...document.querySelectorAll('.arithmatex')];
    const onScreen = math.filter(el => el.getBoundingClientRect().top < innerHeight);
    if (window.__screenComplete === undefined && screenArrived && onScreen.every(drawn))
      window.__screenComplete = now;
    if (window.__allMath === undefined && document.readyState !== 'loading' && math.every(drawn))
      window.__allMath = now;
    if (window.__allMath === undefined || window.__screenComplete === undefined) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})()"""

MEASURE = """async () => {
  const paint = () => performance.getEntriesByName('first-contentful-paint')[0];
  while (window.__allMath === undefined || window.__screenComplete === undefined || !paint())
    await new Promise(r => setTimeout(r, 20));
  const bytes = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
      .reduce((sum, entry) => sum + entry.transferSize, 0);
  return {visible: Math.max(paint().startTime, window.__screenComplete), all: window.__allMath, bytes,
          atFirstPaint: window.__screenComplete <= paint().startTime};
}"""


def visit(browser, base: str, url: str) -> tuple[float, float, float, int, int, list[str]]:
    """(cold ms, warm ms, cold ms until all its math is drawn, cold bytes, how many of the two
    loads had the first screen's math drawn by the first contentful paint, requests that left the
    site), in a fresh browser context: an empty cache, as a reader's first visit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        # Recorded, not intercepted: Playwright's routing would turn the HTTP cache off, and every
        # "warm" load would download the whole page again.
        foreign = []
        context.on("request", lambda r: leaves_site(r.url) and foreign.append(r.url))
        context.add_init_script(WATCH_MATH)
        page = context.new_page()
        settle()
        page.goto(base + url, wait_until="load", timeout=120000)
        cold = page.evaluate(MEASURE)
        # Warm: back to the page after another, with everything in the cache. The page before it is
        # the site's small 404 page (Material's same stylesheets and scripts) for every page, not
        # the page itself as a reload would have it: the time a load takes includes taking down
        # the page before, which for a reloaded chapter (2,000-9,000 elements) cost the chapter
        # and not the home page (345).
        page.goto(base + "404.html", wait_until="load", timeout=120000)
        settle()
        page.goto(base + url, wait_until="load", timeout=120000)
        warm = page.evaluate(MEASURE)
    finally:
        context.close()
    return (cold["visible"], warm["visible"], cold["all"], cold["bytes"],
            cold["atFirstPaint"] + warm["atFirstPaint"], foreign)


def settle() -> None:
    """Let the browser finish what the previous load left running (its search index is built in
    a worker, a closed context's renderer exits) before the next load is timed: on two cores
    either would otherwise land on some pages' clocks and not on others'."""
    time.sleep(0.3)


def median_interval(values: list[float]) -> tuple[float, float]:
    """A distribution-free confidence interval of at least 95 % for the median of ``values``:
    the order statistics k and n+1-k, with k the largest rank whose binomial tail
    P(Binomial(n, 1/2) < k) stays below 2.5 %. Needs at least 6 values."""
    n = len(values)
    tail, k = 0.0, 0
    while tail + math.comb(n, k) / 2**n < 0.025:
        tail += math.comb(n, k) / 2**n
        k += 1
    if k == 0:
        raise ValueError(f"{n} values: a 95 % interval for a median needs at least 6")
    ordered = sorted(values)
    return ordered[k - 1], ordered[n - k]


def main() -> int:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else SITE
    pages = [""] + sorted(p.parent.relative_to(site).as_posix() + "/"
                          for p in site.glob("chapters/*/index.html")) + ["print_page/"]
    runs = {url: [] for url in pages}
    order = random.Random(18)
    with serve_site(site) as base, chromium() as browser:
        visit(browser, base, "")  # not counted: the browser's first load starts slower (caches, disk)
        for _ in range(RUNS):
            # Round by round, so a change in the machine's load hits every page; in a new order
            # each round, so that no page always follows the same one.
            for url in order.sample(pages, len(pages)):
                runs[url].append(visit(browser, base, url))
    missed = []
    print(f"{'page':34} {'cold ms':>8} {'x home':>7} {'warm ms':>8} {'x home':>7} {'all math':>8} {'KB cold':>8}"
          f" {'at FCP':>7}   x home: 95 % interval of the median, cold | warm")
    for url, rows in runs.items():
        cold, warm, whole, size = (statistics.median(column) for column in list(zip(*rows))[:4])
        at_paint = f"{sum(row[4] for row in rows)}/{2 * len(rows)}"
        # Each round's time over the home page's in the same round: a slow moment of the machine
        # slows both, so these ratios spread less than the times (see the module's docstring).
        by_round = [[row[k] / home[k] for row, home in zip(rows, runs[""])] for k in (0, 1)]
        ratios = [statistics.median(column) for column in by_round]
        spread = " | ".join("{:.2f}-{:.2f}".format(*median_interval(column)) for column in by_round)
        print(f"{url or '(home)':34} {cold:8.0f} {ratios[0]:7.2f} {warm:8.0f} {ratios[1]:7.2f} {whole:8.0f} {size / 1024:8.0f}"
              f" {at_paint:>7}   {spread}")
        goal = PRINT_GOAL if url == "print_page/" else CHAPTER_GOAL
        if url and max(ratios) > goal:
            missed.append(f"{url}: {max(ratios):.2f} x home > {goal}")
        if size > TRANSFER_GOAL:
            missed.append(f"{url or '(home)'}: {size / 1024:.0f} KB > {TRANSFER_GOAL // 1024} KB")
        foreign = sorted({address for row in rows for address in row[5]})
        if foreign:
            missed.append(f"{url or '(home)'}: requests left the site (it must work offline): {', '.join(foreign)}")
    for line in missed:
        print("MISSED", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
