"""Every figure readable where it is read: on a 390 px phone and a 1280 px screen, light and dark,
measured in headless Chromium on the built site (the text of each inline SVG as rendered)."""

from __future__ import annotations

import pytest

from browser import browser_page, open_page, serve_site
from dlcourse.figures import MAX_BYTES, MIN_TEXT_PX

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MEASURE = """() => [...document.querySelectorAll('figure.course-figure')].map(figure => {
  const svg = figure.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const runs = [...svg.querySelectorAll('text, tspan')].filter(t => t.textContent.trim());
  const px = runs.map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const body = getComputedStyle(document.querySelector('.md-typeset')).color;
  return {
    name: figure.id.replace(/^fig-/, ''),
    bytes: svg.outerHTML.length,
    smallest: px.length ? Math.min(...px) : Infinity,
    overflows: box.right > document.documentElement.clientWidth + 0.5,
    offColour: runs.filter(t => getComputedStyle(t).fill !== body && t.closest('[style*="fill: currentColor"]')).length,
  };
})"""


def pages(site) -> list[str]:
    return [p.parent.relative_to(site).as_posix() + "/" for p in sorted((site / "chapters").glob("*/index.html"))]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_every_figure_is_legible_small_and_inside_the_column(built_site, chromium, width, scheme):
    illegible, too_big, overflowing, off_colour, seen = {}, {}, [], [], set()
    with serve_site(built_site) as base, browser_page(width=width, scheme=scheme) as page:
        for url in pages(built_site):
            open_page(page, base + url)
            for fig in page.evaluate(MEASURE):
                seen.add(fig["name"])
                if fig["smallest"] < MIN_TEXT_PX:
                    illegible[fig["name"]] = round(fig["smallest"], 1)
                if fig["bytes"] > MAX_BYTES:
                    too_big[fig["name"]] = fig["bytes"]
                if fig["overflows"]:
                    overflowing.append(fig["name"])
                if fig["offColour"]:
                    off_colour.append(fig["name"])
    assert seen, "no figure found: did the build print them?"
    assert not too_big, f"figures over {MAX_BYTES:,} bytes of inline SVG: {too_big}"
    assert not overflowing, f"figures wider than the {width} px screen: {overflowing}"
    assert not off_colour, f"figure text not in the page's text colour ({scheme}): {off_colour}"
    assert not illegible, f"figure text under {MIN_TEXT_PX:g} px at {width} px (name: smallest px): {illegible}"


TABLES = """() => [...document.querySelectorAll('.md-typeset table:not([class])')].map(table => {
  const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
  const view = document.documentElement.clientWidth;
  const cells = [...table.querySelectorAll('tr:first-child > *')];
  const hidden = cells.filter(c => c.getBoundingClientRect().right > view + 0.5).length;
  const scrolls = wrap.scrollWidth > wrap.clientWidth + 0.5 && ['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX);
  const cue = getComputedStyle(wrap).backgroundImage.includes('gradient');
  const math = [...table.querySelectorAll('mjx-container svg')].map(svg => {
    const drawn = svg.width.baseVal.value;
    return drawn ? svg.getBoundingClientRect().width / drawn : 1;
  });
  return {columns: cells.length, hidden, scrolls, cue, text: table.innerText.slice(0, 40),
          smallestMath: math.length ? Math.min(...math) : 1};
})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tables_on_a_phone_show_every_column_or_say_they_scroll(built_site, chromium, scheme):
    hidden_without_cue, narrow_hidden, shrunk = [], [], []
    with serve_site(built_site) as base, browser_page(width=390, scheme=scheme) as page:
        for url in pages(built_site) + ["errata/"]:
            open_page(page, base + url)
            for table in page.evaluate(TABLES):
                where = f"{url} {table['text']!r}"
                if table["hidden"] and not (table["scrolls"] and table["cue"]):
                    hidden_without_cue.append(where)
                if table["hidden"] and table["columns"] <= 4:
                    narrow_hidden.append(where)
                if table["smallestMath"] < 0.85:
                    shrunk.append(f"{where}: math at {table['smallestMath']:.0%}")
    assert not hidden_without_cue, f"tables hiding columns with no scroll cue: {hidden_without_cue}"
    assert not narrow_hidden, f"tables of up to 4 columns that do not fit a 390 px phone: {narrow_hidden}"
    assert not shrunk, f"math in table cells shrunk below 85 %: {shrunk}"


NOTEBOOK = """() => {
  // the button shares a row with the first line of code (it covers the line's end when long)
  const overlaps = (a, b) => a.top < b.bottom && b.top < a.bottom;
  const covered = [...document.querySelectorAll('.jupyter-wrapper .zeroclipboard-container')].filter(button => {
    const pre = button.parentElement.querySelector('pre');
    const first = pre && [...pre.querySelectorAll('span')].find(t => t.textContent.trim() && !t.querySelector('span'));
    return first && overlaps(button.getBoundingClientRect(), first.getBoundingClientRect());
  }).length;
  const outputs = [...document.querySelectorAll('.jupyter-wrapper .jp-OutputArea-output pre')];
  return {
    buttons: document.querySelectorAll('.jupyter-wrapper .zeroclipboard-container').length, covered,
    wrapping: outputs.filter(pre => getComputedStyle(pre).whiteSpace !== 'pre').length, outputs: outputs.length,
    uncaptioned: [...document.querySelectorAll('.jupyter-wrapper figure.course-figure')]
      .filter(f => !(f.querySelector('figcaption') || {}).textContent).map(f => f.id),
  };
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_lab_notebook_reads_on_a_phone(built_site, chromium, width):
    with serve_site(built_site) as base, browser_page(width=width) as page:
        open_page(page, base + "chapters/08-lab-mnist/")
        seen = page.evaluate(NOTEBOOK)
    assert seen["buttons"] and seen["outputs"], seen
    assert not seen["covered"], f"copy buttons lying on top of code: {seen}"
    assert not seen["wrapping"], f"printed outputs that wrap inside words and numbers: {seen}"
    assert not seen["uncaptioned"], f"notebook figures without a caption: {seen['uncaptioned']}"
