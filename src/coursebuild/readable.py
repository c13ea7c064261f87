"""Readable text where formulas are not typeset: page titles, the table of contents, the search index.

MathJax typesets math inside the page body only (at build time, ``coursebuild.typeset``). A heading such as ``## Where $1/m$ comes from``
also becomes a page-title, table-of-contents and search-index entry, and every paragraph with
math becomes a search snippet; there the TeX would show raw (``\\(1/m\\)``, ``\\frac``).
This hook (``hooks:`` in mkdocs.yml) writes those places as Unicode text instead, converted by
``pylatexenc``: ``\\frac{1}{m}`` -> ``1/m``, ``\\partial L/\\partial W^{[1]}`` -> ``∂L/∂W^[1]``.
The same ``tex_to_text`` gives every typeset formula its ``data-text`` (``coursebuild.typeset``),
which the search index takes instead of the SVG (``coursebuild.plugin``); this hook's pass over
the index catches any TeX left.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from pylatexenc.latex2text import LatexNodes2Text

# \( \) and \[ \] come from arithmatex; $$ $$ and $ $ from the lab notebook's Markdown cells.
MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.S)
# What the equation machinery adds inside math: a tag, a link around a cited number.
_TAG = re.compile(r"\\tag\{([^}]*)\}")
_HREF = re.compile(r"\\href\{[^}]*\}\{([^}]*)\}")
_SHORT_FRAC = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")
_converter = LatexNodes2Text(math_mode="text", strict_latex_spaces="based-on-source")


@functools.cache  # `make serve` converts the same pieces on every rebuild: 2 s of a 6-s one
def tex_to_text(tex: str) -> str:
    """One piece of TeX math as plain Unicode text (``W^{[1]} X`` -> ``W^[1] X``)."""
    tex = _TAG.sub(r"\\quad (\1)", tex)
    tex = _HREF.sub(r"\1", tex)
    tex = _SHORT_FRAC.sub(r"\\frac{\1}{\2}", tex)
    text = _converter.latex_to_text(tex)
    return re.sub(r"\s+", " ", text).strip()


def readable(text: str) -> str:
    """``text`` with every ``\\( \\)``, ``\\[ \\]`` and ``$$ $$`` math part written as plain text."""
    return MATH.sub(lambda match: tex_to_text(next(g for g in match.groups() if g is not None)), text)


def _toc_readable(items) -> None:
    for item in items:
        item.title = readable(item.title)
        _toc_readable(item.children)


def on_page_content(html: str, page, config, files) -> str:
    """The page's title and its table of contents in plain text (the body keeps its TeX)."""
    if page.title:
        page.title = readable(page.title)
    _toc_readable(page.toc)
    return html


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config) -> None:
    """Every title and snippet of the search index in plain text."""
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index.get("docs", []):
        doc["title"] = readable(doc.get("title", ""))
        doc["text"] = readable(doc.get("text", ""))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
