"""No raw TeX where MathJax does not run: page titles, navigation, table of contents, search index."""

import json
import re

import pytest
from bs4 import BeautifulSoup

from coursebuild.readable import readable, tex_to_text

# What raw TeX looks like to a reader: math delimiters and the commands the chapters use.
RAW_TEX = re.compile(r"\\[()\[\]]|\\(?:frac|mathbf|mathsf|mathcal|boldsymbol|partial|sqrt|hat|sum|text|"
                     r"eqref|tag|label|begin|sigma|delta|eta|epsilon|theta|cdot|times|href)\b|\^\{")


@pytest.mark.parametrize("tex, text", [
    (r"1/m", "1/m"),
    (r"\frac{1}{m}", "1/m"),
    (r"\tfrac12", "1/2"),
    (r"\partial L / \partial W^{[1]}", "∂ L / ∂ W^[1]"),
    (r"\sqrt{v_t + \epsilon}", "√(v_t + ϵ)"),
    (r"\hat Y = A^{[2]} \tag{4.7}", "Ŷ = A^[2] (4.7)"),
    (r"x = \href{../a/#eq-x}{(3.2)}", "x = (3.2)"),
])
def test_tex_becomes_readable_text(tex, text):
    assert tex_to_text(tex) == text


def test_only_the_math_of_a_sentence_changes():
    assert readable(r"A batch, and where \(1/m\) comes from") == "A batch, and where 1/m comes from"
    assert readable(r"costs $5 and \(\eta = 0.1\)") == "costs $5 and η = 0.1"


def pages(site):
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


@pytest.mark.slow
def test_no_raw_tex_in_titles_navigation_or_table_of_contents(built_site):
    seen_toc = set()
    for page in pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        places = {"title": [soup.title.get_text()] if soup.title else []}
        places["navigation"] = [a.get_text(" ", strip=True) for a in soup.select("nav.md-nav--primary a")]
        places["table of contents"] = [a.get_text(" ", strip=True) for a in soup.select("nav.md-nav--secondary a")]
        seen_toc.update(places["table of contents"])
        for place, texts in places.items():
            raw = [text for text in texts if RAW_TEX.search(text)]
            assert not raw, f"{page.relative_to(built_site)}: raw TeX in the {place}: {raw[:3]}"
    assert "A batch, and where 1/m comes from" in seen_toc  # chapter 5's heading, written readably


@pytest.mark.slow
def test_no_raw_tex_in_the_search_index(built_site):
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    raw = [(doc["location"], match.group(0))
           for doc in index["docs"] for match in [RAW_TEX.search(doc["title"] + " " + doc["text"])] if match]
    assert not raw, f"{len(raw)} of {len(index['docs'])} search entries hold raw TeX, e.g. {raw[:5]}"
    titles = {doc["title"] for doc in index["docs"]}
    assert "A batch, and where 1/m comes from" in titles
