"""Page loads in headless Chromium: how soon each page shows its typeset math, and what it weighs.

Goals (issue 18), as ratios to the home page measured in the same run (the machine is shared, so
absolute times drift):
  a chapter's math visible, cold and warm cache                   <= 1.2 x the home page
  the print page's math visible, cold and warm                    <= 3 x the home page
  bytes transferred by any page on a cold visit (gzip, as Pages)  <= 600 KB
"Visible" is the first animation frame, after the first contentful paint, at which the first
screen is complete (the page has arrived past its bottom edge) and every formula on it is drawn as
SVG: what a reader sees first. The table also gives the frame at which every formula on the whole
page is drawn (for long pages, mostly the time to receive and parse them). Median of three. Usage: bench_pages.py [SITE_DIR] (default
site/, from `make site`). Exits non-zero when a goal is missed.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import SITE, browser_page, serve_site  # noqa: E402

CHAPTER_GOAL, PRINT_GOAL, TRANSFER_GOAL = 1.2, 3.0, 600 * 1024
RUNS = 3

# Runs before the page's own scripts: records the frames at which the first screen's formulas,
# and all formulas, are drawn.
WATCH_MATH = """(() => {
  const drawn = el => el.querySelector('mjx-container svg');
  const check = () => {
    const now = performance.now();
    const painted = performance.getEntriesByName('first-contentful-paint').length > 0;
    const parsed = document.readyState !== 'loading';
    const last = document.querySelector('article')?.lastElementChild;
    const screenArrived = parsed || (last && last.getBoundingClientRect().top > innerHeight);
    const math = [...document.querySelectorAll('.arithmatex')];
    const onScreen = math.filter(el => el.getBoundingClientRect().top < innerHeight);
    if (window.__mathVisible === undefined && painted && screenArrived && onScreen.every(drawn))
      window.__mathVisible = now;
    if (window.__allMath === undefined && parsed && math.every(drawn)) window.__allMath = now;
    if (window.__allMath === undefined || window.__mathVisible === undefined) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})()"""

MEASURE = """async () => {
  while (window.__allMath === undefined || window.__mathVisible === undefined)
    await new Promise(r => setTimeout(r, 20));
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const bytes = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
      .reduce((sum, entry) => sum + entry.transferSize, 0);
  return {visible: window.__mathVisible, all: window.__allMath, bytes};
}"""


def visit(base: str, url: str) -> tuple[float, float, float, int]:
    """(cold ms, warm ms, cold ms until all its math is drawn, cold bytes), in a fresh browser."""
    with browser_page() as page:
        page.context.add_init_script(WATCH_MATH)
        page.goto(base + url, wait_until="load", timeout=120000)
        cold = page.evaluate(MEASURE)
        page.reload(wait_until="load", timeout=120000)
        warm = page.evaluate(MEASURE)
    return cold["visible"], warm["visible"], cold["all"], cold["bytes"]


def main() -> int:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else SITE
    pages = [""] + sorted(p.parent.relative_to(site).as_posix() + "/"
                          for p in site.glob("chapters/*/index.html")) + ["print_page/"]
    results = {}
    with serve_site(site) as base:
        for url in pages:
            runs = [visit(base, url) for _ in range(RUNS)]
            results[url] = [statistics.median(column) for column in zip(*runs)]
    home_cold, home_warm, _, _ = results[""]
    missed = []
    print(f"{'page':34} {'cold ms':>8} {'x home':>7} {'warm ms':>8} {'x home':>7} {'all math':>8} {'KB cold':>8}")
    for url, (cold, warm, whole, size) in results.items():
        goal = PRINT_GOAL if url == "print_page/" else CHAPTER_GOAL
        ratios = (cold / home_cold, warm / home_warm)
        print(f"{url or '(home)':34} {cold:8.0f} {ratios[0]:7.2f} {warm:8.0f} {ratios[1]:7.2f} {whole:8.0f} {size / 1024:8.0f}")
        if url and max(ratios) > goal:
            missed.append(f"{url}: {max(ratios):.2f} x home > {goal}")
        if size > TRANSFER_GOAL:
            missed.append(f"{url or '(home)'}: {size / 1024:.0f} KB > {TRANSFER_GOAL // 1024} KB")
    for line in missed:
        print("MISSED", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
